"""iCalendar files (.ics) into event records with their attendees.

What `parse` promises:

- It streams: the file is read in chunks and split into components here; each VEVENT
  goes to icalendar on its own and its record is yielded before the next one is read.
  (An event whose TZID is defined by a VTIMEZONE further down waits for the end of its
  calendar.) Memory is bounded by the largest component (`MAX_COMPONENT`).
- One `EventRecord` per VEVENT: a recurring series is one record with its RRULE text as
  the file gave it. Nothing is ever expanded into occurrences, so no rule, however
  large its COUNT (`FREQ=SECONDLY;COUNT=2000000000`), costs time; a COUNT above
  `options.max_occurrences` only adds a warning. VALARM, VTODO, VJOURNAL and the
  other components are skipped unread (so VALARM REPEAT bombs never reach icalendar).
- Times: DTSTART/DTEND with a TZID are aware datetimes in that zone, `time_zone` its
  IANA name. The TZID may be an IANA name, a Windows name (`W. Europe Standard Time`,
  with or without a VTIMEZONE: icalendar's table), a "globally unique" `/vendor/Area/City`
  one, or any name a VTIMEZONE of the file defines (`tzone://Microsoft/Custom`,
  `Customized Time Zone`). Zones are resolved here, never through icalendar's
  process-wide timezone cache, which keeps the first definition of a name it ever saw
  and would give one user's custom zone to another's file: icalendar gets the times
  without their TZID and reads VTIMEZONEs renamed. A VTIMEZONE's rules are followed by
  hand up to the year 2200 (see `Rules`), and only the yearly rules real zones use, so
  no definition can make this slow; other rules are an error when an event uses them.
  A custom zone
  whose rules match the calendar's zone (`X-WR-TIMEZONE`, else `options.time_zone`) in
  the event's year is taken as that zone; otherwise the times keep their exact UTC
  offset and the record says so in a warning (a series will not follow DST changes).
- Floating times and TZIDs nobody defines are taken in the calendar's `X-WR-TIMEZONE`
  if it names a zone, else in `options.time_zone`, with a warning on the record. UTC
  times are shown in the calendar's zone when it has one.
- A local time in a daylight-saving gap (`TZID=Europe/Berlin:20240331T023000`) is read
  as RFC 5545 §3.3.5 says (the offset before the gap), so it becomes 03:30 CEST, and
  the record gets a warning. An ambiguous time (clocks going back) is its first
  occurrence, as the RFC says, without a warning.
- All-day events keep `date` values: `starts_at` is DTSTART, `ends_at` DTEND as the
  file gives it (exclusive: the day after the last day), `all_day` is True.
- DESCRIPTION is plain text in `notes` (Outlook's `X-ALT-DESC` HTML is not read).
- Attendees: every ATTENDEE but rooms and resources (CUTYPE=ROOM/RESOURCE), with CN,
  the `mailto:` address and PARTSTAT as `rsvp` (ACCEPTED, DECLINED, TENTATIVE; anything
  else is "unknown"). ORGANIZER is not an attendee unless also listed. An attendee
  whose address is not `mailto:` keeps it in `external_ids["calendar-address"]` — but
  our own export's `urn:x-followthrough:` address stands for the person's UID
  (`own_uids.uid_of_address`).
- Errors: `ParseError` names the line of the component's BEGIN (the message names the
  property's own line) and the property. icalendar is lenient and lists what it could
  not read in `component.errors`; every such error in a property this parser reads is
  a `ParseError`. Properties it does not read are dropped before icalendar sees them,
  so their oddities are harmless; a line that is no content line at all inside a VEVENT
  or VTIMEZONE is an error (it may be the event's own data, broken) unless it follows
  a property that is not read (a broken fold of Apple's long X- lines). So are: no
  DTSTART, DTSTART/DTEND/UID twice, an end before the start, a date and a date-time
  mixed, a time beyond the years 1 to 9999, an unreadable time zone definition that an
  event uses, components not closed, text outside any component (but X- lines such as
  `X-COMMENT`), nesting deeper than `MAX_DEPTH`, and a file without a single VEVENT.
- Kept as warnings on the record: floating/unknown zones, DST gaps, custom zones kept
  at their offset, EXDATE/RDATE (not kept: EventRecord has no place for them), a
  changed occurrence of a series (RECURRENCE-ID: imported as its own event with the
  UID `UID;RECURRENCE-ID=…`), rooms left out, a missing UID or SUMMARY, CANCELLED.
"""

