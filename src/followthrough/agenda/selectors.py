"""Today: one calm, prioritized list of what needs doing — read-only queries.

Every query here is an indexed range scan with a small LIMIT, and rows are read as plain
values rather than model instances: the page's cost does not grow with the size of the
directory, and stays small at 100,000 people.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.utils import timezone

from followthrough.matching.selectors import people_to_meet
from followthrough.outreach.selectors import NudgeRow, nudges_due
from followthrough.relationships.models import BUDDING_STAGES, FollowUpStatus, Stage
from followthrough.sql import aware, db_datetime, fetch_rows

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace

ESTABLISHED_STAGES = (Stage.MET_ONE_TO_ONE, Stage.ONGOING, Stage.PARTNER)
UPCOMING_DAYS = 14
# Events already under way (an all-day fair today, a three-day retreat) still show while
# they last, if they began at most this many days ago.
ONGOING_DAYS = 7
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
    also: tuple[str, ...] = ()  # the person's other reasons to be on Today
    nudge_id: int | None = None  # their outreach whose nudge is due, if any


@dataclass(frozen=True, slots=True)
class SlippingRow:
    person_id: int
    person_name: str
    stage: int
    last_interaction_at: datetime | None
    next_touch_due: datetime
    owner_name: str
    also: tuple[str, ...] = ()
    nudge_id: int | None = None

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    title: str
    starts_at: datetime
    location: str
    ends_at: datetime | None = None
    all_day: bool = False
    time_zone: str = ""  # an all-day event's days are those of its own zone


@dataclass(frozen=True, slots=True)
class PersonToMeet:
    id: int
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class MeetAt:
    """Before an event: the attendees to try to meet there, as many as picks are open."""

    event: EventRow
    people: list[PersonToMeet]


@dataclass
class Today:
    now: datetime
    follow_ups_due: list[FollowUpRow] = field(default_factory=list)
    more_follow_ups: bool = False
    nudges: list[NudgeRow] = field(default_factory=list)
    slipping: list[SlippingRow] = field(default_factory=list)
    more_slipping: bool = False
    focus_waiting: list[FollowUpRow] = field(default_factory=list)
    upcoming_events: list[EventRow] = field(default_factory=list)
    meet_at: MeetAt | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.follow_ups_due
            or self.nudges
            or self.slipping
            or self.focus_waiting
            or self.upcoming_events
        )


# Today is the page people open every morning. Its reads have fixed shapes and each is an
# indexed range scan of a few rows (~0.05 ms), while building and compiling the same query
# through the ORM costs ~1 ms on the project's machines; so they are written once in plain
# SQL that SQLite and PostgreSQL both run, each scoped by its workspace id.
FOLLOW_UP_SQL = """
    SELECT f.id, f.person_id, p.full_name, f.title, f.due_at, f.snooze_count, f.event_id,
           e.title
    FROM relationships_followup f
    JOIN people_person p ON p.id = f.person_id AND p.workspace_id = f.workspace_id
    LEFT JOIN events_event e ON e.id = f.event_id AND e.workspace_id = f.workspace_id
    WHERE f.workspace_id = %s AND f.status = %s AND {condition}
      AND (%s IS NULL OR f.assigned_to_id = %s)
    ORDER BY f.due_at, f.id
    LIMIT %s
"""
DUE_CONDITION = "f.due_at <= %s"
FOCUS_CONDITION = "f.due_at > %s AND f.focus_pick_id IS NOT NULL"
SLIPPING_SQL = """
    SELECT r.person_id, p.full_name, r.stage, r.last_interaction_at, r.next_touch_due,
           u.first_name, u.last_name, u.email
    FROM relationships_relationship r
    JOIN people_person p ON p.id = r.person_id AND p.workspace_id = r.workspace_id
    LEFT JOIN auth_user u ON u.id = r.owner_id
    WHERE r.workspace_id = %s AND r.stage = %s AND r.next_touch_due < %s
      AND (%s IS NULL OR r.owner_id = %s)
    ORDER BY r.next_touch_due
    LIMIT %s
"""
# Attendees of these events not picked yet, with the picks each event has.
UNPICKED_SQL = """
    SELECT a.event_id, a.person_id, p.full_name,
      (SELECT COUNT(*) FROM events_focuspick c WHERE c.event_id = a.event_id) AS picks
    FROM events_attendance a
    JOIN people_person p ON p.id = a.person_id AND p.workspace_id = a.workspace_id
    WHERE a.workspace_id = %s AND a.event_id IN ({events})
      AND NOT EXISTS (SELECT 1 FROM events_focuspick f
                      WHERE f.event_id = a.event_id AND f.person_id = a.person_id)
    LIMIT %s
