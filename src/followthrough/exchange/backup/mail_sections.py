"""The mail room's backup sections, written and restored: the SMTP settings WITHOUT the
password (a backup is a file people pass around; the password is entered again after a
restore), the members' sender profiles, the templates, and the meetings. Outgoing
messages are left out (`sections.LEFT_OUT`): what was sent is on the timelines.

Kept apart from `writer` and `restorer` so those stay about the core sections; each
function takes the writer's or restorer's state it needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from followthrough.mail.models import (
    EmailTemplate,
    MailSettings,
    Meeting,
    Purpose,
    Security,
    SenderProfile,
)
from followthrough.workspaces.models import Workspace

SETTINGS_FIELDS = ("host", "port", "security", "username", "from_address", "from_name", "timeout")
TEMPLATE_FIELDS = ("key", "name", "purpose", "subject", "body")


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _scoped(model: Any, workspace: Workspace) -> QuerySet:
    return model._default_manager.filter(workspace=workspace).order_by("pk")


# Writing


def mail_settings_items(workspace: Workspace) -> Iterator[dict[str, Any]]:
    for row in _scoped(MailSettings, workspace).values(*SETTINGS_FIELDS):
        yield dict(row)  # the password is not among the fields read


def sender_profile_items(
    workspace: Workspace, user: Callable[[int | None], str | None]
) -> Iterator[dict[str, Any]]:
    for row in _scoped(SenderProfile, workspace).values("user_id", "display_name", "signature"):
        if email := user(row["user_id"]):
            yield {"user": email, "display_name": row["display_name"],
                   "signature": row["signature"]}  # fmt: skip


def email_template_items(workspace: Workspace) -> Iterator[dict[str, Any]]:
    for row in _scoped(EmailTemplate, workspace).values(*TEMPLATE_FIELDS):
        yield dict(row)


def meeting_items(
    workspace: Workspace,
    person: Callable[[int | None], int | None],
    user: Callable[[int | None], str | None],
) -> Iterator[dict[str, Any]]:
    rows = _scoped(Meeting, workspace).values(
        "person_id", "starts_at", "ends_at", "place", "created_by_id", "created_at"
    )
    for row in rows:
        if local := person(row["person_id"]):
            yield {
                "person": local,
                "starts_at": _utc(row["starts_at"]),
                "ends_at": _utc(row["ends_at"]),
                "place": row["place"],
                "created_by": user(row["created_by_id"]),
                "created_at": _utc(row["created_at"]),
            }


# Restoring: each returns the row for one backup item (`ValueError`/`KeyError` when the
# item is not one of ours; the restorer reports it with its section and position).


def mail_settings_row(workspace: Workspace, item: dict) -> MailSettings:
    if item["security"] not in Security.values:
        raise ValidationError({"security": f"is not one of {', '.join(Security.values)}"})
    return MailSettings(workspace=workspace, **{name: item[name] for name in SETTINGS_FIELDS})


def sender_profile_row(workspace: Workspace, item: dict, user: Any) -> SenderProfile:
    return SenderProfile(
        workspace=workspace,
        user=user(item["user"], "user"),
        display_name=item["display_name"],
        signature=item["signature"],
    )


def email_template_row(workspace: Workspace, item: dict) -> EmailTemplate:
    if item["purpose"] not in Purpose.values:
        raise ValidationError({"purpose": f"is not one of {', '.join(Purpose.values)}"})
    return EmailTemplate(workspace=workspace, **{name: item[name] for name in TEMPLATE_FIELDS})


def meeting_row(
    workspace: Workspace, item: dict, person_id: int, user: Any, parse: Callable[[Any], Any]
) -> Meeting:
    return Meeting(
        workspace=workspace,
        person_id=person_id,
        starts_at=parse(item["starts_at"]),
        ends_at=parse(item["ends_at"]),
        place=item["place"],
        created_by=user(item["created_by"], "created_by"),
        created_at=parse(item["created_at"]),
    )
