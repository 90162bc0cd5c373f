"""Invitations to a workspace: one address, one role (member or viewer), one use, 7 days.

The link carries a random token (`secrets.token_urlsafe(32)`); the database keeps only
its SHA-256, so a copy of the table cannot be turned back into working links. Accepting
needs the signed-in (or signing-up) account's e-mail to be the invited address.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from followthrough.workspaces.models import INVITABLE_ROLES, Invitation, Membership, Workspace
from followthrough.workspaces.services import user_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User

INVITATION_DAYS = 7
ASK_AGAIN = "Ask the person who invited you for a new link."


class InvitationError(ValueError):
    """An invitation that cannot be made, or a link that cannot be used; the message says
    why, for the page, and `status` is the HTTP status that page answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitations_pending(*, workspace: Workspace, now: datetime | None = None) -> QuerySet:
    """The workspace's invitations that can still be accepted, newest first, with who sent
    them (one query)."""
    return (
        Invitation.objects.filter(
            workspace=workspace,
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("created_by")
        .order_by("-created_at")
    )


@transaction.atomic
def invitation_create(
    *,
    workspace: Workspace,
    email: str,
    role: str,
    created_by: User | None,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite `email` (lower-cased) as a member or viewer for `INVITATION_DAYS` days: the
    row and the token for the link, which is not stored and cannot be shown again.

    An open invitation of the same address is revoked (the new link replaces it).
    Raises `InvitationError` for an owner role or an address that is a member already.
    """
    if role not in INVITABLE_ROLES:
        raise InvitationError(f"An invitation makes a member or a viewer, not “{role}”.")
    email = email.strip().lower()
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise InvitationError(f"{email} is a member of {workspace.name} already.")
    now = now or timezone.now()
    Invitation.objects.filter(
        workspace=workspace, email=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=token_hash(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    return invitation, token


def invitation_revoke(*, invitation: Invitation, now: datetime | None = None) -> bool:
    """Withdraw an open invitation: its link is refused from now on. False if it was
    withdrawn already; raises `InvitationError` if it was accepted (remove the member
    instead). The caller fetched it scoped to its workspace."""
    if invitation.accepted_at is not None:
        raise InvitationError(
            f"{invitation.email} has accepted this invitation already: remove the member instead."
        )
    return bool(
        Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            revoked_at=now or timezone.now()
        )
    )


def _check(invitation: Invitation | None, email: str | None, now: datetime) -> Invitation:
    if invitation is None or invitation.workspace.restoring:
        raise InvitationError(
            "This invitation link is not known. Check that it was copied whole. " + ASK_AGAIN,
            status=404,
        )
    if invitation.revoked_at is not None:
        raise InvitationError("This invitation was withdrawn. " + ASK_AGAIN, status=410)
    if invitation.accepted_at is not None:
        raise InvitationError(
            "This invitation has been used already: each link lets one person join once. "
            + ASK_AGAIN,
            status=410,
        )
    if invitation.expires_at <= now:
        when = date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
        raise InvitationError(f"This invitation expired on {when}. " + ASK_AGAIN, status=410)
    if email is not None and email.lower() != invitation.email:
        raise InvitationError(
            f"This invitation is for {invitation.email}, and you are signed in as {email}. "
            "Log in with the invited address, or ask for an invitation to yours.",
            status=403,
        )
    return invitation


def invitation_for_token(
    token: str, *, email: str | None = None, now: datetime | None = None
) -> Invitation:
    """The open invitation this link's token stands for (with its workspace and sender).

    With `email` (the signed-in account's), the invitation must be for that address.
    Raises `InvitationError` saying which: unknown (or forged), withdrawn, used, expired,
    or for another address.
    """
    invitation = (
        Invitation.objects.select_related("workspace", "created_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    return _check(invitation, email, now or timezone.now())


@transaction.atomic
def invitation_accept(*, token: str, user: User, now: datetime | None = None) -> Membership:
    """Join the invited workspace with the invited role; the invitation is used up.

    Two accepts of one link at once cannot both succeed: the workspace row is locked
    (PostgreSQL; SQLite's IMMEDIATE transaction holds the write lock), the invitation is
    read again under it, and the claim is a conditional update that only one wins. Someone
    who is a member already keeps their membership and role. Raises `InvitationError`.
    """
    now = now or timezone.now()
    found = invitation_for_token(token, email=user.email, now=now)
    list(Workspace.objects.select_for_update().filter(pk=found.workspace_id))
    invitation = _check(
        Invitation.objects.select_for_update()
        .select_related("workspace")
        .filter(pk=found.pk)
        .first(),
        user.email,
        now,
    )
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None)
    if not claimed.update(accepted_at=now, accepted_by=user):
        raise InvitationError("This invitation has been used already. " + ASK_AGAIN, status=410)
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def invitation_sign_up(*, token: str, name: str, password: str) -> Membership:
    """Create the account of the invited address and accept the invitation with it, in
    one transaction: a link that is refused leaves no account behind. The e-mail is the
    invitation's, never one typed in. Raises `InvitationError`."""
    invitation = invitation_for_token(token)
    user = user_create(email=invitation.email, password=password, name=name)
    return invitation_accept(token=token, user=user)
