"""Writes for users, workspaces and memberships: accounts, roles, leaving and removal.

Invitations are in `workspaces.invitations`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from followthrough.workspaces import hooks
from followthrough.workspaces.models import Invitation, Membership, Role, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class TeamError(ValueError):
    """A change of the team that its rules refuse; the message says why, for the page."""


LAST_OWNER = "A workspace needs at least one owner: make someone else an owner first."


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def workspace_create(
    *, name: str, owner: User | None, slug: str | None = None, timezone: str = ""
) -> Workspace:
    """Create a workspace with `owner` as its owner (None: no member yet, for scripts that
    fill it before anyone signs in). Its own organization is the directory's to make: see
    `followthrough.site.services.workspace_open`. Raises ValueError for a bad or taken slug.
    `timezone`: the zone a person chose; without one the workspace is in UTC until they do."""
    if slug is not None:
        workspace_slug_check(slug)
        if Workspace.objects.filter(slug=slug).exists():
            raise ValueError(f"A workspace “{slug}” already exists: choose another slug.")
    workspace = Workspace.objects.create(
        name=name,
        slug=slug or _unique_slug(name),
        timezone=timezone or "UTC",
        timezone_chosen=bool(timezone),
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


def _lock_workspace(workspace_id: int) -> None:
    """Serialize the team changes of one workspace: the workspace row is locked
    (PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock), so a
    second change waits and then counts the owners the first one left."""
    list(Workspace.objects.select_for_update().filter(pk=workspace_id))


def _owner_count(workspace_id: int) -> int:
    return Membership.objects.filter(workspace=workspace_id, role=Role.OWNER).count()


def _require_owner(workspace_id: int, user: User, message: str) -> None:
    if not Membership.objects.filter(workspace=workspace_id, user=user, role=Role.OWNER).exists():
        raise TeamError(message)


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, by: User | None = None) -> Membership:
    """Change a member's role; a workspace always keeps at least one owner.

    `by` (the owner making the change, when a person makes it) must still be an owner
    once the workspace is locked: an owner removed or demoted a moment ago changes nothing.
    Raises `TeamError`.
    """
    if role not in Role.values:
        raise TeamError(f"“{role}” is not a role.")
    _lock_workspace(membership.workspace_id)
    if by is not None:
        _require_owner(membership.workspace_id, by, "Only the workspace's owners can do this.")
    current = Membership.objects.filter(pk=membership.pk).first()
    if current is None:
        raise TeamError(f"{membership.user.email} is no longer a member.")
    demoting = current.role == Role.OWNER and role != Role.OWNER
    if demoting and _owner_count(membership.workspace_id) <= 1:
        raise TeamError(LAST_OWNER)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def _remove(membership: Membership, successor: User) -> None:
    """Inside the caller's locked transaction: check the owner rules, hand over, delete."""
    current = Membership.objects.select_related("workspace", "user").filter(pk=membership.pk)
    gone = current.first()
    if gone is None:
        raise TeamError(f"{membership.user.email} is no longer a member.")
    if gone.role == Role.OWNER and _owner_count(gone.workspace_id) <= 1:
        raise TeamError(LAST_OWNER)
    if successor.pk == gone.user_id:
        raise TeamError("Choose another owner to take over.")
    _require_owner(
        gone.workspace_id,
        successor,
        f"{successor.email} is not an owner of this workspace: choose an owner to take over.",
    )
    hooks.member_removed(gone.workspace, gone.user, successor)
    # Links they sent and nobody used yet go with them: a departing owner must not leave
    # a way back in (for themselves at another address, or for anyone).
    Invitation.objects.filter(
        workspace=gone.workspace_id, created_by=gone.user_id, accepted_at=None, revoked_at=None
    ).update(revoked_at=timezone.now())
    gone.delete()


@transaction.atomic
def membership_remove(*, membership: Membership, successor: User, by: User) -> None:
    """Remove a member (an owner's act): `successor`, an owner who stays, takes over the
    relationships and open follow-ups they looked after, the rooms above end their
    per-member things here (digest, calendar feed, mailbox, sender profile) through
    `hooks.register_member_removed`, and the invitations they sent that are still open
    are revoked. Their next request to the workspace is a 404.

    The last owner cannot be removed; `by` must still be an owner once the workspace is
    locked (two owners removing each other at once: the second finds itself gone).
    Raises `TeamError`; nothing is changed then.
    """
    _lock_workspace(membership.workspace_id)
    _require_owner(membership.workspace_id, by, "Only the workspace's owners can remove members.")
    if membership.user_id == by.pk:
        raise TeamError("To leave the workspace yourself, use “Leave this workspace”.")
    _remove(membership, successor)


@transaction.atomic
def membership_leave(*, membership: Membership, successor: User) -> None:
    """The member leaves; as with `membership_remove`, `successor` (an owner who stays)
    takes over. The last owner cannot leave. Raises `TeamError`."""
    _lock_workspace(membership.workspace_id)
    _remove(membership, successor)
