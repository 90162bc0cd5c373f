"""Sign-up: an account, and a workspace opened with its own organization's profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from followthrough.people.services import organization_create
from followthrough.workspaces.models import Workspace
from followthrough.workspaces.services import user_create, workspace_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def workspace_open(
    *, name: str, owner: User, slug: str | None = None, timezone: str = "UTC"
) -> Workspace:
    """A new workspace owned by `owner`, with its own organization in the directory (named
    like the workspace), whose mission, offers and needs the matching reads."""
    workspace = workspace_create(name=name, owner=owner, slug=slug, timezone=timezone)
    workspace.organization = organization_create(workspace=workspace, name=name)
    workspace.save(update_fields=["organization"])
    return workspace


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, name: str, workspace_name: str
) -> tuple[User, Workspace]:
    """Create an account (its e-mail is its login) and the workspace it owns."""
    user = user_create(email=email, password=password, name=name)
    return user, workspace_open(name=workspace_name, owner=user)
