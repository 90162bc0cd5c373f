"""The time zones of an iCalendar file: IANA, Windows and "globally unique" names
(`known_zone`), the zones a VTIMEZONE defines with its own rules (`custom_zone`, followed
by hand up to `HORIZON`), and what one VCALENDAR defines (`Calendar`)."""

from __future__ import annotations

import calendar as _calendar
import functools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.cal.component import Component
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from followthrough.exchange.formats.ics.lines import Block
from followthrough.exchange.formats.records import ParseError

MAX_CUSTOM_ZONES = 50  # VTIMEZONE rule sets read per file
HORIZON = 2200  # VTIMEZONE rules are followed up to this year
MAX_ONSETS = 20_000  # transitions of one VTIMEZONE
NOT_ZONES = frozenset({"localtime", "Factory", ""})


@dataclass(frozen=True)
class Zone:
    """A zone times are read in: an IANA zone (`name` set) or a file's own rules."""

    name: str
    zoneinfo: ZoneInfo | None = None
    rules: Rules | None = None
    label: str = ""

    def offset_at_wall(self, wall: datetime) -> timedelta:
        if self.zoneinfo is not None:
            return wall.replace(tzinfo=self.zoneinfo).utcoffset() or timedelta(0)
        assert self.rules is not None
        return self.rules.at_wall(wall)

    def offset_at_instant(self, instant: datetime) -> timedelta:
        """The offset at a naive UTC instant."""
        if self.zoneinfo is not None:
            return instant.replace(tzinfo=UTC).astimezone(self.zoneinfo).utcoffset() or timedelta(0)
        assert self.rules is not None
        return self.rules.at_instant(instant)


