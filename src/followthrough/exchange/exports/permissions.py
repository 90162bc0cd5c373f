"""Who may take a workspace's data out: every export and backup URL asks here.

Owners always may; members only when the workspace's `export_role` is "Owners and
members"; viewers never (they may read the pages, not carry the data away). The rule is
read at each request, so an owner who narrows it closes downloads already prepared too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase

from followthrough.workspaces.access import WorkspaceRequest, workspace_view
from followthrough.workspaces.models import ExportRole, Membership, Role

VIEWERS_REFUSED = "Viewers cannot download the workspace's data (exports and backups)."
OWNERS_ONLY = "In this workspace only owners may download exports and backups."


def export_refusal(membership: Membership) -> str | None:
    """Why this member may not download exports or backups, or None when they may."""
    if membership.role == Role.OWNER:
        return None
    if membership.role == Role.MEMBER:
        return None if membership.workspace.export_role == ExportRole.MEMBER else OWNERS_ONLY
    return VIEWERS_REFUSED


def may_export(membership: Membership) -> bool:
    return export_refusal(membership) is None


def export_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """`workspace_view` for a download of the workspace's data: a member the workspace's
    export rule leaves out gets 403 with the reason (strangers still get 404)."""

    @workspace_view
    @wraps(view)
    def wrapper(request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        refusal = export_refusal(request.membership)
        if refusal is not None:
            raise PermissionDenied(refusal)
        return view(request, *args, **kwargs)

    return wrapper