from __future__ import annotations

import calendar as _calendar
import functools
import re
import urllib.parse
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from icalendar.cal.component import Component
from icalendar.parser.content_line import Contentline
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from followthrough.exchange.formats.own_uids import UID_SYSTEM, uid_of_address
from followthrough.exchange.formats.records import AttendeeRecord, EventRecord, ParseError
from followthrough.exchange.formats.registry import ParseOptions
from followthrough.exchange.formats.text import clean_text, read_lines

MAX_COMPONENT = 10 * 1024 * 1024  # characters in one VEVENT or VTIMEZONE
MAX_DEPTH = 16  # components inside components
MAX_CUSTOM_ZONES = 50  # VTIMEZONE rule sets read per file
HORIZON = 2200  # VTIMEZONE rules are followed up to this year
MAX_ONSETS = 20_000  # transitions of one VTIMEZONE

# The VEVENT properties handed to icalendar; all others are dropped unread.
READ = frozenset(
    {
        "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION", "LOCATION", "UID",
        "RRULE", "ATTENDEE", "RECURRENCE-ID", "STATUS",
    }
)  # fmt: skip
SINGLE = ("DTSTART", "DTEND", "DURATION", "UID", "RECURRENCE-ID")
ZONE_READ = frozenset({"TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"})
RSVP = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}
NOT_ZONES = frozenset({"localtime", "Factory", ""})

_NAME = re.compile(r"([A-Za-z0-9-]+)(?=[;:])")


@dataclass
class Content:
    """One unfolded content line: where it starts, its name, parameters and raw value."""

    number: int
    text: str
    name: str
    params: Any = None
    value: str = ""


@dataclass
class Block:
    """A VEVENT or VTIMEZONE with its content lines (BEGIN and END not included)."""

    name: str
    line: int
    lines: list[Content] = field(default_factory=list)
    extra: set[str] = field(default_factory=set)  # names of properties dropped unread
    size: int = 0
    dropped_last: bool = False  # whether the last property was dropped unread

    def all(self, name: str) -> list[Content]:
        return [c for c in self.lines if c.name == name]

    def first(self, name: str) -> Content | None:
        return next((c for c in self.lines if c.name == name), None)


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


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[EventRecord]:
    """Yield an EventRecord per VEVENT of an .ics stream; see the module for the rules."""
    fallback = known_zone(options.time_zone)
    if fallback is None:
        raise ParseError(f"unknown time zone “{options.time_zone}” for floating times")
    count = 0
    reader = Reader()
    lines = read_lines(stream, max_line=MAX_COMPONENT, what="an iCalendar file")
    for block, calendar in reader.events(lines):
        yield event_record(block, calendar, fallback, options)
        count += 1
    if not count:
        raise ParseError("the file holds no events (no BEGIN:VEVENT … END:VEVENT)")


# --- Time zones ----------------------------------------------------------------------


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
        return cls(months, days or ([] if weekdays else [start.day]), weekdays, (*time, seconds[0]))


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


# --- Reading components ----------------------------------------------------------------


