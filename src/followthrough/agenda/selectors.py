"""Today: one calm, prioritized list of what needs doing — read-only queries.

Every query here is an indexed range scan with a LIMIT: the page's cost does not grow
with the size of the directory.
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
LIST_LIMIT = 25


@dataclass
class Today:
    now: datetime
    follow_ups_due: list[FollowUp] = field(default_factory=list)
    slipping: list[Relationship] = field(default_factory=list)
    focus_waiting: list[FollowUp] = field(default_factory=list)
    upcoming_events: list[Event] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.follow_ups_due or self.slipping or self.focus_waiting or self.upcoming_events
        )


def _end_of_local_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def _slipping_in(
    workspace: Workspace, stages: tuple[int, ...], now: datetime, owner: User | None, limit: int
) -> list[Relationship]:
    """Relationships of these stages whose next touch is overdue, oldest first.

    One query per stage keeps each an index range scan on (workspace, stage, due);
    the per-stage lists are already sorted, so merging them is cheap.
    """
    per_stage = []
    for stage in stages:
        queryset = Relationship.objects.filter(
            workspace=workspace, stage=stage, next_touch_due__lt=now
        )
        if owner is not None:
            queryset = queryset.filter(owner=owner)
        per_stage.append(
            list(
                queryset.select_related("person", "owner", "organization").order_by(
                    "next_touch_due"
                )[:limit]
            )
        )
    merged = heapq.merge(*per_stage, key=lambda r: r.next_touch_due)
    return list(merged)[:limit]


def today_items(
    *,
    workspace: Workspace,
    now: datetime | None = None,
    owner: User | None = None,
    limit: int = LIST_LIMIT,
) -> Today:
    """What needs doing today in a workspace (optionally only `owner`'s relationships).

    - follow-ups open and due by the end of the local day, oldest first;
    - relationships slipping (next touch due has passed): budding ones (Met, Followed up)
      first, then established ones, each group oldest first;
    - focus people picked at events whose follow-up is still ahead (not yet followed up);
    - events in the next two weeks.
    """
    now = now or timezone.now()
    today = Today(now=now)
    horizon = _end_of_local_day(now)
    open_follow_ups = FollowUp.objects.filter(workspace=workspace, status=FollowUpStatus.OPEN)
    if owner is not None:
        open_follow_ups = open_follow_ups.filter(assigned_to=owner)
    open_follow_ups = open_follow_ups.select_related("person", "event").order_by("due_at")
    today.follow_ups_due = list(open_follow_ups.filter(due_at__lte=horizon)[:limit])
    today.focus_waiting = list(
        open_follow_ups.filter(due_at__gt=horizon, focus_pick__isnull=False)[:limit]
    )
    budding = _slipping_in(workspace, BUDDING_STAGES, now, owner, limit)
    established = _slipping_in(workspace, ESTABLISHED_STAGES, now, owner, limit - len(budding))
    today.slipping = budding + established
    today.upcoming_events = list(
        Event.objects.filter(
            workspace=workspace,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=UPCOMING_DAYS),
        ).order_by("starts_at")[:limit]
    )
    return today
