"""Invitations: one address, one role, one use, seven days, revocable (issue 12: one
member link gave three accounts membership; a viewer link signed up another address)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followthrough.workspaces.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    token_hash,
)
from followthrough.workspaces.models import Invitation, Membership, Role
from tests.factories import PASSWORD, make_user

SIGNUP = {"name": "Nia Park", "password": "a long pass phrase for nia"}


def _invite(workspace, owner, email="nia@example.org", role=Role.MEMBER):
    return invitation_create(workspace=workspace, email=email, role=role, created_by=owner)


def _signup(client, token, **data):
    return client.post(reverse("signup") + f"?invite={token}", {**SIGNUP, **data})


def test_it_keeps_only_the_tokens_hash(workspace, owner):
    invitation, token = _invite(workspace, owner, email="Nia@Example.ORG")
    assert invitation.email == "nia@example.org"
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert len(token) >= 43  # token_urlsafe(32)
    assert invitation.expires_at == invitation.created_at + timedelta(days=7)


def test_signing_up_from_a_link_joins_with_the_invited_role(client, workspace, owner):
    _, token = _invite(workspace, owner, role=Role.VIEWER)
    response = _signup(client, token, email="nia@example.org")
    assert response["Location"] == reverse("agenda:today", args=[workspace.slug])
    membership = Membership.objects.get(workspace=workspace, user__email="nia@example.org")
    assert membership.role == Role.VIEWER
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == membership.user and invitation.accepted_at


def test_the_signup_form_fixes_the_email_to_the_invited_address(client, workspace, owner):
    _, token = _invite(workspace, owner, role=Role.VIEWER)
    page = client.get(reverse("signup") + f"?invite={token}").content.decode()
    assert re.search(r'<input[^>]*value="nia@example.org"[^>]*disabled', page)
    _signup(client, token, email="mallory@example.org")  # a posted address is ignored
    assert not Membership.objects.filter(user__email="mallory@example.org").exists()
    assert Membership.objects.get(user__email="nia@example.org").role == Role.VIEWER


def test_a_used_link_is_refused(client, workspace, owner):
    _, token = _invite(workspace, owner)
    _signup(client, token)
    second = Client()
    response = _signup(second, token, email="eve@example.org")
    assert response.status_code == 410
    assert "used already" in response.content.decode()
    eve = make_user("eve@example.org")
    second.force_login(eve)
    assert second.post(reverse("invite-accept", args=[token])).status_code == 410
    assert Membership.objects.filter(workspace=workspace).count() == 2  # owner and Nia


def test_another_signed_in_address_is_refused(client, workspace, owner):
    _, token = _invite(workspace, owner)
    client.force_login(make_user("eve@example.org"))
    for response in (
        client.get(reverse("invite-accept", args=[token])),
        client.post(reverse("invite-accept", args=[token])),
    ):
        assert response.status_code == 403
        assert "This invitation is for nia@example.org" in response.content.decode()
    assert not Membership.objects.filter(user__email="eve@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


def test_the_invited_address_accepts_in_any_case(client, workspace, owner):
    _, token = _invite(workspace, owner)
    nia = make_user("NIA@example.org")  # an account from before lower-casing
    client.force_login(nia)
    response = client.post(reverse("invite-accept", args=[token]))
    assert response.status_code == 303
    assert Membership.objects.filter(workspace=workspace, user=nia, role=Role.MEMBER).exists()


def test_a_revoked_link_is_refused(client, workspace, owner):
    invitation, token = _invite(workspace, owner)
    assert invitation_revoke(invitation=invitation)
    response = client.get(reverse("invite-accept", args=[token]))
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    response = _signup(client, token)
    assert response.status_code == 410
    assert not Membership.objects.filter(user__email="nia@example.org").exists()


def test_an_expired_link_is_refused(client, workspace, owner):
    _, token = _invite(workspace, owner)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _signup(client, token)
        assert response.status_code == 410 and "expired on" in response.content.decode()
        with pytest.raises(InvitationError, match="expired"):
            invitation_accept(token=token, user=make_user("nia@example.org"))
    assert not Membership.objects.filter(user__email="nia@example.org").exists()


def test_a_link_still_works_on_its_last_day(client, workspace, owner):
    _, token = _invite(workspace, owner)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert _signup(client, token).status_code == 303


@pytest.mark.parametrize("token", ["forged-token", "x" * 43, ""])
def test_an_unknown_or_forged_token_is_refused(client, workspace, owner, token):
    _invite(workspace, owner)
    with pytest.raises(InvitationError, match="not known"):
        invitation_for_token(token)
    if token:
        response = client.get(reverse("invite-accept", args=[token]))
        assert response.status_code == 404 and "not known" in response.content.decode()
        assert _signup(client, token).status_code == 404
    assert not Membership.objects.filter(user__email="nia@example.org").exists()


def test_a_refused_signup_leaves_no_account(client, workspace, owner, django_user_model):
    invitation, token = _invite(workspace, owner)
    form = client.get(reverse("signup") + f"?invite={token}")
    assert form.status_code == 200
    invitation_revoke(invitation=invitation)  # withdrawn while the form was open
    assert _signup(client, token).status_code == 410
    assert not django_user_model.objects.filter(email="nia@example.org").exists()


def test_inviting_again_replaces_the_open_invitation(client, workspace, owner):
    first, old_token = _invite(workspace, owner, role=Role.MEMBER)
    second, new_token = _invite(workspace, owner, email="NIA@example.org", role=Role.VIEWER)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert client.get(reverse("invite-accept", args=[old_token])).status_code == 410
    _signup(client, new_token)
    assert Membership.objects.get(user__email="nia@example.org").role == Role.VIEWER


def test_a_member_cannot_be_invited_again(workspace, owner, teammate):
    with pytest.raises(InvitationError, match=r"bob@example\.org is a member"):
        _invite(workspace, owner, email="BOB@example.org")
    assert not Invitation.objects.exists()


def test_no_link_makes_an_owner(workspace, owner):
    with pytest.raises(InvitationError, match="not “owner”"):
        _invite(workspace, owner, role=Role.OWNER)


def test_an_accepted_invitation_cannot_be_revoked(workspace, owner):
    invitation, token = _invite(workspace, owner)
    invitation_accept(token=token, user=make_user("nia@example.org"))
    invitation.refresh_from_db()
    with pytest.raises(InvitationError, match="remove the member instead"):
        invitation_revoke(invitation=invitation)


def test_logging_in_from_the_link_then_joining(client, workspace, owner):
    _, token = _invite(workspace, owner)
    make_user("nia@example.org")
    url = reverse("invite-accept", args=[token])
    page = client.get(url).content.decode()
    assert "log in as nia@example.org" in page
    response = client.post(
        reverse("login") + f"?next={url}",
        {"username": "nia@example.org", "password": PASSWORD, "next": url},
    )
    assert response["Location"] == url
    assert client.post(url)["Location"] == reverse("agenda:today", args=[workspace.slug])
