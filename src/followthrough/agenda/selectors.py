"""Today: one calm, prioritized list of what needs doing — read-only queries.

Every query here is an indexed range scan with a small LIMIT, and rows are read as plain
values rather than model instances: the page's cost does not grow with the size of the
directory, and stays small at 100,000 people.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from followthrough.events.models import Event
from followthrough.relationships.models import (
    BUDDING_STAGES,
    FollowUp,
    FollowUpStatus,
    Relationship,
    Stage,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace

ESTABLISHED_STAGES = (Stage.MET_ONE_TO_ONE, Stage.ONGOING, Stage.PARTNER)
UPCOMING_DAYS = 14
# A calm page: a few rows per section, with a "more" link where there are more.
LIST_LIMIT = 10
SHORT_LIMIT = 5


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    id: int
    person_id: int
    person_name: str
    title: str
    due_at: datetime
    snooze_count: int
    event_id: int | None
    event_title: str | None


@dataclass(frozen=True, slots=True)
class SlippingRow:
    person_id: int
    person_name: str
    stage: int
    last_interaction_at: datetime | None
    next_touch_due: datetime
    owner_name: str

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    title: str
    starts_at: datetime
    location: str


@dataclass
class Today:
    now: datetime
    follow_ups_due: list[FollowUpRow] = field(default_factory=list)
    more_follow_ups: bool = False
    slipping: list[SlippingRow] = field(default_factory=list)
    more_slipping: bool = False
    focus_waiting: list[FollowUpRow] = field(default_factory=list)
    upcoming_events: list[EventRow] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.follow_ups_due or self.slipping or self.focus_waiting or self.upcoming_events
        )


FOLLOW_UP_COLUMNS = (
    "id", "person_id", "person__full_name", "title", "due_at", "snooze_count", "event_id",
    "event__title",
)  # fmt: skip
SLIPPING_COLUMNS = (
    "person_id", "person__full_name", "stage", "last_interaction_at", "next_touch_due",
    "owner__first_name", "owner__last_name", "owner__email",
)  # fmt: skip


def _end_of_local_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def _slipping_row(values: tuple) -> SlippingRow:
    person_id, name, stage, last, due, first, last_name, email = values
    owner = f"{first} {last_name}".strip() or (email or "")
    return SlippingRow(person_id, name, stage, last, due, owner)


def _slipping_in(
    workspace: Workspace, stages: tuple[int, ...], now: datetime, owner: User | None, limit: int
) -> list[SlippingRow]:
    """Relationships of these stages whose next touch is overdue, oldest first.

    One query per stage keeps each an index range scan on (workspace, stage, due); the
    per-stage lists come sorted, so merging them is cheap.
    """
    if limit <= 0:
        return []
    per_stage = []
    for stage in stages:
        queryset = Relationship.objects.filter(
            workspace=workspace, stage=stage, next_touch_due__lt=now
        )
        if owner is not None:
            queryset = queryset.filter(owner=owner)
        rows = queryset.order_by("next_touch_due").values_list(*SLIPPING_COLUMNS)[:limit]
        per_stage.append([_slipping_row(row) for row in rows])
    return list(heapq.merge(*per_stage, key=lambda r: r.next_touch_due))[:limit]


def _follow_up_rows(queryset, limit: int) -> list[FollowUpRow]:
    return [FollowUpRow(*row) for row in queryset.values_list(*FOLLOW_UP_COLUMNS)[:limit]]


def today_items(
    *,
    workspace: Workspace,
    now: datetime | None = None,
    owner: User | None = None,
    limit: int = LIST_LIMIT,
) -> Today:
    """What needs doing today in a workspace (optionally only `owner`'s part of it).

    - follow-ups open and due by the end of the local day, oldest first;
    - relationships slipping (next touch due has passed): budding ones (Met, Followed up)
      first, then established ones, each group oldest first;
    - focus people picked at events whose follow-up is still ahead (not yet followed up);
    - events in the next two weeks.
    Each list holds at most `limit` rows (focus and events fewer); `more_*` tells whether
    more are waiting. Cost: at most 9 indexed queries, whatever the workspace's size.
    """
    now = now or timezone.now()
    today = Today(now=now)
    horizon = _end_of_local_day(now)
    open_follow_ups = FollowUp.objects.filter(workspace=workspace, status=FollowUpStatus.OPEN)
    if owner is not None:
        open_follow_ups = open_follow_ups.filter(assigned_to=owner)
    open_follow_ups = open_follow_ups.order_by("due_at", "id")
    due = _follow_up_rows(open_follow_ups.filter(due_at__lte=horizon), limit + 1)
    today.follow_ups_due, today.more_follow_ups = due[:limit], len(due) > limit
    today.focus_waiting = _follow_up_rows(
        open_follow_ups.filter(due_at__gt=horizon, focus_pick__isnull=False), SHORT_LIMIT
    )
    budding = _slipping_in(workspace, BUDDING_STAGES, now, owner, limit + 1)
    established = _slipping_in(workspace, ESTABLISHED_STAGES, now, owner, limit + 1 - len(budding))
    slipping = budding + established
    today.slipping, today.more_slipping = slipping[:limit], len(slipping) > limit
    today.upcoming_events = [
        EventRow(*row)
        for row in Event.objects.filter(
            workspace=workspace,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
        )
        .order_by("starts_at")
        .values_list("id", "title", "starts_at", "location")[:SHORT_LIMIT]
    ]
    return today