def unfold(physical: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Logical lines: a line starting with a space or tab continues the one before."""
    number, current = 0, None
    for line_number, text in physical:
        if current is not None and text[:1] in (" ", "\t"):
            current += text[1:]
            continue
        if current is not None:
            yield number, current
        number, current = line_number, text
    if current is not None:
        yield number, current


def content(number: int, text: str, block: Block) -> Content:
    """Parse a content line of a component (icalendar's parser), or fail with its line."""
    try:
        name, params, value = Contentline(text).raw_parts()
    except Exception as error:
        raise ParseError(
            f"line {number} is not an iCalendar property: “{text[:60]}”", line=block.line
        ) from error
    return Content(number, text, name.upper(), params, value)


class Reader:
    """Splits unfolded lines into calendars and their VEVENT and VTIMEZONE blocks."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []  # open components outside blocks
        self.block: Block | None = None
        self.inner: list[str] = []  # components open inside the block
        self.calendar: Calendar | None = None

    def events(self, physical: Iterator[tuple[int, str]]) -> Iterator[tuple[Block, Calendar]]:
        """Each VEVENT with its calendar, once the zones it names are known."""
        for number, text in unfold(physical):
            keyword, _, rest = text.partition(":")
            keyword = keyword.strip().upper()
            name = rest.strip().upper() if keyword in ("BEGIN", "END") else ""
            if self.block is not None:
                yield from self._in_block(number, text, keyword, name)
            elif keyword == "BEGIN":
                yield from self._begin(number, name)
            elif keyword == "END":
                yield from self._end(number, name)
            elif self.stack and self.stack[-1][0] == "VCALENDAR":
                self._calendar_property(number, text)
            elif not self.stack and text.strip() and text[:2].upper() != "X-":
                raise ParseError(
                    "text outside any component (an .ics file starts with BEGIN:VCALENDAR)",
                    line=number,
                )
        yield from self._finish()

    def _begin(self, number: int, name: str) -> Iterator[tuple[Block, Calendar]]:
        if len(self.stack) >= MAX_DEPTH:
            raise ParseError(f"components nested more than {MAX_DEPTH} deep", line=number)
        top = [n for n, _ in self.stack]
        if name == "VCALENDAR" and not top:
            if self.calendar is not None:  # bare VEVENTs before: their calendar ends here
                yield from self._release(self.calendar)
            self.calendar = Calendar()
        if name in ("VEVENT", "VTIMEZONE") and top in ([], ["VCALENDAR"]):
            if self.calendar is None:
                self.calendar = Calendar()  # a bare VEVENT: a calendar of its own
            self.block = Block(name, number)
            self.inner = []
            return
        self.stack.append((name, number))

    def _end(self, number: int, name: str) -> Iterator[tuple[Block, Calendar]]:
        if not self.stack or self.stack[-1][0] != name:
            expected = f"END:{self.stack[-1][0]}" if self.stack else "no END"
            raise ParseError(f"END:{name} where {expected} was expected", line=number)
        self.stack.pop()
        if name == "VCALENDAR" and not self.stack and self.calendar is not None:
            yield from self._release(self.calendar)
            self.calendar = None

    def _release(self, calendar: Calendar) -> Iterator[tuple[Block, Calendar]]:
        waiting, calendar.waiting = calendar.waiting, []
        for block in waiting:
            yield block, calendar

    def _calendar_property(self, number: int, text: str) -> None:
        """The calendar's own zone (X-WR-TIMEZONE, Google and Apple) if it names one."""
        match = _NAME.match(text)
        if match and match.group(1).upper() == "X-WR-TIMEZONE" and self.calendar is not None:
            value = text.partition(":")[2].strip()
            self.calendar.default = self.calendar.default or known_zone(value)

    def _in_block(
        self, number: int, text: str, keyword: str, name: str
    ) -> Iterator[tuple[Block, Calendar]]:
        block = self.block
        assert block is not None and self.calendar is not None
        block.size += len(text)
        if block.size > MAX_COMPONENT:
            raise ParseError(
                f"the {block.name} is larger than {MAX_COMPONENT // 2**20} MB", line=block.line
            )
        if keyword == "BEGIN":
            if len(self.inner) + len(self.stack) >= MAX_DEPTH:
                raise ParseError(f"components nested more than {MAX_DEPTH} deep", line=number)
            self.inner.append(name)
            if (
                block.name == "VTIMEZONE"
                and name in ("STANDARD", "DAYLIGHT")
                and len(self.inner) == 1
            ):
                block.lines.append(Content(number, text.strip(), "BEGIN"))
        elif keyword == "END" and self.inner:
            if self.inner[-1] != name:
                raise ParseError(f"END:{name} where END:{self.inner[-1]} was expected", line=number)
            self.inner.pop()
            if block.name == "VTIMEZONE" and name in ("STANDARD", "DAYLIGHT") and not self.inner:
                block.lines.append(Content(number, text.strip(), "END"))
        elif keyword == "END":
            if name != block.name:
                raise ParseError(f"END:{name} where END:{block.name} was expected", line=number)
            self.block = None
            yield from self._complete(block, self.calendar)
        elif not self.inner or (
            block.name == "VTIMEZONE" and self.inner in (["STANDARD"], ["DAYLIGHT"])
        ):
            self._property(number, text, block)

    def _property(self, number: int, text: str, block: Block) -> None:
        match = _NAME.match(text)
        if not match:
            # Junk after a property that is not read (a broken fold of a long X-APPLE-…
            # line) cannot change the event; anywhere else it may be the event's data.
            if text.strip() and not block.dropped_last:
                raise ParseError(
                    f"line {number} is not an iCalendar property: “{text[:60]}”", line=block.line
                )
            return
        name = match.group(1).upper()
        wanted = READ if block.name == "VEVENT" else ZONE_READ
        block.dropped_last = name not in wanted
        if name in wanted:
            block.lines.append(content(number, text, block))
        else:
            block.extra.add(name)

    def _complete(self, block: Block, calendar: Calendar) -> Iterator[tuple[Block, Calendar]]:
        if block.name == "VTIMEZONE":
            tzid = block.first("TZID")
            # TZID is TEXT here (Outlook escapes its commas) but a plain parameter value.
            name = re.sub(r"\\([\\,;])", r"\1", tzid.value).strip() if tzid else ""
            if name:
                calendar.zone_blocks.setdefault(name, block)
            return
        tzids = {
            str(c.params.get("TZID")) for c in block.lines if c.params and c.params.get("TZID")
        }
        if all(calendar.defines(tzid) for tzid in tzids):
            yield block, calendar
        else:
            calendar.waiting.append(block)

    def _finish(self) -> Iterator[tuple[Block, Calendar]]:
        if self.block is not None:
            raise ParseError(
                f"the {self.block.name} never ends (a cut-off file?)", line=self.block.line
            )
        if self.stack:
            name, number = self.stack[-1]
            raise ParseError(
                f"the {name} never ends: END:{name} is missing (a cut-off file?)", line=number
            )
        if self.calendar is not None:
            yield from self._release(self.calendar)


# --- Events --------------------------------------------------------------------------


@dataclass
class Context:
    """What reading one event needs and collects."""

    block: Block
    calendar: Calendar
    fallback: Zone
    options: ParseOptions
    event: Any = None
    warnings: list[str] = field(default_factory=list)

    def error(self, message: str, name: str) -> ParseError:
        line = self.block.first(name)
        where = f" (line {line.number})" if line else ""
        return ParseError(f"{message}{where}", line=self.block.line, field=name)


_TZID = re.compile(r';TZID=(?:"[^"]*"|[^;:"]*)', re.IGNORECASE)
_ZONED = frozenset({"DTSTART", "DTEND", "RECURRENCE-ID"})


def _without_tzid(line: Content) -> str:
    """The line without its TZID parameter: zones are resolved here (`Calendar.resolve`),
    so icalendar reads the wall time and never consults its process-wide zone cache."""
    if line.name not in _ZONED or not line.params or "TZID" not in line.params:
        return line.text
    split = Contentline(line.text).value_separator_index()
    return _TZID.sub("", line.text[:split]) + line.text[split:]


def read_event(ctx: Context) -> None:
    """icalendar's reading of the event's lines, its errors turned into ParseError."""
    lines = (_without_tzid(c) for c in ctx.block.lines)
    text = "\r\n".join(["BEGIN:VEVENT", *lines, "END:VEVENT"])
    try:
        event = icalendar.Event.from_ical(text + "\r\n")
    except Exception as error:  # icalendar fails in many ways on odd input
        raise ParseError(f"unreadable event: {error}", line=ctx.block.line) from error
    if event.errors:
        name, message = event.errors[0]
        raise ctx.error(f"unreadable {name or 'line'}: {message}", name or "")
    for name in SINGLE:
        if isinstance(event.get(name), list):
            raise ctx.error(f"{name} is given more than once", name)
    ctx.event = event


def event_record(
    block: Block, calendar: Calendar, fallback: Zone, options: ParseOptions
) -> EventRecord:
    """The record of one VEVENT; see the module for the rules."""
    ctx = Context(block, calendar, fallback, options)
    read_event(ctx)
    if ctx.event.get("DTSTART") is None:
        raise ctx.error("the event has no start (DTSTART)", "DTSTART")
    try:
        starts_at, time_zone = moment(ctx, "DTSTART")
        ends_at = end(ctx, starts_at)
    except OverflowError as error:  # a zone or a duration beyond the years 1 to 9999
        raise ParseError("a date or time out of range", line=block.line) from error
    event = ctx.event
    title = _text(event.get("SUMMARY"))
    if not title:
        title = "(no title)"
        ctx.warnings.append("the event has no title (SUMMARY)")
    uid = _text(event.get("UID"))
    if not uid:
        ctx.warnings.append("the event has no UID: importing the file again will add it again")
    uid = _recurrence(ctx, uid)
    if _text(event.get("STATUS")).upper() == "CANCELLED":
        ctx.warnings.append("the event is cancelled (STATUS:CANCELLED)")
    return EventRecord(
        line=block.line,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=not isinstance(starts_at, datetime),
        time_zone=time_zone,
        location=_text(event.get("LOCATION")),
        notes=_text(event.get("DESCRIPTION"), strip=False).strip("\n"),
        rrule=rrule(ctx),
        uid=uid,
        attendees=attendees(ctx),
        warnings=list(dict.fromkeys(ctx.warnings)),
    )


def _text(value: Any, *, strip: bool = True) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    text = clean_text(str(value or ""))
    return text.strip() if strip else text


def _recurrence(ctx: Context, uid: str) -> str:
    recurrence = ctx.block.first("RECURRENCE-ID")
    if recurrence is None:
        return uid
    ctx.warnings.append(
        f"a changed occurrence ({recurrence.value}) of the series {uid or 'without UID'}: "
        "imported as an event of its own"
    )
    return f"{uid};RECURRENCE-ID={recurrence.value.strip()}"


def moment(ctx: Context, name: str) -> tuple[date | datetime, str]:
    """A DTSTART/DTEND/RECURRENCE-ID value in its zone, and the zone's IANA name."""
    prop = ctx.event[name]
    value = prop.dt
    if not isinstance(value, datetime):
        if not isinstance(value, date):
            raise ctx.error(f"{name} is not a date or a date-time", name)
        return value, ""
    raw = ctx.block.first(name)
    tzid = raw.params.get("TZID") if raw is not None and raw.params else None
    if value.tzinfo is not None:  # UTC (`…Z`), which wins over a TZID
        instant = value.astimezone(UTC).replace(tzinfo=None)
        zone = ctx.calendar.default
        if zone is None:
            return instant.replace(tzinfo=UTC), "UTC"
        return instant.replace(tzinfo=UTC).astimezone(zone.zoneinfo), zone.name
    wall = value.replace(tzinfo=None)
    zone = _zone_for(ctx, name, str(tzid) if tzid else "")
    return place(ctx, name, wall, zone, _year_match(ctx, zone, wall))


def _zone_for(ctx: Context, name: str, tzid: str) -> Zone:
    """The zone of a time's TZID; unknown TZIDs and floating times get the calendar's."""
    default = ctx.calendar.default or ctx.fallback
    try:
        zone = ctx.calendar.resolve(tzid) if tzid else None
    except ParseError as error:
        raise ParseError(
            f"{error.message} (used by {name})", line=ctx.block.line, field=name
        ) from error
    if zone is not None:
        return zone
    if tzid:
        ctx.warnings.append(
            f"the time zone “{tzid[:60]}” is unknown; its times taken in {default.name}"
        )
    else:
        ctx.warnings.append(f"floating times (no zone) taken in {default.name}")
    return default


def _year_match(ctx: Context, zone: Zone, wall: datetime) -> Zone:
    """A custom zone that follows the calendar's zone in this year becomes that zone."""
    if zone.rules is None:
        return zone
    default = ctx.calendar.default or ctx.fallback
    key = (zone.label, wall.year)
    if key not in ctx.calendar.same:
        ctx.calendar.same[key] = same_rules(zone, default, wall.year)
    return default if ctx.calendar.same[key] else zone


def place(ctx: Context, name: str, wall: datetime, zone: Zone, shown: Zone) -> tuple[datetime, str]:
    """A wall time in a zone as an aware datetime (in `shown`, the same rules for its
    year), moved out of a DST gap as RFC 5545 says, with a warning when it was."""
    offset = zone.offset_at_wall(wall)
    instant = wall - offset
    real = instant + zone.offset_at_instant(instant)
    if real != wall:
        ctx.warnings.append(
            f"{name}: {wall:%Y-%m-%d %H:%M} does not exist in {zone.label} (the clocks go "
            f"forward); taken as {real:%H:%M}, as RFC 5545 reads it"
        )
    if shown.zoneinfo is not None:
        return instant.replace(tzinfo=UTC).astimezone(shown.zoneinfo), shown.name
    at = zone.offset_at_instant(instant)
    ctx.warnings.append(
        f"the time zone “{zone.label[:60]}” is the file's own; its times keep their UTC offset "
        f"({_offset(at)}), so a series will not follow daylight-saving changes"
    )
    return (instant + at).replace(tzinfo=timezone(at)), ""


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def end(ctx: Context, start: date | datetime) -> date | datetime | None:
    """DTEND, else DTSTART + DURATION, else None; an end before the start is an error."""
    event = ctx.event
    if event.get("DTEND") is not None:
        if event.get("DURATION") is not None:
            ctx.warnings.append("both DTEND and DURATION given; DTEND kept")
        ends_at, _ = moment(ctx, "DTEND")
        name = "DTEND"
    elif event.get("DURATION") is not None:
        ends_at, name = _after(ctx, start, event["DURATION"].dt), "DURATION"
    else:
        return None
    if isinstance(start, datetime) != isinstance(ends_at, datetime):
        raise ctx.error("DTSTART and the end must both be dates or both date-times", name)
    if ends_at < start:  # type: ignore[operator]
        raise ctx.error(f"the event ends ({ends_at}) before it starts ({start})", name)
    return ends_at


def _after(ctx: Context, start: date | datetime, duration: Any) -> date | datetime:
    if not isinstance(duration, timedelta):
        raise ctx.error("DURATION is not a duration", "DURATION")
    if duration < timedelta(0):
        raise ctx.error("DURATION is negative", "DURATION")
    if not isinstance(start, datetime):
        return start + timedelta(days=duration.days)
    # Days are nominal (the same wall time), the rest exact (RFC 5545 §3.3.6).
    day_later = start.replace(tzinfo=None) + timedelta(days=duration.days)
    wall = start.tzinfo
    if isinstance(wall, ZoneInfo):
        local = day_later.replace(tzinfo=wall)
    else:
        local = start + timedelta(days=duration.days)
    return (local.astimezone(UTC) + timedelta(seconds=duration.seconds)).astimezone(start.tzinfo)


def rrule(ctx: Context) -> str:
    """The first RRULE as the file gave it; a few things about it as warnings."""
    rules = ctx.block.all("RRULE")
    if not rules:
        return ""
    if len(rules) > 1:
        ctx.warnings.append(f"{len(rules)} RRULEs; only the first is kept")
    parsed = ctx.event["RRULE"]
    parsed = parsed[0] if isinstance(parsed, list) else parsed
    count = parsed.get("COUNT", [None])[0]
    if count is not None and int(count) > ctx.options.max_occurrences:
        ctx.warnings.append(
            f"the series has {int(count):,} occurrences, more than the "
            f"{ctx.options.max_occurrences:,} that are ever expanded"
        )
    for name in ("EXDATE", "RDATE"):
        if name in ctx.block.extra:
            ctx.warnings.append(f"{name} (dates added to or taken out of the series) is not kept")
    return rules[0].value.strip()


def _address_ids(address: str) -> dict[str, str]:
    """An attendee's identity from a calendar address that is not an e-mail: ours stands
    for the person's UID (`own_uids`), any other is kept as it is."""
    uid = uid_of_address(address)
    return {UID_SYSTEM: uid} if uid else {"calendar-address": address}


def attendees(ctx: Context) -> list[AttendeeRecord]:
    """The event's ATTENDEEs but rooms and resources, each once (by e-mail)."""
    values = ctx.event.get("ATTENDEE", [])
    values = values if isinstance(values, list) else [values]
    records: list[AttendeeRecord] = []
    seen: set[str] = set()
    for value, line in zip(values, ctx.block.all("ATTENDEE"), strict=False):
        params = value.params
        name = _text(params.get("CN", ""))
        if str(params.get("CUTYPE", "")).upper() in ("ROOM", "RESOURCE"):
            ctx.warnings.append(f"the room or resource “{name or value}” is not an attendee")
            continue
        address = clean_text(str(value)).strip()
        email = ""
        if address.lower().startswith("mailto:"):
            email = urllib.parse.unquote(address[7:]).strip()
        key = (email or address or name).casefold()
        if not key or key in seen:
            continue
        seen.add(key)
        records.append(
            AttendeeRecord(
                line=line.number,
                name="" if name.casefold() == email.casefold() else name,
                email=email,
                rsvp=RSVP.get(str(params.get("PARTSTAT", "")).upper(), "unknown"),
                checked_in=str(params.get("X-CHECKED-IN", "")).upper() == "TRUE",
                external_ids=_address_ids(address) if address and not email else {},
            )
        )
    return records
