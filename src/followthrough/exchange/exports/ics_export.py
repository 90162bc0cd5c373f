"""iCalendar (RFC 5545) export of a workspace's events, and of its open follow-ups.

Events keep the zone they were given in (`TZID=…`, with its VTIMEZONE in the file);
events without one are written in UTC. All-day events are DATE values, their DTEND the
day after the last (exclusive, as iCalendar has it). A recurring series carries its
RRULE. Attendees are ATTENDEE lines with the person's name (CN), first e-mail and
PARTSTAT from their RSVP; someone without an e-mail gets a `urn:x-followthrough:` address.
Open follow-ups are VTODOs (tasks) with their due date-time; calendars that show only
events (Google Calendar) ignore tasks.

UIDs are stable: an imported event keeps its calendar's UID (`source_uid`); others are
`followthrough-<slug>-event-<id>`, follow-ups `followthrough-<slug>-follow-up-<id>`.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

import icalendar
from django.db.models import OuterRef, Subquery

from followthrough.events.models import Attendance, Event, Rsvp
from followthrough.exchange.exports.streaming import CHUNK_SIZE, buffered, chunked, grouped
from followthrough.exchange.formats.own_uids import person_address
from followthrough.people.models import ContactPoint
from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.workspaces.models import Workspace

PRODID = "-//Followthrough//Followthrough//EN"
PARTSTAT: dict[str, str] = {
    Rsvp.UNKNOWN: "NEEDS-ACTION",
    Rsvp.ACCEPTED: "ACCEPTED",
    Rsvp.TENTATIVE: "TENTATIVE",
    Rsvp.DECLINED: "DECLINED",
}
_END = "END:VCALENDAR\r\n"
# Events carry their attendees into memory (hundreds each, at large events): fewer per chunk.
EVENT_CHUNK = 50


class Text(icalendar.vText):
    """A TEXT value escaped as RFC 5545 says and no more: icalendar's own escaping first
    turns a backslash followed by N into a line break (`C:\\Notes` would come back as
    `C:` and a new line `otes`), which changes what a member typed."""

    def to_ical(self) -> bytes:
        text = str(self).replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,")
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", r"\n")
        return text.encode("utf-8")


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def event_uid(workspace: Workspace, event: Event) -> str:
    return event.source_uid or f"followthrough-{workspace.slug}-event-{event.pk}"


def _calendar_header(name: str) -> str:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    text = calendar.to_ical().decode("utf-8")
    return text.removesuffix(_END)


def _times(event: Event, workspace_zone: tzinfo) -> tuple[date | datetime, date | datetime | None]:
    zone: tzinfo | None = _zone(event.time_zone)
    if event.all_day:
        day_zone = zone or workspace_zone
        start = event.starts_at.astimezone(day_zone).date()
        end = event.ends_at.astimezone(day_zone).date() if event.ends_at else None
        return start, end
    zone = zone or UTC
    end = event.ends_at.astimezone(zone) if event.ends_at else None
    return event.starts_at.astimezone(zone), end


def _zoned(value: date | datetime, zone: str) -> icalendar.vDDDTypes:
    """A time with its zone's name as TZID. Written by its wall time, so a zone that is
    UTC by another name (`Etc/GMT`, `Etc/UTC`) keeps its name instead of becoming `Z`."""
    if not zone or not isinstance(value, datetime):
        return icalendar.vDDDTypes(value)
    prop = icalendar.vDDDTypes(value.replace(tzinfo=None))
    prop.params["TZID"] = zone
    return prop


@dataclass(frozen=True)
class Attendee:
    """What an ATTENDEE line says about one attendance."""

    person_id: int
    name: str
    email: str | None
    rsvp: str
    checked_in: bool


def _attendee(workspace: Workspace, attendee: Attendee) -> icalendar.vCalAddress:
    address = (
        f"mailto:{attendee.email}"
        if attendee.email
        else person_address(workspace.slug, attendee.person_id)
    )
    line = icalendar.vCalAddress(address)
    line.params["CN"] = attendee.name
    line.params["PARTSTAT"] = PARTSTAT.get(attendee.rsvp, "NEEDS-ACTION")
    if attendee.checked_in:
        line.params["X-CHECKED-IN"] = "TRUE"
    return line


def event_component(
    workspace: Workspace,
    event: Event,
    workspace_zone: tzinfo,
    attendees: Sequence[Attendee] = (),
) -> icalendar.Event:
    """One event as a VEVENT, with its attendees (see `event_attendees`)."""
    component = icalendar.Event()
    component.add("uid", event_uid(workspace, event))
    component.add("dtstamp", event.created_at.astimezone(UTC))
    start, end = _times(event, workspace_zone)
    zone = event.time_zone if isinstance(start, datetime) and _zone(event.time_zone) else ""
    component.add("dtstart", _zoned(start, zone), encode=False)
    if end is not None and end > start:
        component.add("dtend", _zoned(end, zone), encode=False)
    elif end is not None:
        # RFC 5545 wants DTEND after DTSTART, and no end means a day: an end at the
        # start itself is a zero DURATION, so it comes back as it was.
        component.add("duration", timedelta(0))
    component.add("summary", Text(event.title))
    if event.location:
        component.add("location", Text(event.location))
    if event.notes:
        component.add("description", Text(event.notes))
    if event.cancelled:
        component.add("status", "CANCELLED")
    if event.rrule:
        # A rule this library cannot read is left out rather than garbled.
        with contextlib.suppress(ValueError):
            component.add("rrule", icalendar.vRecur.from_ical(event.rrule))
    for attendee in attendees:
        component.add("attendee", _attendee(workspace, attendee), encode=False)
    return component


def event_attendees(*, workspace: Workspace, event_ids: list[int]) -> dict[int, list[Attendee]]:
    """The attendees of these events (in the order they were added), with each person's
    first e-mail: one query of plain values."""
    first_email = (
        ContactPoint.objects.filter(
            workspace_id=OuterRef("workspace_id"), person_id=OuterRef("person_id"), kind="email"
        )
        .order_by("position", "pk")
        .values("value")[:1]
    )
    rows = (
        Attendance.objects.for_workspace(workspace)
        .filter(event_id__in=event_ids)
        .annotate(email=Subquery(first_email))
        .order_by("event_id", "pk")
    )
    groups = grouped(rows, "event_id", "person_id", "person__full_name", "email", "rsvp",
                     "checked_in")  # fmt: skip
    return {event_id: [Attendee(*row) for row in group] for event_id, group in groups.items()}


def _timezones(workspace: Workspace) -> Iterator[str]:
    names = (
        Event.objects.for_workspace(workspace)
        .filter(all_day=False)
        .exclude(time_zone="")
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()
    )
    for name in sorted(set(names)):
        if _zone(name) is not None:
            yield icalendar.Timezone.from_tzid(name).to_ical().decode("utf-8")


def _events(workspace: Workspace) -> Iterator[str]:
    yield _calendar_header(f"{workspace.name}: events")
    yield from _timezones(workspace)
    zone = zoneinfo.ZoneInfo(workspace.timezone)
    events = (
        Event.objects.for_workspace(workspace)
        .order_by("starts_at", "pk")
        .iterator(chunk_size=EVENT_CHUNK)
    )
    for chunk in chunked(events, EVENT_CHUNK):
        attendees = event_attendees(workspace=workspace, event_ids=[e.pk for e in chunk])
        for event in chunk:
            component = event_component(workspace, event, zone, attendees.get(event.pk, ()))
            yield component.to_ical().decode("utf-8")
    yield _END


def events_ics(*, workspace: Workspace) -> Iterator[str]:
    """All the workspace's events as one calendar, streamed."""
    return buffered(_events(workspace))


