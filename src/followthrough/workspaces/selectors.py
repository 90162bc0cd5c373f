"""Reads for the team page: a workspace's members and its owners."""

from __future__ import annotations

from typing import TYPE_CHECKING

from followthrough.workspaces.models import Membership, Role, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def team_memberships(*, workspace: Workspace) -> list[Membership]:
    """The workspace's memberships with their users, oldest first (one query)."""
    return list(
        Membership.objects.filter(workspace=workspace).select_related("user").order_by("created_at")
    )


def owners_among(memberships: list[Membership]) -> list[User]:
    """The owners of a list of memberships, in its order (no query)."""
    return [m.user for m in memberships if m.role == Role.OWNER]
