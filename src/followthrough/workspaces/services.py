"""Writes for users, workspaces and memberships: accounts, invitations, roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.text import slugify

from followthrough.workspaces.models import Membership, Role, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

INVITATION_SALT = "followthrough.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def workspace_create(
    *, name: str, owner: User | None, slug: str | None = None, timezone: str = "UTC"
) -> Workspace:
    """Create a workspace with `owner` as its owner (None: no member yet, for scripts that
    fill it before anyone signs in). Its own organization is the directory's to make: see
    `followthrough.site.services.workspace_open`. Raises ValueError for a bad or taken slug."""
    if slug is not None:
        workspace_slug_check(slug)
        if Workspace.objects.filter(slug=slug).exists():
            raise ValueError(f"A workspace “{slug}” already exists: choose another slug.")
    workspace = Workspace.objects.create(
        name=name, slug=slug or _unique_slug(name), timezone=timezone
    )
    if owner is not None:
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


def workspace_slug_check(slug: str) -> None:
    """Raise ValueError, with the reason, unless `slug` is a well-formed workspace slug
    (whether it is taken is the caller's to say)."""
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValueError(
            f"“{slug}” is not a valid slug: use lower-case letters, digits, - and _."
        ) from None
    if slug != slug.lower():
        # The app makes lower-case slugs: "Gala" beside "gala" would be two workspaces
        # whose addresses differ only in case.
        raise ValueError(f"“{slug}” has capitals: slugs are lower case (“{slug.lower()}”).")
    if len(slug) > 60:  # Workspace.slug's max_length
        raise ValueError("A workspace slug has at most 60 characters.")


def user_create(*, email: str, password: str, name: str) -> User:
    """An account whose e-mail (lower-cased) is its login; `name` is split at its first
    space into first and last name."""
    first, _, last = name.strip().partition(" ")
    return get_user_model().objects.create_user(
        username=email.lower(),
        email=email.lower(),
        password=password,
        first_name=first,
        last_name=last,
    )


@dataclass(frozen=True)
class Invitation:
    workspace_id: int
    role: str
    email: str


def invitation_make_token(*, workspace: Workspace, role: str, email: str) -> str:
    """A signed, expiring token for the invite link; nothing is stored until it is used."""
    if role not in Role.values or role == Role.OWNER:
        raise ValueError(f"cannot invite as {role!r}")
    return signing.dumps(
        {"w": workspace.pk, "r": role, "e": email.lower()}, salt=INVITATION_SALT, compress=True
    )


def invitation_read(token: str) -> Invitation:
    """Decode an invitation token; raises `signing.BadSignature` (or its `SignatureExpired`)."""
    data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    return Invitation(workspace_id=data["w"], role=data["r"], email=data["e"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the invited workspace; accepting twice keeps the first membership."""
    workspace = Workspace.objects.get(pk=invitation.workspace_id)
    membership, _ = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; a workspace always keeps at least one owner.

    Two owners demoting each other at once must not both succeed: the workspace row is
    locked first (PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write
    lock), so the second change waits and then counts the owners the first one left.
    """
    list(Workspace.objects.select_for_update().filter(pk=membership.workspace_id))
    current = Membership.objects.get(pk=membership.pk)
    if current.role == Role.OWNER and role != Role.OWNER:
        owners = Membership.objects.filter(workspace=membership.workspace_id, role=Role.OWNER)
        if owners.count() <= 1:
            raise ValueError("A workspace needs at least one owner.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership
