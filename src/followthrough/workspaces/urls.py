from django.urls import path

from followthrough.workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("", views.settings_edit, name="settings"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite_create, name="invite"),
    path("members/<int:membership_id>/role/", views.member_role, name="member-role"),
]
