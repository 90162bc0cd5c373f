"""A coffee invitation's calendar: up to three proposed times as one iCalendar request
(METHOD:REQUEST, one tentative VEVENT per time with its own UID, the organizer and the
attendee, times in the workspace's zone with its VTIMEZONE), and the times in words
for the e-mail's body."""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
from django.utils import timezone
from django.utils.dateformat import format as date_format

MAX_PROPOSALS = 3
PRODID = "-//Followthrough//Coffee invitation//EN"


@dataclass(frozen=True)
class Attendee:
    name: str
    address: str


def times_in_words(starts: list[datetime], zone: str) -> str:
    """ "- Tuesday 9 June, 10:00" lines, in the workspace's zone, named at the end."""
    tz = zoneinfo.ZoneInfo(zone)
    lines = [f"- {date_format(start.astimezone(tz), 'l j F, H:i')}" for start in starts]
    return "\n".join(lines) + f"\n(times are {zone})"


def proposals_json(starts: list[datetime], minutes: int, place: str) -> list[dict[str, str]]:
    """The proposals as kept on the message (UTC text), for "They chose …"."""
    return [
        {
            "starts_at": start.astimezone(UTC).isoformat(),
            "ends_at": (start + timedelta(minutes=minutes)).astimezone(UTC).isoformat(),
            "place": place,
        }
        for start in starts
    ]


def _address(attendee: Attendee, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{attendee.address}")
    address.params["CN"] = icalendar.vText(attendee.name or attendee.address)
    for name, value in params.items():
        address.params[name] = icalendar.vText(value)
    return address


def invitation_ics(
    *,
    starts: list[datetime],
    minutes: int,
    place: str,
    summary: str,
    description: str,
    organizer: Attendee,
    attendee: Attendee,
    zone: str,
    domain: str,
) -> str:
    """The iCalendar text of the invitation (CRLF line endings, as RFC 5545 asks)."""
    tz = zoneinfo.ZoneInfo(zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    stamp = timezone.now().astimezone(UTC)
    for start in starts:
        local = start.astimezone(tz)
        event = icalendar.Event()
        event.add("uid", f"{uuid.uuid4()}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", local)
        event.add("dtend", local + timedelta(minutes=minutes))
        event.add("summary", summary)
        if description:
            event.add("description", description)
        if place:
            event.add("location", place)
        event.add("status", "TENTATIVE")
        event.add("sequence", 0)
        event.add("organizer", _address(organizer))
        event.add(
            "attendee",
            _address(attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode("utf-8")
