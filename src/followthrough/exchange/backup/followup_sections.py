"""The follow-up rooms' backup sections, written and restored: outreach (its nudges
included) and the members' weekly digest preferences. Calendar feeds are left out
(`sections.LEFT_OUT`: their tokens are secrets).

Kept apart from `writer` and `restorer`, as `mail_sections` and `sequence_items` are, so
those stay about the core sections; each function takes the writer's or restorer's state
it needs (how it names users and people, how it writes a moment)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from followthrough.exchange.backup.restore_values import check_row
from followthrough.exchange.backup.restore_values import moment as read_moment
from followthrough.outreach.models import Outreach
from followthrough.reminders.models import DigestSubscription
from followthrough.workspaces.models import Workspace

OUTREACH_FIELDS = ("kind", "sent_at", "summary", "state", "replied_at", "nudge_count",
                   "last_nudged_at", "next_nudge_due", "created_at")  # fmt: skip
OUTREACH_MOMENTS = ("sent_at", "replied_at", "last_nudged_at", "next_nudge_due", "created_at")
DIGEST_FIELDS = ("user_id", "enabled", "weekday", "hour", "last_sent_at", "created_at")

UserEmail = Callable[[int | None], str | None]
Moment = Callable[[datetime | None], str | None]


# Writing


def digest_items(scoped: Callable, user: UserEmail, moment: Moment) -> Iterator[dict[str, Any]]:
    """Members' weekly digest preferences (their calendar feeds are secrets: left out)."""
    for row in scoped(DigestSubscription).values(*DIGEST_FIELDS):
        if email := user(row["user_id"]):
            yield {"user": email, "enabled": row["enabled"], "weekday": row["weekday"],
                   "hour": row["hour"], "last_sent_at": moment(row["last_sent_at"]),
                   "created_at": moment(row["created_at"])}  # fmt: skip


def outreach_items(
    values: Callable, person_of: Callable[[int], int | None], user: UserEmail, moment: Moment
) -> Iterator[dict[str, Any]]:
    """Outreach and its nudges; the interaction it was logged as is not linked (the
    backup's interactions carry no id), its kind and time say which it was."""
    for row in values(Outreach, "person_id", "by_id", *OUTREACH_FIELDS):
        if person := person_of(row["person_id"]):
            item = {"person": person, "by": user(row["by_id"])}
            for name in OUTREACH_FIELDS:
                value = row[name]
                item[name] = moment(value) if isinstance(value, datetime) else value
            yield item


# Restoring


def digest_row(workspace: Workspace, user: Callable, item: dict) -> DigestSubscription:
    row = DigestSubscription(
        workspace=workspace, user=user(item["user"], "user"), enabled=item["enabled"],
        weekday=item["weekday"], hour=item["hour"],
        last_sent_at=read_moment(item, "last_sent_at"),
        created_at=read_moment(item, "created_at"),
    )  # fmt: skip
    check_row(row)  # weekday and hour: the fields' choices
    # Two accounts whose e-mails differ only in case map to one account: one digest.
    if not DigestSubscription.objects.filter(workspace=workspace, user=row.user).exists():
        row.save()
    return row


def outreach_row(
    workspace: Workspace, user: Callable, person_of: Callable[..., int], item: dict
) -> Outreach:
    return Outreach(
        workspace=workspace,
        person_id=person_of(item["person"], "person"),
        by=user(item["by"], "by"),
        kind=item["kind"],
        state=item["state"],
        summary=item["summary"],
        nudge_count=item["nudge_count"],
        **{name: read_moment(item, name) for name in OUTREACH_MOMENTS},
    )