def follow_up_component(workspace: Workspace, follow_up: FollowUp) -> icalendar.Todo:
    """One open follow-up as a VTODO due at its due date-time (UTC)."""
    todo = icalendar.Todo()
    todo.add("uid", f"followthrough-{workspace.slug}-follow-up-{follow_up.pk}")
    todo.add("dtstamp", follow_up.created_at.astimezone(UTC))
    todo.add("summary", Text(follow_up.title))
    todo.add("due", follow_up.due_at.astimezone(UTC))
    todo.add("status", "NEEDS-ACTION")
    details = [f"With {follow_up.person.full_name}"]
    if follow_up.event is not None:
        details.append(f"after {follow_up.event.title}")
    todo.add("description", Text(", ".join(details) + "."))
    todo.add("contact", Text(follow_up.person.full_name))
    return todo


def _follow_ups(workspace: Workspace) -> Iterator[str]:
    yield _calendar_header(f"{workspace.name}: follow-ups")
    follow_ups = (
        FollowUp.objects.for_workspace(workspace)
        .filter(status=FollowUpStatus.OPEN)
        .select_related("person", "event")
        .order_by("due_at", "pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for follow_up in follow_ups:
        yield follow_up_component(workspace, follow_up).to_ical().decode("utf-8")
    yield _END


def follow_ups_ics(*, workspace: Workspace) -> Iterator[str]:
    """The workspace's open follow-ups as VTODOs, soonest due first, streamed."""
    return buffered(_follow_ups(workspace))


ICS_EXPORTS = {"events": events_ics, "follow-ups": follow_ups_ics}
