from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.workspaces import invitations, services
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.forms import (
    InviteForm,
    RoleForm,
    SuccessorForm,
    WorkspaceSettingsForm,
)
from followthrough.workspaces.models import Invitation, Membership, Role
from followthrough.workspaces.responses import see_other
from followthrough.workspaces.selectors import owners_among, team_memberships


@workspace_view(owner=True)
def settings_edit(request: WorkspaceRequest) -> HttpResponse:
    form = WorkspaceSettingsForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return see_other("workspaces:settings", workspace_slug=request.workspace.slug)
    return render(request, "workspaces/settings.html", {"form": form})


def _owners(request: WorkspaceRequest) -> list[Any]:
    return owners_among(team_memberships(workspace=request.workspace))


def _members_page(request: WorkspaceRequest, status: int = 200, **extra: Any) -> HttpResponse:
    memberships = team_memberships(workspace=request.workspace)
    context = {
        "memberships": memberships,
        "owners": owners_among(memberships),
        "pending": invitations.invitations_pending(workspace=request.workspace),
        "invite_form": InviteForm(),
        "role_choices": Role.choices,
        "invitation_days": invitations.INVITATION_DAYS,
        **extra,
    }
    return render(request, "workspaces/members.html", context, status=status)


@workspace_view
def members(request: WorkspaceRequest) -> HttpResponse:
    return _members_page(request)


@require_POST
@workspace_view(owner=True)
def invite_create(request: WorkspaceRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, token = invitations.invitation_create(
                workspace=request.workspace, created_by=request.user, **form.cleaned_data
            )
        except invitations.InvitationError as error:
            form.add_error("email", str(error))
        else:
            # The token is shown this once (only its hash is kept), so the page is
            # rendered here rather than redirected to.
            link = request.build_absolute_uri(reverse("invite-accept", args=[token]))
            return _members_page(request, new_invitation=invitation, invite_link=link)
    return _members_page(request, status=400, invite_form=form)


@require_POST
@workspace_view(owner=True)
def invite_revoke(request: WorkspaceRequest, invitation_id: int) -> HttpResponse:
    invitation = get_for_workspace(Invitation, request.workspace, pk=invitation_id)
    try:
        invitations.invitation_revoke(invitation=invitation)
        messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    except invitations.InvitationError as error:
        messages.error(request, str(error))
    return see_other("workspaces:members", workspace_slug=request.workspace.slug)


@require_POST
@workspace_view(owner=True)
def member_role(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    membership = get_for_workspace(
        Membership.objects.select_related("user"), request.workspace, pk=membership_id
    )
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
            who = membership.user.get_full_name() or membership.user.email
            messages.success(request, f"{who} is now {membership.get_role_display().lower()}.")
        except services.TeamError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Choose a role: owner, member or viewer.")
    return see_other("workspaces:members", workspace_slug=request.workspace.slug)


@require_POST
@workspace_view(owner=True)
def member_remove(request: WorkspaceRequest, membership_id: int) -> HttpResponse:
    membership = get_for_workspace(
        Membership.objects.select_related("user"), request.workspace, pk=membership_id
    )
    form = SuccessorForm(request.POST, owners=_owners(request))
    who = membership.user.get_full_name() or membership.user.email
    if not form.is_valid():
        messages.error(request, "Choose the owner who takes over their relationships.")
    else:
        try:
            services.membership_remove(
                membership=membership, successor=form.chosen(), by=request.user
            )
            messages.success(request, f"{who} is no longer a member of {request.workspace}.")
        except services.TeamError as error:
            messages.error(request, str(error))
    return see_other("workspaces:members", workspace_slug=request.workspace.slug)


@workspace_view
def leave(request: WorkspaceRequest) -> HttpResponse:
    """Any member may leave (viewers too); an owner only while another owner stays."""
    owners = [user for user in _owners(request) if user.pk != request.user.pk]
    form = SuccessorForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_leave(membership=request.membership, successor=form.chosen())
        except services.TeamError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"You have left {request.workspace}.")
            return see_other("home")
    return render(request, "workspaces/leave.html", {"form": form, "owners": owners})
