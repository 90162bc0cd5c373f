from django.urls import path

from followthrough.directory import (
    bulk_views,
    merge_views,
    organization_views,
    partner_views,
    views,
)

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_new, name="person-new"),
    path("people/bulk/", bulk_views.person_bulk, name="person-bulk"),
    path("people/bulk/undo/", bulk_views.person_bulk_undo, name="person-bulk-undo"),
    path("people/duplicates/", merge_views.duplicate_list, name="duplicates"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/merge/<int:person_id>/", merge_views.person_merge, name="merge"),
    path(
        "people/<int:pk>/not-duplicate/<int:person_id>/",
        merge_views.duplicate_dismiss,
        name="duplicate-dismiss",
    ),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/photo/", views.person_photo, name="person-photo"),
    path("people/<int:pk>/affiliations/new/", views.affiliation_add, name="affiliation-add"),
    path(
        "people/<int:pk>/affiliations/<int:affiliation_id>/end/",
        views.affiliation_end,
        name="affiliation-end",
    ),
    path("organizations/", organization_views.organization_list, name="organization-list"),
    path("organizations/new/", organization_views.organization_new, name="organization-new"),
    path("organizations/partners/", partner_views.partner_list, name="partners"),
    path(
        "organizations/<int:pk>/partner-follow-up/",
        partner_views.partner_follow_up,
        name="partner-follow-up",
    ),
    path(
        "organizations/suggest/",
        organization_views.organization_suggest,
        name="organization-suggest",
    ),
    path(
        "organizations/<int:pk>/",
        organization_views.organization_detail,
        name="organization-detail",
    ),
    path(
        "organizations/<int:pk>/edit/",
        organization_views.organization_edit,
        name="organization-edit",
    ),
    path(
        "organizations/<int:pk>/noticed/",
        organization_views.organization_noticed,
        name="organization-noticed",
    ),
]
