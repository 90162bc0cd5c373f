"""The pages before a workspace: home, sign-up, accepting an invitation, a new workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from followthrough.site.services import user_sign_up, workspace_open
from followthrough.workspaces import invitations
from followthrough.workspaces.access import memberships_visible
from followthrough.workspaces.forms import SignUpForm, WorkspaceNewForm
from followthrough.workspaces.invitations import InvitationError
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
    if token:
        return _signup_invited(request, token)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, workspace = user_sign_up(
            email=data["email"],
            password=data["password"],
            name=data["name"],
            workspace_name=data["workspace_name"],
            timezone=data["timezone"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return see_other("agenda:today", workspace_slug=workspace.slug)
    return render(request, "workspaces/signup.html", {"form": form})


def _invalid(request: HttpRequest, error: InvitationError) -> HttpResponse:
    return render(
        request, "workspaces/invite_invalid.html", {"reason": str(error)}, status=error.status
    )


def _signup_invited(request: HttpRequest, token: str) -> HttpResponse:
    """Sign up from an invitation: the account is the invited address's (the e-mail field
    is fixed to it), made and joined in one step."""
    try:
        invitation = invitations.invitation_for_token(token)
    except InvitationError as error:
        return _invalid(request, error)
    form = SignUpForm(request.POST or None, invited_email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitations.invitation_sign_up(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except InvitationError as error:
            return _invalid(request, error)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {membership.workspace.name}.")
        return see_other("agenda:today", workspace_slug=membership.workspace.slug)
    return render(request, "workspaces/signup.html", {"form": form, "invitation": invitation})


def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: who is signed in must be the invited address; anyone else
    is offered to sign up (as that address) or log in."""
    email = request.user.email if request.user.is_authenticated else None
    try:
        invitation = invitations.invitation_for_token(token, email=email)
        if request.method == "POST" and request.user.is_authenticated:
            assert isinstance(request.user, User)
            invitations.invitation_accept(token=token, user=request.user)
            messages.success(request, f"Welcome to {invitation.workspace.name}.")
            return see_other("agenda:today", workspace_slug=invitation.workspace.slug)
    except InvitationError as error:
        return _invalid(request, error)
    return render(request, "workspaces/invite.html", {"invitation": invitation, "token": token})


@login_required
def workspace_new(request: HttpRequest) -> HttpResponse:
    form = WorkspaceNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)  # login_required
        workspace = workspace_open(
            name=form.cleaned_data["name"],
            owner=request.user,
            timezone=form.cleaned_data["timezone"],
        )
        return see_other("agenda:today", workspace_slug=workspace.slug)
    return render(request, "workspaces/workspace_new.html", {"form": form})
