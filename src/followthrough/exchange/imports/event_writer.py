"""Loading events and attendance: calendar events found by their UID, attendees turned
into people (by `person_writer`) and attendances with their RSVP and check-in.

Like `events.services.attendance_add`, a new attendance at an event that has begun
counts as meeting the person — a "met" interaction, and the relationship moves to Met —
unless the attendee declined: a declined attendee is on the list as declined, never as
met. Cost per batch: a fixed number of queries.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import icalendar
from django.db.models import Q

from followthrough.events.models import Attendance, Event, EventKind, Rsvp
from followthrough.exchange.formats.own_uids import own_id
from followthrough.exchange.formats.records import EventRecord, ParseError, SkippedRecord
from followthrough.exchange.imports.clean import TEXT_MAX
from followthrough.exchange.imports.incoming import Incoming
from followthrough.exchange.imports.result import Action, PreviewRow
from followthrough.exchange.imports.run import ImportRun, jsonable
from followthrough.people.models import Person
from followthrough.relationships.cadence import next_touch_due
from followthrough.relationships.models import Interaction, InteractionKind, Relationship, Stage
from followthrough.relationships.services import relationship_cadence_days

LABEL = "events.event"
# Times and recurrence follow the calendar (a moved meeting moves); text only fills gaps.
FOLLOWED = ("starts_at", "ends_at", "all_day", "time_zone", "rrule", "cancelled")
EVENT_COLUMNS = (
    "id",
    "workspace_id",
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "location",
    "notes",
    "all_day",
    "time_zone",
    "rrule",
    "source_uid",
    "cancelled",
    "created_at",
)


@dataclass
class EventState:
    id: int
    new: bool
    values: dict[str, Any]
    before: dict[str, Any] = field(default_factory=dict)

    def set(self, name: str, value: Any) -> None:
        if not self.new:
            self.before.setdefault(name, jsonable(self.values[name]))
        self.values[name] = value


def _moment(value: datetime | date | None, zone: str, line: int, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ParseError("a time without a time zone", line=line, field=name)
        return value
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ParseError(f"unknown time zone “{zone}”", line=line, field="time_zone") from error
    return datetime.combine(value, time(0), tzinfo=tz)


def clean_event(run: ImportRun, record: EventRecord) -> dict[str, Any]:
    """The event's column values; `ParseError` for a missing title or an end before the
    start."""
    line = record.line
    title = (record.title or "").strip()
    if not title:
        raise ParseError("an event needs a title", line=line, field="title")
    zone = (record.time_zone or run.workspace.timezone or "UTC").strip()
    starts_at = _moment(record.starts_at, zone, line, "starts_at")
    ends_at = _moment(record.ends_at, zone, line, "ends_at")
    if starts_at is None:
        raise ParseError("an event needs a start", line=line, field="starts_at")
    if ends_at is not None and ends_at < starts_at:
        raise ParseError("the event ends before it starts", line=line, field="ends_at")
    for name, value, limit in (("uid", record.uid, 400), ("rrule", record.rrule, 500)):
        if len(value or "") > limit:
            raise ParseError(f"longer than {limit} characters", line=line, field=name)
    for warning in record.warnings:
        run.warn(line, warning)
    return {
        "title": title[:TEXT_MAX],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": (record.location or "").strip()[:TEXT_MAX],
        "notes": (record.notes or "").strip(),
        "all_day": bool(record.all_day or not isinstance(record.starts_at, datetime)),
        "time_zone": (record.time_zone or "").strip()[:64],
        "rrule": (record.rrule or "").strip(),
        "source_uid": (record.uid or "").strip(),
        "cancelled": bool(record.cancelled),
    }


def load_events(run: ImportRun, records: list[EventRecord]) -> tuple[list[int], list[PreviewRow]]:
    """Find each event by its UID (or, without one, by title and start), create the new
    ones, bring found ones up to date; returns the event id per record, in order. Two
    records of a file with the same key are two events (the second is matched to the
    second such event on a re-import), unless they say the same: then one, with a warning."""
    cleaned = [clean_event(run, r) for r in records]
    if not cleaned:
        return [], []
    states, found = _existing_events(run, cleaned)
    ids, rows = [], []
    for record, values in zip(records, cleaned, strict=True):
        key = _key(values)
        pk = _match(run, states, found.get(key, []), values, record.line)
        first = pk is None
        if pk is None:
            pk = run.writer.next_id(Event)
            states[pk] = EventState(pk, True, dict(values))
            found.setdefault(key, []).append(pk)
        run.events_matched.setdefault(pk, record.line)
        changed = _absorb_event(states[pk], values)
        action = run.classify(LABEL, pk, new=states[pk].new, first=first, changed=changed)
        ids.append(pk)
        rows.append(PreviewRow(record.line, "event", values["title"], action, pk))
    _write_events(run, states)
    return ids, rows


def _key(values: dict[str, Any]) -> Any:
    return values["source_uid"] or (values["title"], values["starts_at"])


def _identical(state: EventState, values: dict[str, Any]) -> bool:
    names = ("title", "location", "notes", *FOLLOWED)
    return all(_same(name, values[name], state.values[name]) for name in names)


def _match(
    run: ImportRun,
    states: dict[int, EventState],
    candidates: list[int],
    values: dict[str, Any],
    line: int,
) -> int | None:
    """The event a record is: one with its key that no record of this file took yet (the
    one saying the same first, then one at the same start); else, if an earlier record
    took one saying the same, that one (a repeat, warned); else None: a new event."""
    free = [pk for pk in candidates if pk not in run.events_matched]

    def rank(pk: int) -> tuple[bool, bool]:
        state = states[pk]
        same_start = _same("starts_at", values["starts_at"], state.values["starts_at"])
        return (not _identical(state, values), not same_start)

    if free:
        return min(free, key=rank)
    taken = [pk for pk in candidates if pk in run.events_matched]
    if not taken:
        return None
    what = f"the UID {values['source_uid'][:80]}" if values["source_uid"] else "its title and start"
    for pk in taken:
        if _identical(states[pk], values):
            run.warn(line, f"the same as the event at line {run.events_matched[pk]}: kept once")
            return pk
    earlier = run.events_matched[taken[0]]
    run.warn(
        line,
        f"shares {what} with the event at line {earlier} but differs: kept as an event of its own",
    )
    return None


def _existing_events(
    run: ImportRun, cleaned: list[dict[str, Any]]
) -> tuple[dict[int, EventState], dict[Any, list[int]]]:
    uids = sorted({v["source_uid"] for v in cleaned if v["source_uid"]})
    titles = sorted({v["title"] for v in cleaned if not v["source_uid"]})
    # Our own export's UIDs name this workspace's events by id (`ics_export.event_uid`).
    own = {pk: uid for uid in uids if (pk := own_id(uid, run.workspace.slug, kind="event"))}
    condition = (
        Q(source_uid__in=uids) | Q(source_uid="", title__in=titles) | Q(source_uid="", pk__in=own)
    )
    names = ("title", "location", "notes", *FOLLOWED, "source_uid")
    states: dict[int, EventState] = {}
    found: dict[Any, list[int]] = {}
    rows = Event.objects.filter(Q(workspace_id=run.workspace_id) & condition).order_by()
    for pk, *values in sorted(rows.values_list("id", *names)):
        state = EventState(pk, False, dict(zip(names, values, strict=True)))
        states[pk] = state
        if pk in own and not state.values["source_uid"]:
            found.setdefault(own[pk], []).append(pk)
        found.setdefault(_key(state.values), []).append(pk)
    return states, found


def _absorb_event(state: EventState, values: dict[str, Any]) -> bool:
    if state.new:
        return False
    for name in FOLLOWED:
        if not _same(name, values[name], state.values[name]):
            state.set(name, values[name])
    if values["location"] and not state.values["location"]:
        state.set("location", values["location"])
    if values["notes"] and values["notes"] not in state.values["notes"]:
        state.set("notes", "\n\n".join(filter(None, [state.values["notes"], values["notes"]])))
    return bool(state.before)


def _same(name: str, new: Any, old: Any) -> bool:
    """Whether a file's value says what the event has. iCalendar times have whole
    seconds (an event made in the app may have a fraction), and a time in UTC (`Z`)
    says no more than an event without a zone of its own."""
    if name in ("starts_at", "ends_at") and new is not None and old is not None:
        return new.replace(microsecond=0) == old.replace(microsecond=0)
    if name == "time_zone":
        return new == old or (new == "UTC" and not old)
    if name == "rrule" and new and old and new != old:
        return _rule(new) == _rule(old)
    return new == old


def _rule(text: str) -> object:
    """An RRULE as icalendar reads it: its parts in any order (`INTERVAL=2;FREQ=WEEKLY`
    is `FREQ=WEEKLY;INTERVAL=2`), and the values of its BYxxx parts, which RFC 5545 makes
    sets, in any order (`BYDAY=TU,MO` is `BYDAY=MO,TU`); the text itself if unreadable."""
    try:
        rule = icalendar.vRecur.from_ical(text)
    except ValueError:
        return text
    return {
        key: sorted(values, key=repr) if key.startswith("BY") else values
        for key, values in rule.items()
    }


def _write_events(run: ImportRun, states: dict[int, EventState]) -> None:
    writer, ws, now = run.writer, run.workspace_id, run.writer.datetime(run.now)
    new = [s for s in states.values() if s.new]
    rows = []
    for s in new:
        v = s.values
        rows.append(
            (
                s.id,
                ws,
                v["title"],
                EventKind.ATTENDED,
                writer.datetime(v["starts_at"]),
                writer.datetime(v["ends_at"]),
                v["location"],
                v["notes"],
                v["all_day"],
                v["time_zone"],
                v["rrule"],
                v["source_uid"],
                v["cancelled"],
                now,
            )
        )
    writer.insert(Event, EVENT_COLUMNS, rows)
    run.record_created(LABEL, [s.id for s in new])
    changed = [s for s in states.values() if not s.new and s.before]
    columns = ("location", "notes", *FOLLOWED)
    update = []
    for s in changed:
        v = s.values
        update.append(
            (
                v["location"],
                v["notes"],
                writer.datetime(v["starts_at"]),
                writer.datetime(v["ends_at"]),
                v["all_day"],
                v["time_zone"],
                v["rrule"],
                v["cancelled"],
                s.id,
            )
        )
        if not run.is_created(LABEL, s.id):
            run.record_changed(LABEL, s.id, s.before)
    writer.update(Event, columns, update)


def cancel_events(run: ImportRun, cancels: list[SkippedRecord]) -> list[PreviewRow]:
    """Mark cancelled the events that iTIP cancellations without a start name by UID
    (our own export's UIDs name events by id), and say for each what it did. The change
    is recorded like any other, so undoing the import undoes it."""
    uids = sorted({c.cancels for c in cancels})
    own = {pk: uid for uid in uids if (pk := own_id(uid, run.workspace.slug, kind="event"))}
    rows = Event.objects.filter(
        Q(workspace_id=run.workspace_id) & (Q(source_uid__in=uids) | Q(pk__in=own))
    ).values_list("id", "source_uid", "cancelled")
    by_uid: dict[str, list[tuple[int, bool]]] = {}
    for pk, source_uid, cancelled in rows.order_by("pk"):
        by_uid.setdefault(own.get(pk) or source_uid, []).append((pk, cancelled))
    preview, update = [], []
    for record in cancels:
        events = by_uid.get(record.cancels, [])
        newly = [pk for pk, cancelled in events if not cancelled and not run.is_created(LABEL, pk)]
        if not events:
            outcome, action = "no event here has that UID: skipped", Action.SKIPPED
        elif not newly:
            outcome, action = "the event was cancelled already", Action.SKIPPED
        else:
            outcome, action = "the event is marked cancelled", Action.UPDATED
        for pk in newly:
            update.append((True, pk))
            run.record_changed(LABEL, pk, {"cancelled": False})
        run.warn(record.line, f"{record.message}: {outcome}")
        first = events[0][0] if events else None
        preview.append(PreviewRow(record.line, "event", record.label, action, first))
    run.writer.update(Event, ("cancelled",), update)
    return preview


def event_of(run: ImportRun, slot: int, event_ids: list[int]) -> int:
    if slot >= 0:
        return event_ids[slot]
    assert run.event is not None
    return run.event.pk


def load_attendances(
    run: ImportRun, attendees: list[Incoming], event_ids: list[int]
) -> dict[int, datetime]:
    """Put each attendee on their event's list (or update their RSVP and check-in);
    returns the people met (new attendance, event begun, not declined) with when, for
    the relationship refresh. An attendee whose person was skipped but whose attendance is
    new or changed counts as updated."""
    pairs = [
        (event_of(run, a.event_slot, event_ids), a)
        for a in attendees
        if a.person_id and a.event_slot is not None
    ]
    if not pairs:
        return {}
    existing = _existing_attendances(run, pairs)
    events = {
        pk: (starts_at, title)
        for pk, starts_at, title in Event.objects.filter(pk__in={e for e, _ in pairs})
        .order_by()
        .values_list("id", "starts_at", "title")
    }
    new_rows: dict[tuple[int, int], list[Any]] = {}
    updates: dict[int, tuple[str, bool]] = {}
    for event_id, attendee in pairs:
        key = (event_id, attendee.person_id or 0)
        if key in new_rows:
            row = new_rows[key]
            row[4], row[5] = attendee.rsvp, row[5] or attendee.checked_in
        elif key in existing:
            pk, rsvp, checked_in = existing[key]
            wanted = (attendee.rsvp, checked_in or attendee.checked_in)
            if wanted == (rsvp, checked_in):
                continue
            updates[pk] = wanted
            if not (
                run.is_created("events.attendance", pk) or run.is_created("people.person", key[1])
            ):
                run.record_changed(
                    "events.attendance", pk, {"rsvp": rsvp, "checked_in": checked_in}
                )
        else:
            pk = run.writer.next_id(Attendance)
            new_rows[key] = [
                pk,
                event_id,
                attendee.person_id,
                attendee.line,
                attendee.rsvp,
                attendee.checked_in,
            ]
        if attendee.action == Action.SKIPPED:
            attendee.action = Action.UPDATED
    return _write_attendances(run, new_rows, updates, events)


def _existing_attendances(
    run: ImportRun, pairs: list[tuple[int, Incoming]]
) -> dict[tuple[int, int], tuple[int, str, bool]]:
    rows = (
        Attendance.objects.filter(
            workspace_id=run.workspace_id,
            event_id__in={e for e, _ in pairs},
            person_id__in={a.person_id for _, a in pairs},
        )
        .order_by()
        .values_list("event_id", "person_id", "id", "rsvp", "checked_in")
    )
    return {(e, p): (pk, rsvp, checked) for e, p, pk, rsvp, checked in rows}


def _write_attendances(
    run: ImportRun,
    new_rows: dict[tuple[int, int], list[Any]],
    updates: dict[int, tuple[str, bool]],
    events: dict[int, tuple[datetime, str]],
) -> dict[int, datetime]:
    writer, ws = run.writer, run.workspace_id
    now = writer.datetime(run.now)
    rows, interactions = [], []
    met: dict[int, datetime] = {}
    for pk, event_id, person_id, _line, rsvp, checked_in in new_rows.values():
        rows.append((pk, ws, event_id, person_id, rsvp, checked_in, now))
        starts_at, title = events[event_id]
        if starts_at <= run.now and rsvp != Rsvp.DECLINED:
            interactions.append(
                (
                    writer.next_id(Interaction),
                    ws,
                    person_id,
                    event_id,
                    InteractionKind.MET_AT_EVENT,
                    writer.datetime(starts_at),
                    f"Met at {title}"[:200],
                    run.actor_id,
                    now,
                )
            )
            met[person_id] = max(met.get(person_id, starts_at), starts_at)
    columns = ("id", "workspace_id", "event_id", "person_id", "rsvp", "checked_in", "added_at")
    writer.insert(Attendance, columns, rows)
    writer.insert(
        Interaction,
        (
            "id",
            "workspace_id",
            "person_id",
            "event_id",
            "kind",
            "occurred_at",
            "summary",
            "logged_by_id",
            "created_at",
        ),
        interactions,
    )
    writer.update(
        Attendance, ("rsvp", "checked_in"), [(r, c, pk) for pk, (r, c) in updates.items()]
    )
    run.record_created("events.attendance", [r[0] for r in rows])
    run.record_created("relationships.interaction", [r[0] for r in interactions])
    return met


def refresh_relationships(run: ImportRun, met: dict[int, datetime], retagged: set[int]) -> None:
    """Relationships of people met at an imported event (stage at least Met, last
    interaction the event's start) or given a tag with a cadence: recompute the next
    touch as `relationships.services` does. Two reads and one update."""
    people = set(met) | retagged
    if not people:
        return
    ws = run.workspace_id
    cadences: dict[int, list[int | None]] = {}
    tagging = Person.tags.through.objects.filter(person_id__in=people)
    for person_id, days in tagging.values_list("person_id", "tag__cadence_days"):
        cadences.setdefault(person_id, []).append(days)
    rows = Relationship.objects.filter(workspace_id=ws, person_id__in=people).order_by()
    update = []
    for relationship in rows.only(
        "id",
        "person_id",
        "stage",
        "cadence_days",
        "last_interaction_at",
        "next_touch_due",
        "created_at",
    ):
        before = _refresh(relationship, met.get(relationship.person_id), cadences)
        if before is None:
            continue
        update.append(
            (
                relationship.stage,
                run.writer.datetime(relationship.last_interaction_at),
                run.writer.datetime(relationship.next_touch_due),
                relationship.pk,
            )
        )
        if not run.is_created("people.person", relationship.person_id):
            run.record_changed("relationships.relationship", relationship.pk, before)
    run.writer.update(Relationship, ("stage", "last_interaction_at", "next_touch_due"), update)


def _refresh(
    relationship: Relationship, met_at: datetime | None, cadences: dict[int, list[int | None]]
) -> dict[str, Any] | None:
    """Apply a meeting and the cadences to the relationship in memory; the old values
    when anything changed, else None."""
    old = {
        "stage": relationship.stage,
        "last_interaction_at": relationship.last_interaction_at,
        "next_touch_due": relationship.next_touch_due,
    }
    if met_at is not None:
        relationship.stage = max(relationship.stage, Stage.MET)
        last = relationship.last_interaction_at
        relationship.last_interaction_at = met_at if last is None else max(last, met_at)
    relationship.next_touch_due = next_touch_due(
        cadence_days=relationship_cadence_days(
            relationship=relationship, tag_cadences=cadences.get(relationship.person_id, [])
        ),
        last_interaction_at=relationship.last_interaction_at,
        created_at=relationship.created_at,
    )
    new = {name: getattr(relationship, name) for name in old}
    if new == old:
        return None
    return {name: jsonable(value) for name, value in old.items()}
