"""Reads for outreach: the nudges due (for Today) and a person's outreach (their page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from followthrough.outreach.models import Outreach, OutreachKind, OutreachState
from followthrough.sql import aware, db_datetime, fetch_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.people.models import Person
    from followthrough.workspaces.models import Workspace

OUTREACH_SHOWN = 10


@dataclass(frozen=True, slots=True)
class NudgeRow:
    id: int
    person_id: int
    person_name: str
    kind: str
    sent_at: datetime
    nudge_count: int
    next_nudge_due: datetime
    also: tuple[str, ...] = ()

    @property
    def nudge_number(self) -> int:
        return self.nudge_count + 1

    @property
    def kind_label(self) -> str:
        return OutreachKind(self.kind).label

    @property
    def reason(self) -> str:
        sent = timezone.localtime(self.sent_at)
        return f"no reply since {sent.day} {sent:%b} — nudge #{self.nudge_number}"


# An indexed range scan on (workspace, state, next_nudge_due), like Today's other reads.
NUDGES_SQL = """
    SELECT o.id, o.person_id, p.full_name, o.kind, o.sent_at, o.nudge_count, o.next_nudge_due
    FROM outreach_outreach o
    JOIN people_person p ON p.id = o.person_id AND p.workspace_id = o.workspace_id
    WHERE o.workspace_id = %s AND o.state = %s AND o.next_nudge_due <= %s
      AND (%s IS NULL OR o.by_id = %s)
    ORDER BY o.next_nudge_due, o.id
    LIMIT %s
"""


def nudges_due(
    *, workspace: Workspace, until: datetime, owner: User | None = None, limit: int
) -> list[NudgeRow]:
    """Waiting outreach whose next nudge is due by `until` (optionally only those `owner`
    sent), the longest due first; at most `limit` rows, one query."""
    owner_id = owner.pk if owner is not None else None
    rows = fetch_rows(
        NUDGES_SQL,
        [workspace.pk, OutreachState.WAITING.value, db_datetime(until), owner_id, owner_id, limit],
    )
    return [
        NudgeRow(id, person_id, name, kind, aware(sent), count, aware(due))
        for id, person_id, name, kind, sent, count, due in rows
    ]


@dataclass(frozen=True)
class PersonOutreach:
    rows: list[Outreach]

    @property
    def open(self) -> list[Outreach]:
        return [o for o in self.rows if o.is_open]

    @property
    def waiting(self) -> bool:
        return any(o.state == OutreachState.WAITING for o in self.rows)

    @property
    def quiet(self) -> bool:
        """Quiet: every nudge went unanswered, and nothing newer waits."""
        return not self.waiting and any(o.state == OutreachState.QUIET for o in self.rows)


def person_outreach(*, person: Person) -> PersonOutreach:
    """The person's latest outreach (open ones first, then newest), one query."""
    rows = list(
        Outreach.objects.filter(workspace_id=person.workspace_id, person=person)
        .select_related("by")
        .order_by("-sent_at", "-id")[:OUTREACH_SHOWN]
    )
    rows.sort(key=lambda o: not o.is_open)
    return PersonOutreach(rows)


# The people list's outreach filter: whom we wait on, and who went quiet. A new outreach
# closes a quiet one (`services.outreach_open`), so nobody is both.
OUTREACH_FILTERS = {
    OutreachState.WAITING.value: "Waiting for a reply",
    OutreachState.QUIET.value: "Quiet",
}


def people_in_outreach_state(*, workspace: Workspace, state: str) -> QuerySet:
    """The ids of the workspace's people with outreach in `state`, as a subquery."""
    return (
        Outreach.objects.filter(workspace_id=workspace.pk, state=state)
        .values("person_id")
        .distinct()
    )


def outreach_labels(*, workspace: Workspace, person_ids: list[int]) -> dict[int, str]:
    """{person id: "Waiting for a reply" or "Quiet"} for those of these people who are."""
    rows = Outreach.objects.filter(
        workspace_id=workspace.pk, person_id__in=person_ids, state__in=list(OUTREACH_FILTERS)
    ).values_list("person_id", "state")
    return {person_id: OUTREACH_FILTERS[state] for person_id, state in rows}