@functools.lru_cache(maxsize=512)
def known_zone(tzid: str) -> Zone | None:
    """An IANA zone for a TZID: an IANA name, a Windows name, or a "globally unique"
    `/vendor/…/Area/City` name (the longest IANA suffix). None if none fits."""
    cleaned = tzid.strip().strip('"').strip()
    candidates = [cleaned.strip("/")]
    if cleaned.strip("/") in WINDOWS_TO_OLSON:
        candidates.append(WINDOWS_TO_OLSON[cleaned.strip("/")])
    if cleaned.startswith("/"):
        parts = cleaned.strip("/").split("/")
        candidates += ["/".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        if candidate in NOT_ZONES or len(candidate) > 100:
            continue
        try:
            return Zone(candidate, zoneinfo=ZoneInfo(candidate), label=candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


@dataclass(frozen=True, eq=False)
class Rules:
    """A VTIMEZONE's transitions, computed once: naive UTC instants and the offset from
    each on. Wall times follow RFC 5545 §3.3.5: in a gap and in an overlap the offset
    before the transition applies."""

    instants: list[datetime]
    offsets: list[timedelta]
    walls: list[datetime]  # the wall time from which each offset applies
    before: timedelta  # the offset before the first transition

    @classmethod
    def build(cls, transitions: list[tuple[datetime, timedelta, timedelta]]) -> Rules:
        """From (onset in local time, offset from, offset to) of every transition."""
        ordered = sorted((onset - before, before, after) for onset, before, after in transitions)
        walls = [instant + max(before, after) for instant, before, after in ordered]
        return cls(
            instants=[t[0] for t in ordered],
            offsets=[t[2] for t in ordered],
            walls=walls,
            before=ordered[0][1],
        )

    def at_wall(self, wall: datetime) -> timedelta:
        index = bisect_right(self.walls, wall) - 1
        return self.offsets[index] if index >= 0 else self.before

    def at_instant(self, instant: datetime) -> timedelta:
        index = bisect_right(self.instants, instant) - 1
        return self.offsets[index] if index >= 0 else self.before


_WEEKDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_RULE_KEYS = frozenset(
    {"FREQ", "INTERVAL", "BYMONTH", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}
    | {"BYHOUR", "BYMINUTE", "BYSECOND"}
)


@dataclass
class YearlyRule:
    """A VTIMEZONE RRULE of the only kind real zones use: yearly, in given months, on
    month days and/or nth weekdays, at one time of day."""

    months: list[int]
    days: list[int]
    weekdays: list[tuple[int, int]]  # (weekday, n): n = 0 every, 2 second, -1 last
    time: tuple[int, int, int]

    @classmethod
    def read(cls, rule: Any, start: datetime) -> YearlyRule:
        """`ValueError` for any other rule (which also keeps following it bounded)."""
        if not set(rule) <= _RULE_KEYS or [str(f).upper() for f in rule.get("FREQ", [])] != [
            "YEARLY"
        ]:
            raise ValueError(f"unsupported rule {rule.to_ical().decode()[:80]}")
        if [int(i) for i in rule.get("INTERVAL", [1])] != [1]:
            raise ValueError("a yearly rule with an INTERVAL")
        months = [int(str(m)) for m in rule.get("BYMONTH", [])] or [start.month]
        days = [int(d) for d in rule.get("BYMONTHDAY", [])]
        weekdays = []
        for day in rule.get("BYDAY", []):
            match = re.fullmatch(r"([+-]?\d{0,2})([A-Z]{2})", str(day).upper())
            if not match or match.group(2) not in _WEEKDAY or abs(int(match.group(1) or 0)) > 5:
                raise ValueError(f"BYDAY={day}")
            weekdays.append((_WEEKDAY[match.group(2)], int(match.group(1) or 0)))
        if not all(1 <= m <= 12 for m in months) or not all(1 <= abs(d) <= 31 for d in days):
            raise ValueError("BYMONTH or BYMONTHDAY out of range")
        time = []
        for key, default, top in (("BYHOUR", start.hour, 23), ("BYMINUTE", start.minute, 59)):
            values = [int(v) for v in rule.get(key, [default])]
            if len(values) != 1 or not 0 <= values[0] <= top:
                raise ValueError(f"{key} must be one value")
            time.append(values[0])
        seconds = [int(v) for v in rule.get("BYSECOND", [start.second])]
        if len(seconds) != 1 or not 0 <= seconds[0] <= 59:
            raise ValueError("BYSECOND must be one value")
        return cls(
            months,
            days or ([] if weekdays else [start.day]),
            weekdays,
            (time[0], time[1], seconds[0]),
        )


def _days_in_month(
    year: int, month: int, days: list[int], weekdays: list[tuple[int, int]]
) -> list[int]:
    """The days of a month a yearly rule picks (BYMONTHDAY and/or nth BYDAY)."""
    last = _calendar.monthrange(year, month)[1]
    picked = set(range(1, last + 1))
    if days:
        picked &= {d if d > 0 else last + 1 + d for d in days}
    if weekdays:
        chosen: set[int] = set()
        for weekday, nth in weekdays:
            matching = [
                d for d in range(1, last + 1) if _calendar.weekday(year, month, d) == weekday
            ]
            if not nth:
                chosen.update(matching)
            elif abs(nth) <= len(matching):
                chosen.add(matching[nth - 1 if nth > 0 else nth])
        picked &= chosen
    return sorted(picked)


def _onsets(sub: Component, start: datetime, offset_from: timedelta) -> list[datetime]:
    """The local onsets of a STANDARD/DAYLIGHT part: DTSTART, its yearly RRULE up to
    HORIZON (followed by hand: bounded, whatever the rule) and its RDATEs."""
    onsets = [start]
    rule = sub.get("RRULE")
    if isinstance(rule, list):
        raise ValueError("more than one RRULE")
    if rule is not None:
        yearly = YearlyRule.read(rule, start)
        until = rule.get("UNTIL", [None])[0]
        if isinstance(until, datetime) and until.tzinfo is not None:
            until = until.astimezone(UTC).replace(tzinfo=None) + offset_from
        elif isinstance(until, date) and not isinstance(until, datetime):
            until = datetime.combine(until, start.time())
        count = int(rule.get("COUNT", [MAX_ONSETS])[0])
        for year in range(start.year, HORIZON + 1):
            for month in yearly.months:
                for day in _days_in_month(year, month, yearly.days, yearly.weekdays):
                    onset = datetime(year, month, day, *yearly.time)
                    if onset > start and (until is None or onset <= until):
                        onsets.append(onset)
            if len(onsets) >= min(count, MAX_ONSETS) or (until is not None and year > until.year):
                break
        onsets = onsets[:count]
    for rdate in sub.get("RDATE", []) if isinstance(sub.get("RDATE"), list) else [sub.get("RDATE")]:
        for when in getattr(rdate, "dts", []):
            value = when.dt[0] if isinstance(when.dt, tuple) else when.dt
            if isinstance(value, datetime):
                onsets.append(value.replace(tzinfo=None))
    return onsets[:MAX_ONSETS]


def custom_zone(block: Block) -> Zone:
    """The zone a VTIMEZONE defines with its own rules; `ValueError` when unreadable.

    icalendar reads the properties; the component is renamed so that icalendar does not
    put it into its process-wide cache of time zones."""
    text = "\r\n".join(["BEGIN:X-FT-TIMEZONE", *(c.text for c in block.lines), "END:X-FT-TIMEZONE"])
    component = Component.from_ical(text + "\r\n")
    if component.errors:
        raise ValueError(component.errors[0][1])
    transitions = []
    for sub in component.subcomponents:
        if sub.name not in ("STANDARD", "DAYLIGHT"):
            continue
        start, before, after = sub.get("DTSTART"), sub.get("TZOFFSETFROM"), sub.get("TZOFFSETTO")
        if start is None or before is None or after is None:
            raise ValueError(f"{sub.name} needs DTSTART, TZOFFSETFROM and TZOFFSETTO")
        start_dt = (
            start.dt
            if isinstance(start.dt, datetime)
            else datetime.combine(start.dt, datetime.min.time())
        )
        start_dt = start_dt.replace(tzinfo=None)
        for onset in _onsets(sub, start_dt, before.td):
            transitions.append((onset, before.td, after.td))
    if not transitions:
        raise ValueError("no STANDARD or DAYLIGHT part")
    tzid = str(component.get("TZID", ""))
    return Zone("", rules=Rules.build(transitions[: MAX_ONSETS * 2]), label=tzid)


def same_rules(zone: Zone, other: Zone, year: int) -> bool:
    """Whether two zones have the same offset at noon UTC every day of `year`."""
    day = datetime(year, 1, 1, 12)
    while day.year == year:
        if zone.offset_at_instant(day) != other.offset_at_instant(day):
            return False
        day += timedelta(days=1)
    return True


@dataclass
class Calendar:
    """What one VCALENDAR defines: its VTIMEZONEs (read when first needed) and zone."""

    default: Zone | None = None
    method: str = ""  # METHOD (RFC 5546 iTIP), upper case; empty for a plain calendar
    zone_blocks: dict[str, Block] = field(default_factory=dict)
    zones: dict[str, Zone | ParseError] = field(default_factory=dict)
    waiting: list[Block] = field(default_factory=list)
    custom_read: int = 0
    same: dict[tuple[str, int], bool] = field(default_factory=dict)  # same_rules, cached

    def defines(self, tzid: str) -> bool:
        return known_zone(tzid) is not None or tzid in self.zone_blocks

    def resolve(self, tzid: str) -> Zone | None:
        """The zone of a TZID, None if unknown; `ParseError` if its VTIMEZONE is bad."""
        zone = known_zone(tzid)
        if zone is not None or tzid not in self.zone_blocks:
            return zone
        if tzid not in self.zones:
            self.zones[tzid] = self._read(tzid)
        found = self.zones[tzid]
        if isinstance(found, ParseError):
            raise found
        return found

    def _read(self, tzid: str) -> Zone | ParseError:
        block = self.zone_blocks[tzid]
        self.custom_read += 1
        if self.custom_read > MAX_CUSTOM_ZONES:
            return ParseError(f"more than {MAX_CUSTOM_ZONES} custom time zones", line=block.line)
        try:
            return custom_zone(block)
        except Exception as error:  # icalendar and our rule checks fail in many ways
            return ParseError(
                f"the time zone “{tzid}” cannot be read: {error}",
                line=block.line,
                field="VTIMEZONE",
            )
