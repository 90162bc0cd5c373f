"""When a follow-up made from a window (a focus pick's, a partner's, a news item's) falls
due: at a time of day someone works, in the workspace's zone — never "06:02" or a
Sunday. The window says "within so many hours"; its end is moved to the next working
hour, so the follow-up is due when the person can do it.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

DAY_STARTS = time(9, 0)
DAY_ENDS = time(17, 0)  # the last hour a follow-up falls due at
WORKING_DAYS = frozenset(range(5))  # Monday to Friday


def working_hour(at: datetime, zone: str) -> datetime:
    """`at` moved up to the next full hour of a working day in `zone`: from 9:00 to 17:00
    on Monday to Friday it is the next full hour (14:20 → 15:00); before 9:00 it is 9:00
    that day; after 17:00, at a weekend, it is 9:00 the next working day. Aware, in
    `zone`."""
    tz = zoneinfo.ZoneInfo(zone)
    local = at.astimezone(tz)
    hour = local.replace(minute=0, second=0, microsecond=0)
    if hour < local:
        hour += timedelta(hours=1)
    day = hour.date()
    if hour.time() > DAY_ENDS or hour.date() != local.date():
        day = local.date() + timedelta(days=1)
        hour = datetime.combine(day, DAY_STARTS, tzinfo=tz)
    elif hour.time() < DAY_STARTS:
        hour = datetime.combine(day, DAY_STARTS, tzinfo=tz)
    while hour.weekday() not in WORKING_DAYS:
        day += timedelta(days=1)
        hour = datetime.combine(day, DAY_STARTS, tzinfo=tz)
    return hour


def window_due(start: datetime, window_hours: int, zone: str) -> datetime:
    """A follow-up due within `window_hours` of `start`, at a working hour (`working_hour`)."""
    return working_hour(start + timedelta(hours=window_hours), zone)
