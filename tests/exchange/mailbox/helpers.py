"""Shared helpers of the mailbox import tests: messages built by hand, row counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthrough.exchange.formats.mail.headers import normalize
from followthrough.exchange.formats.mail.record import Address, MessageRecord
from followthrough.exchange.models import ImportedObject
from followthrough.outreach.models import Outreach
from followthrough.relationships.models import FollowUp, Interaction, Relationship

DATA = Path(__file__).parent.parent / "data" / "mailbox"
_index = iter(range(1, 1_000_000))


def address(spec: str, name: str = "") -> Address:
    return Address(spec, name, normalize(spec))


def message(
    sender: str,
    *to: str,
    message_id: str = "",
    when: datetime | None = None,
    subject: str = "Hello",
    cc: tuple[str, ...] = (),
    **kwargs: Any,
) -> MessageRecord:
    number = next(_index)
    return MessageRecord(
        index=number,
        line=number * 10,
        offset=0,
        message_id=message_id or f"m{number}@test.example",
        sender=address(sender),
        to=tuple(address(a) for a in to),
        cc=tuple(address(a) for a in cc),
        date=when or datetime(2025, 3, 3, 9, tzinfo=UTC),
        subject=subject,
        **kwargs,
    )


def day(number: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, number, hour, tzinfo=UTC)


def row_counts() -> dict[str, int]:
    """Rows of every table a mail import writes to, for before/after comparisons."""
    return {
        "interactions": Interaction.objects.count(),
        "outreach": Outreach.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "provenance": ImportedObject.objects.count(),
    }


def relationship_state() -> list[tuple]:
    return sorted(
        Relationship.objects.values_list(
            "person_id", "stage", "last_interaction_at", "next_touch_due"
        )
    )


def outreach_state() -> list[tuple]:
    return sorted(
        Outreach.objects.values_list("id", "person_id", "state", "replied_at", "nudge_count")
    )
