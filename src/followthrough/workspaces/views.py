from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.workspaces import services
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.forms import (
    InviteForm,
    RoleForm,
    SignUpForm,
    WorkspaceNewForm,
    WorkspaceSettingsForm,
)
from followthrough.workspaces.models import Membership, Workspace


def home(request: HttpRequest) -> HttpResponse:
    """Send a member to Today in their first workspace; everyone else to log in."""
    if not request.user.is_authenticated:
        return redirect("login")
    membership = request.user.memberships.select_related("workspace").order_by("created_at").first()
    if membership is None:
        return redirect("workspace-new")
    return redirect("agenda:today", workspace_slug=membership.workspace.slug)


def signup(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("invite", "")
    invitation = _read_invitation(token) if token else None
    form = SignUpForm(
        request.POST or None,
        invited=invitation is not None,
        initial={"email": invitation.email} if invitation else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if invitation:
            from django.contrib.auth import get_user_model

            first, _, last = data["name"].partition(" ")
            user = get_user_model().objects.create_user(
                username=data["email"],
                email=data["email"],
                password=data["password"],
                first_name=first,
                last_name=last,
            )
            membership = services.invitation_accept(invitation=invitation, user=user)
            workspace = membership.workspace
        else:
            user, workspace = services.user_sign_up(
                email=data["email"],
                password=data["password"],
                name=data["name"],
                workspace_name=data["workspace_name"],
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("agenda:today", workspace_slug=workspace.slug)
    return render(request, "workspaces/signup.html", {"form": form, "invitation": invitation})


def _read_invitation(token: str) -> services.Invitation | None:
    try:
        invitation = services.invitation_read(token)
    except signing.BadSignature:
        return None
    if not Workspace.objects.filter(pk=invitation.workspace_id).exists():
        return None
    return invitation


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _read_invitation(token)
    if invitation is None:
        return render(request, "workspaces/invite_invalid.html", status=404)
    workspace = Workspace.objects.get(pk=invitation.workspace_id)
    if not request.user.is_authenticated:
        return render(
            request,
            "workspaces/invite.html",
            {"workspace": workspace, "token": token, "invitation": invitation},
        )
    if request.method == "POST":
        services.invitation_accept(invitation=invitation, user=request.user)
        messages.success(request, f"Welcome to {workspace.name}.")
        return redirect("agenda:today", workspace_slug=workspace.slug)
    return render(
        request,
        "workspaces/invite.html",
        {"workspace": workspace, "token": token, "invitation": invitation},
    )


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)  # login_required
        workspace = services.workspace_create(name=form.cleaned_data["name"], owner=request.user)
        return redirect("agenda:today", workspace_slug=workspace.slug)
    return render(request, "workspaces/workspace_new.html", {"form": form})


@workspace_view(owner=True)
def settings_edit(request: WorkspaceRequest) -> HttpResponse:
    form = WorkspaceSettingsForm(request.POST or None, instance=request.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("workspaces:settings", workspace_slug=request.workspace.slug)
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
    return redirect("workspaces:members", workspace_slug=request.workspace.slug)
