from django.urls import path

from followthrough.workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("", views.settings_edit, name="settings"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite_create, name="invite"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        views.invite_revoke,
        name="invite-revoke",
    ),
    path("members/leave/", views.leave, name="leave"),
    path("members/<int:membership_id>/role/", views.member_role, name="member-role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member-remove"),
]
