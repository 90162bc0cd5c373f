"""The days of an all-day event. They are stored as iCalendar has them (and imports
keep them): midnights in the event's own zone, else the workspace's (the current zone in
a workspace's pages), with the end exclusive — DTSTART 1 May, DTEND 2 May is the one day
1 May."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone


@dataclass(frozen=True, slots=True)
class DaySpan:
    first: date
    last: date | None  # None: a one-day event


def zone_of(name: str) -> tzinfo:
    """The time zone of that name, else (none, or unknown) the current one."""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_current_timezone()


def day_span(starts_at: datetime, ends_at: datetime | None, zone_name: str = "") -> DaySpan:
    """The first and last day of an all-day event.

    Imports store an all-day event as midnights in its own zone (else the workspace's,
    the current zone in a workspace view) with the end exclusive, as iCalendar's DTEND:
    DTSTART 1 May with DTEND 2 May is the one day 1 May. An end later than midnight
    counts its own day.
    """
    zone = zone_of(zone_name)
    first = starts_at.astimezone(zone).date()
    if ends_at is None:
        return DaySpan(first, None)
    end = ends_at.astimezone(zone)
    last = end.date() if end.time() != time(0) else end.date() - timedelta(days=1)
    return DaySpan(first, last if last > first else None)


def all_day_bounds(first: date, last: date, zone_name: str = "") -> tuple[datetime, datetime]:
    """The stored start and (exclusive) end of an all-day event from its first day to its
    last, in the zone of that name (else the current one)."""
    zone = zone_of(zone_name)
    return (
        datetime.combine(first, time(0), tzinfo=zone),
        datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
    )
