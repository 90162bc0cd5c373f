"""When the next nudge of an unanswered outreach (or a sequence's next step) is due: the
one rule, pure code.

Gaps count whole days from the day the outreach was sent, in the workspace's time zone,
at the same wall-clock time: an e-mail sent at 09:00 the Friday before a DST change is
nudged at 09:00 four days later, not at 08:00 or 10:00.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta


def nudge_offset_days(*, index: int, gaps: list[int]) -> int:
    """Days from the send date to nudge number `index + 1`. Past the listed gaps, each
    further nudge waits as long again as the last step between them."""
    if index < len(gaps):
        return gaps[index]
    step = gaps[-1] - (gaps[-2] if len(gaps) > 1 else 0)
    return gaps[-1] + step * (index - len(gaps) + 1)


def nudge_due(
    *, sent_at: datetime, nudge_count: int, gaps: list[int], cap: int, zone: str
) -> datetime | None:
    """When nudge number `nudge_count + 1` is due, or None once `cap` nudges are made."""
    if nudge_count >= cap:
        return None
    days = nudge_offset_days(index=nudge_count, gaps=gaps)
    return days_later_same_time(start=sent_at, days=days, zone=zone)


def days_later_same_time(*, start: datetime, days: int, zone: str) -> datetime:
    """`days` calendar days after `start` in the zone, at the same wall-clock time (UTC)."""
    tz = zoneinfo.ZoneInfo(zone)
    local = start.astimezone(tz)
    day = local.date() + timedelta(days=days)
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=tz)
    # A wall time skipped by a spring-forward change normalises through UTC.
    return wall.astimezone(zoneinfo.ZoneInfo("UTC"))
