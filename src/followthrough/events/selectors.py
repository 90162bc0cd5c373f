"""Reads for the events pages: the list, one event with its people, search, capture.

Every selector is scoped to one workspace (directly, or through an event that was fetched
with `get_for_workspace`), and none loads more than one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from followthrough.events.models import Attendance, Event, FocusPick, Rsvp
from followthrough.matching.selectors import people_to_meet
from followthrough.people.models import Person
from followthrough.people.pages import ListPage, in_order, page_of_ids
from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Quick capture offers the event that started most recently, if it began this long ago.
CAPTURE_LOOKBACK = timedelta(days=2)
SEARCH_LIMIT = 10


def _count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) subquery per event (`queryset` filtered on OuterRef("pk"))."""
    counted = queryset.order_by().values("event").annotate(n=Count("*")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def event_list(
    *, workspace: Workspace, now: datetime, number: int = 1, per_page: int = 25
) -> ListPage:
    """Page `number` of the workspace's events: upcoming ones first (soonest first), then
    past ones (most recent first). An event still in progress at `now` counts as upcoming.

    Each row carries `is_upcoming`, `attendee_count` (attendances not declined),
    `pick_count` and `override_count` (the picks made past the limit). Cost: the page's
    ids (the workspace's events sorted by their dates alone), the count up to
    `COUNT_CAP`, then the page's rows with three correlated index lookups each — the
    counts are never worked out for rows off the page.
    """
    upcoming = Q(starts_at__gte=now) | Q(ends_at__gte=now)
    is_upcoming = Case(
        When(upcoming, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    ids = (
        Event.objects.for_workspace(workspace)
        .annotate(is_upcoming=is_upcoming)
        .order_by(
            F("is_upcoming").desc(),
            # Upcoming rows sort on this (soonest first); past rows have NULL here...
            Case(When(upcoming, then=F("starts_at")), output_field=DateTimeField()).asc(
                nulls_last=True
            ),
            # ...and fall through to this (most recent first).
            F("starts_at").desc(),
            F("pk").desc(),
        )
        .values_list("pk", flat=True)
    )
    page_ids, number, has_next, count, capped = page_of_ids(ids, number=number, per_page=per_page)
    rows = Event.objects.annotate(
        is_upcoming=is_upcoming,
        attendee_count=_count_of(
            Attendance.objects.filter(event=OuterRef("pk")).exclude(rsvp=Rsvp.DECLINED)
        ),
        pick_count=_count_of(FocusPick.objects.filter(event=OuterRef("pk"))),
        override_count=_count_of(FocusPick.objects.filter(event=OuterRef("pk"), over_limit=True)),
    )
    return ListPage(
        in_order(rows, page_ids, workspace_id=workspace.pk),
        number,
        has_next,
        count,
        capped,
        per_page,
    )


@dataclass
class EventDetail:
    """One event with everyone on it, as the detail page and its fragments show it."""

    event: Event
    attendances: list[Attendance]
    picks: list[FocusPick]
    limit: int
    picked_person_ids: set[int] = field(default_factory=set)

    @property
    def limit_reached(self) -> bool:
        return len(self.picks) >= self.limit

    @property
    def over_limit_count(self) -> int:
        return sum(1 for pick in self.picks if pick.over_limit)


def event_detail(*, event: Event) -> EventDetail:
    """The event's attendees (by name, with their person) and focus picks (in the order
    they were made, with the person, the picker and each pick's open follow-ups).

    `event` must come from `get_for_workspace`; its rows are all of its workspace.
    Cost: three queries whatever the number of attendees (one fewer with no picks).
    Attendee lists are not paginated: an event's list is hundreds of rows at most.
    """
    attendances = list(
        Attendance.objects.filter(workspace_id=event.workspace_id, event=event)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    )
    picks = list(
        FocusPick.objects.filter(workspace_id=event.workspace_id, event=event)
        .select_related("person", "picked_by")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.filter(status=FollowUpStatus.OPEN).order_by("due_at"),
                to_attr="open_follow_ups",
            )
        )
        .order_by("picked_at", "pk")
    )
    return EventDetail(
        event=event,
        attendances=attendances,
        picks=picks,
        limit=event.workspace.focus_pick_limit,
        picked_person_ids={pick.person_id for pick in picks},
    )


def attendee_search(*, event: Event, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """People of the event's workspace whose name contains `query` (case-insensitive),
    by name, at most `limit`; each carries `is_attending`. An empty query finds nobody.

    Cost: one query; `icontains` scans the workspace's people (an index on full_name
    helps prefix searches only).
    """
    query = query.strip()
    if not query:
        return []
    return list(
        Person.objects.filter(workspace_id=event.workspace_id, full_name__icontains=query)
        .annotate(
            is_attending=Exists(Attendance.objects.filter(event=event, person=OuterRef("pk")))
        )
        .order_by("full_name", "pk")[:limit]
    )


def capture_event_for(*, workspace: Workspace, now: datetime) -> Event | None:
    """The event to capture people at: the one happening now or, failing that, the one
    that started most recently within `CAPTURE_LOOKBACK` (never a cancelled one). None
    when there is neither.

    Cost: one query on the (workspace, starts_at) index.
    """
    return (
        Event.objects.for_workspace(workspace)
        .filter(starts_at__lte=now, cancelled=False)
        .filter(Q(starts_at__gte=now - CAPTURE_LOOKBACK) | Q(ends_at__gte=now))
        .order_by("-starts_at", "-pk")
        .first()
    )


def capture_recent_events(*, workspace: Workspace, now: datetime, limit: int = 5) -> list[Event]:
    """Events to offer when nothing is on now: the next one to come, then the most
    recent ones, `limit` in all. Cost: two small indexed queries."""
    upcoming = list(
        Event.objects.for_workspace(workspace)
        .filter(starts_at__gt=now, cancelled=False)
        .order_by("starts_at", "pk")[:1]
    )
    past = list(
        Event.objects.for_workspace(workspace)
        .filter(starts_at__lte=now)
        .order_by("-starts_at", "-pk")[: limit - len(upcoming)]
    )
    return upcoming + past


class _Picked(TypedDict):
    is_picked: bool


def capture_recent_people(
    *, event: Event, limit: int = 5
) -> list[WithAnnotations[Attendance, _Picked]]:
    """The people most recently added to an event (newest first), each with `is_picked`.
    Cost: one query."""
    return list(
        Attendance.objects.filter(workspace_id=event.workspace_id, event=event)
        .select_related("person")
        .annotate(
            is_picked=Exists(FocusPick.objects.filter(event=event, person=OuterRef("person")))
        )
        .order_by("-added_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class AttendeeSuggestion:
    """An attendee worth getting to know, with why (see `matching.selectors.people_to_meet`)."""

    attendance: Attendance
    reasons: tuple[str, ...]
    within_limit: bool  # among the first `limit` suggestions: the ones to pick


def attendees_to_meet(*, detail: EventDetail, limit: int = 5) -> list[AttendeeSuggestion]:
    """The attendees not picked yet, best to get to know first (by how their organization
    meets ours, how new they are to us, what teammates noted), at most `limit`; the first
    as many as the picks still open are marked `within_limit`."""
    event = detail.event
    open_picks = max(detail.limit - len(detail.picks), 0)
    unpicked = {
        a.person_id: a for a in detail.attendances if a.person_id not in detail.picked_person_ids
    }
    ranked = people_to_meet(workspace=event.workspace, person_ids=list(unpicked))[:limit]
    return [
        AttendeeSuggestion(unpicked[s.person_id], s.reasons, within_limit=i < open_picks)
        for i, s in enumerate(ranked)
    ]
