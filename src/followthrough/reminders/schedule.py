"""When a weekly digest is due: pure functions of the clock, no database."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta


def digest_slot(*, now: datetime, zone: str, weekday: int, hour: int) -> datetime:
    """The latest weekly slot (`weekday` 0 = Monday, at `hour`:00 local time in `zone`) at
    or before `now`, as an aware UTC datetime.

    The slot is built on the local calendar, not by subtracting a week of 168 hours, so it
    stays at the same wall-clock hour across a daylight-saving change. An hour that does
    not exist that day (skipped by the change) resolves as zoneinfo does with fold=0:
    one hour later on the wall clock, the same instant as the old offset's reading.
    """
    tz = zoneinfo.ZoneInfo(zone)
    local = now.astimezone(tz)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    for _ in range(2):
        slot = datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)
        if slot <= now:
            return slot
        day -= timedelta(days=7)  # today is the weekday, but the hour is still ahead
    raise AssertionError("unreachable: a week earlier is always in the past")


def digest_is_due(
    *,
    now: datetime,
    zone: str,
    weekday: int,
    hour: int,
    last_sent_at: datetime | None,
    created_at: datetime,
) -> bool:
    """Whether a slot has passed that was not handled yet. A new subscription waits for
    its first slot after it was made (no digest the minute someone joins), and a worker
    that was down for weeks sends one digest when it is back, not one per week missed."""
    slot = digest_slot(now=now, zone=zone, weekday=weekday, hour=hour)
    handled = max(last_sent_at, created_at) if last_sent_at else created_at
    return slot > handled