"""
MEET_CACHE_SECONDS = 600
ATTENDEES_RANKED = 300  # an event's list is hundreds at most; beyond, the first are ranked
EVENTS_SQL = """
    SELECT id, title, starts_at, location, ends_at, all_day, time_zone
    FROM events_event
    WHERE workspace_id = %s AND starts_at >= %s AND starts_at < %s
      AND (starts_at >= %s OR ends_at > %s) AND NOT cancelled
    ORDER BY starts_at
    LIMIT %s
"""


def _end_of_local_day(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def _slipping_row(values: tuple) -> SlippingRow:
    person_id, name, stage, last, due, first, last_name, email = values
    owner = f"{first or ''} {last_name or ''}".strip() or (email or "")
    return SlippingRow(person_id, name, stage, aware(last), aware(due), owner)


def _slipping_in(
    workspace: Workspace, stages: tuple[int, ...], now: datetime, owner: User | None, limit: int
) -> list[SlippingRow]:
    """Relationships of these stages whose next touch is overdue, oldest first.

    One query per stage keeps each an index range scan on (workspace, stage, due); the
    per-stage lists come sorted, so merging them is cheap.
    """
    if limit <= 0:
        return []
    owner_id = owner.pk if owner is not None else None
    per_stage = [
        [
            _slipping_row(row)
            for row in fetch_rows(
                SLIPPING_SQL,
                [workspace.pk, stage, db_datetime(now), owner_id, owner_id, limit],
            )
        ]
        for stage in stages
    ]
    return list(heapq.merge(*per_stage, key=lambda r: r.next_touch_due))[:limit]


def _follow_up_rows(
    workspace: Workspace, condition: str, moment: datetime, owner: User | None, limit: int
) -> list[FollowUpRow]:
    owner_id = owner.pk if owner is not None else None
    sql = FOLLOW_UP_SQL.format(condition=condition)
    params = [workspace.pk, FollowUpStatus.OPEN.value, db_datetime(moment), owner_id, owner_id,
              limit]  # fmt: skip
    rows = fetch_rows(sql, params)
    return [
        FollowUpRow(id, person_id, name, title, aware(due_at), snoozes, event_id, event_title)
        for id, person_id, name, title, due_at, snoozes, event_id, event_title in rows
    ]


def today_items(
    *,
    workspace: Workspace,
    now: datetime | None = None,
    owner: User | None = None,
    limit: int = LIST_LIMIT,
    until: datetime | None = None,
) -> Today:
    """What needs doing today in a workspace (optionally only `owner`'s part of it).

    - follow-ups open and due by the end of the local day, oldest first;
    - relationships slipping (next touch due has passed): budding ones (Met, Followed up)
      first, then established ones, each group oldest first;
    - nudges due: outreach still waiting for a reply whose next nudge is due today;
    - focus people picked at events whose follow-up is still ahead (not yet followed up);
    A person is listed once, in the first of these lists they belong to; their row names
    their reasons from the others (`also`).
    - events in the next two weeks, and for the next one whose attendees are known, whom
      to try to meet there;
    Each list holds at most `limit` rows (focus and events fewer); `more_*` tells whether
    more are waiting. `until` moves the horizon of follow-ups and nudges (default: the end
    of the local day; the weekly digest asks for a week). Cost: at most 9 indexed queries
    of a few rows each, whatever the workspace's size.
    """
    now = now or timezone.now()
    today = Today(now=now)
    horizon = until or _end_of_local_day(now)
    due = _follow_up_rows(workspace, DUE_CONDITION, horizon, owner, limit + 1)
    today.follow_ups_due, today.more_follow_ups = due[:limit], len(due) > limit
    today.focus_waiting = _follow_up_rows(workspace, FOCUS_CONDITION, horizon, owner, SHORT_LIMIT)
    budding = _slipping_in(workspace, BUDDING_STAGES, now, owner, limit + 1)
    established = _slipping_in(workspace, ESTABLISHED_STAGES, now, owner, limit + 1 - len(budding))
    slipping = budding + established
    today.slipping, today.more_slipping = slipping[:limit], len(slipping) > limit
    today.nudges = nudges_due(workspace=workspace, until=horizon, owner=owner, limit=limit)
    _one_row_per_person(today)
    until = now + timedelta(days=UPCOMING_DAYS)
    today.upcoming_events = [
        EventRow(id, title, aware(starts_at), location, aware(ends_at), bool(all_day), zone)
        for id, title, starts_at, location, ends_at, all_day, zone in fetch_rows(
            EVENTS_SQL,
            [workspace.pk, db_datetime(now - timedelta(days=ONGOING_DAYS)), db_datetime(until)]
            + [db_datetime(now)] * 2
            + [SHORT_LIMIT],
        )
    ]
    today.meet_at = _meet_at(workspace, today.upcoming_events, now)
    return today


def _follow_up_reason(row: FollowUpRow, now: datetime) -> str:
    return f"{'overdue' if row.due_at < now else 'due'}: {row.title}"


def _one_row_per_person(today: Today) -> None:
    """Keep each person's first row (in the page's order) and give it the reasons of the
    rows dropped, so that a person is never listed twice and the row says why, all of it;
    a row whose person has a nudge due carries its id (`nudge_id`) for "They replied".
    Pure Python over the few rows already read: no query."""
    sections: list[tuple[str, list[Any], Callable[[Any], str]]] = [
        ("follow_ups_due", today.follow_ups_due, lambda r: _follow_up_reason(r, today.now)),
        ("nudges", today.nudges, lambda r: r.reason),
        ("slipping", today.slipping, lambda r: f"slipping ({r.stage_label})"),
        ("focus_waiting", today.focus_waiting, lambda r: f"focus pick: {r.title}"),
    ]
    reasons: dict[int, list[str]] = {}
    for _, rows, reason in sections:
        for row in rows:
            reasons.setdefault(row.person_id, []).append(reason(row))
    nudge_of = {n.person_id: n.id for n in reversed(today.nudges)}
    seen: set[int] = set()
    for name, rows, reason in sections:
        kept = []
        for row in rows:
            if row.person_id in seen:
                continue
            seen.add(row.person_id)
            own = reason(row)
            changes: dict[str, Any] = {"also": tuple(r for r in reasons[row.person_id] if r != own)}
            if name != "nudges":
                changes["nudge_id"] = nudge_of.get(row.person_id)
            kept.append(dataclasses.replace(row, **changes))
        setattr(today, name, kept)


def _meet_at(workspace: Workspace, events: list[EventRow], now: datetime) -> MeetAt | None:
    """For the next event ahead whose attendees are known and whose picks are not all
    made: the attendees worth meeting there. Cost: see `meet_at_events`."""
    found = meet_at_events(workspace=workspace, events=events, now=now, first_only=True)
    return found[0] if found else None


def meet_at_events(
    *, workspace: Workspace, events: list[EventRow], now: datetime, first_only: bool = False
) -> list[MeetAt]:
    """For each of these events still ahead whose attendees are known and whose picks are
    not all made: the attendees worth meeting there (`matching.selectors.people_to_meet`),
    as many as picks remain, each with the first reason; in the events' order, only the
    first one with `first_only`. Cost: one query, plus the ranking's (at most nine) per
    event listed, cached."""
    ahead = [e for e in events if e.starts_at >= now]
    if not ahead:
        return []
    placeholders = ", ".join(["%s"] * len(ahead))
    rows = fetch_rows(
        UNPICKED_SQL.format(events=placeholders),
        [workspace.pk, *(e.id for e in ahead), ATTENDEES_RANKED * len(ahead)],
    )
    limit = workspace.focus_pick_limit
    by_event: dict[int, dict[int, str]] = {}
    open_picks: dict[int, int] = {}
    for event_id, person_id, name, picks in rows:
        by_event.setdefault(event_id, {})[person_id] = name
        open_picks[event_id] = limit - picks
    found = []
    for event in ahead:
        names = by_event.get(event.id)
        if not names or open_picks[event.id] <= 0:
            continue
        people = _ranked(workspace, event.id, names)[: open_picks[event.id]]
        if first_only:  # Today names the next event only, even when no one ranks there
            return [MeetAt(event, people)] if people else []
        if people:
            found.append(MeetAt(event, people))
    return found


def _ranked(workspace: Workspace, event_id: int, names: dict[int, str]) -> list[PersonToMeet]:
    """The ranking of these attendees, kept for `MEET_CACHE_SECONDS`: it costs ~10 ms at
    full size, too much for every load of Today, and a pick changes the attendees asked
    about (so the key) at once."""
    digest = hashlib.blake2b(repr(sorted(names)).encode(), digest_size=8).hexdigest()
    key = f"agenda:meet:{workspace.pk}:{event_id}:{digest}"
    people = cache.get(key)
    if people is None:
        ranked = people_to_meet(workspace=workspace, person_ids=list(names))
        people = [PersonToMeet(s.person_id, names[s.person_id], s.reasons[0]) for s in ranked]
        cache.set(key, people, timeout=MEET_CACHE_SECONDS)
    return people
