"""Sign-up: an account, and a workspace opened with its own organization's profile, which
scripts can also set (`own_profile_set`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from followthrough.people.models import Organization
from followthrough.people.services import organization_create, organization_update
from followthrough.workspaces.models import Workspace
from followthrough.workspaces.services import user_create, workspace_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def workspace_open(
    *, name: str, owner: User | None, slug: str | None = None, timezone: str = ""
) -> Workspace:
    """A new workspace owned by `owner`, with its own organization in the directory (named
    like the workspace), whose mission, offers and needs the matching reads."""
    workspace = workspace_create(name=name, owner=owner, slug=slug, timezone=timezone)
    workspace.organization = organization_create(workspace=workspace, name=name)
    workspace.save(update_fields=["organization"])
    return workspace


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, name: str, workspace_name: str, timezone: str = ""
) -> tuple[User, Workspace]:
    """Create an account (its e-mail is its login) and the workspace it owns, in the
    time zone they chose."""
    user = user_create(email=email, password=password, name=name)
    return user, workspace_open(name=workspace_name, owner=user, timezone=timezone)


PROFILE_KEYS = ("name", "mission", "focus_areas", "offers", "needs", "city")
TAG_MAX = 60  # Tag.name


def _text_list(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"“{key}” must be a list of texts (or, for offers and needs, a text).")
    return [item.strip() for item in value if item.strip()]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be a text.")
    return value.strip()


@transaction.atomic
def own_profile_set(*, workspace: Workspace, data: Mapping[str, Any]) -> Organization:
    """Set our own organization's profile from a mapping with `PROFILE_KEYS` (every key
    optional; one missing leaves that part as it is). `focus_areas` is a list; `offers`
    and `needs` a list or a text (one offer or need a line). Creates the own organization
    when the workspace has none. Raises ValueError naming the key that is wrong; nothing
    is written then."""
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise ValueError(
            f"Unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
            f"a profile has {', '.join(PROFILE_KEYS)}."
        )
    fields: dict[str, Any] = {}
    for key, field in (("mission", "mission"), ("city", "location")):
        if key in data:
            fields[field] = _text(data, key)
    for key in ("offers", "needs"):
        if key in data:
            fields[key] = "\n".join(_text_list(data, key))
    focus_areas = _text_list(data, "focus_areas") if "focus_areas" in data else None
    name = _text(data, "name") if "name" in data else ""
    if name:
        fields["name"] = name
    for field, value in fields.items():
        limit = getattr(Organization._meta.get_field(field), "max_length", None)
        if limit is not None and len(value) > limit:
            key = "city" if field == "location" else field
            raise ValueError(f"“{key}” is longer than {limit} characters.")
    for area in focus_areas or ():
        if len(area) > TAG_MAX:
            raise ValueError(f"The focus area “{area[:40]}…” is longer than {TAG_MAX} characters.")
    own = workspace.organization
    if own is None:
        own = organization_create(workspace=workspace, name=name or workspace.name)
        workspace.organization = own
        workspace.save(update_fields=["organization"])
    return organization_update(organization=own, focus_areas=focus_areas, **fields)
