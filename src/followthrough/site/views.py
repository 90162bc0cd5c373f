"""The pages before a workspace: home, sign-up, accepting an invitation, a new workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from followthrough.site.services import user_sign_up, workspace_open
from followthrough.workspaces import services
from followthrough.workspaces.access import memberships_visible
from followthrough.workspaces.forms import SignUpForm, WorkspaceNewForm
from followthrough.workspaces.models import Workspace
from followthrough.workspaces.responses import see_other


def home(request: HttpRequest) -> HttpResponse:
    """Send a member to Today in their first workspace; everyone else to log in."""
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = memberships_visible(request.user).select_related("workspace")
    membership = memberships.order_by("created_at").first()
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
            user = services.user_create(
                email=data["email"], password=data["password"], name=data["name"]
            )
            membership = services.invitation_accept(invitation=invitation, user=user)
            workspace = membership.workspace
        else:
            user, workspace = user_sign_up(
                email=data["email"],
                password=data["password"],
                name=data["name"],
                workspace_name=data["workspace_name"],
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return see_other("agenda:today", workspace_slug=workspace.slug)
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
        return see_other("agenda:today", workspace_slug=workspace.slug)
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
        workspace = workspace_open(name=form.cleaned_data["name"], owner=request.user)
        return see_other("agenda:today", workspace_slug=workspace.slug)
    return render(request, "workspaces/workspace_new.html", {"form": form})
