from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.workspaces import services
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.forms import (
    InviteForm,
    RoleForm,
    WorkspaceSettingsForm,
)
from followthrough.workspaces.models import Membership
from followthrough.workspaces.responses import see_other


@workspace_view(owner=True)
def settings_edit(request: WorkspaceRequest) -> HttpResponse:
    form = WorkspaceSettingsForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return see_other("workspaces:settings", workspace_slug=request.workspace.slug)
    return render(request, "workspaces/settings.html", {"form": form})


@workspace_view
def members(request: WorkspaceRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(workspace=request.workspace)
        .select_related("user")
        .order_by("created_at")
    )
    return render(
        request,
        "workspaces/members.html",
        {
            "memberships": memberships,
            "invite_form": InviteForm(),
            "role_form": RoleForm(),
        },
    )


@require_POST
@workspace_view(owner=True)
def invite_create(request: WorkspaceRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        memberships = Membership.objects.filter(workspace=request.workspace).select_related("user")
        return render(
            request,
            "workspaces/members.html",
            {"memberships": memberships, "invite_form": form},
            status=400,
        )
    token = services.invitation_make_token(workspace=request.workspace, **form.cleaned_data)
    link = request.build_absolute_uri(reverse("invite-accept", args=[token]))
    memberships = Membership.objects.filter(workspace=request.workspace).select_related("user")
    return render(
        request,
        "workspaces/members.html",
        {
            "memberships": memberships,
            "invite_form": InviteForm(),
            "invite_link": link,
            "invited_email": form.cleaned_data["email"],
        },
    )


@require_POST
@workspace_view(owner=True)
def member_role(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    membership = get_for_workspace(Membership, request.workspace, pk=membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(membership=membership, role=form.cleaned_data["role"])
            who = membership.user.get_full_name() or membership.user.email
            messages.success(request, f"{who} is now {membership.get_role_display().lower()}.")
        except ValueError as error:
            messages.error(request, str(error))
    return see_other("workspaces:members", workspace_slug=request.workspace.slug)
