"""iCalendar files (.ics) into event records with their attendees.

What `parse` promises:

- It streams: the file is read in chunks and split into components here; each VEVENT
  goes to icalendar on its own and its record is yielded before the next one is read.
  (An event whose TZID is defined by a VTIMEZONE further down waits for the end of its
  calendar.) Memory is bounded by the largest component (`reader.MAX_COMPONENT`).
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
  hand up to the year 2200 (see `zones.Rules`), and only the yearly rules real zones use, so
  no definition can make this slow; other rules are an error when an event uses them.
  A custom zone
  whose rules match the calendar's zone (`X-WR-TIMEZONE`, else `options.time_zone`) in
  the event's year is taken as that zone; otherwise the times keep their exact UTC
  offset and the record says so in a warning (a series will not follow DST changes).
- Floating times and TZIDs nobody defines are taken in the calendar's `X-WR-TIMEZONE`
  if it names a zone, else in `options.time_zone`, with a warning on the record — but a
  floating DTSTART whose DTEND has a zone (or is UTC) is read in the end's zone, and
  a floating DTEND in a zoned DTSTART's, with a warning: read in another, an evening
  event could end before it starts. UTC times are shown in the calendar's zone when it
  has one.
- Lenient where real files are and nothing is in doubt: spaces around a time, duration,
  status or rule value (`DTEND: 20240812T223000Z`) and around an RRULE's separators
  (`BYDAY=MO, TU`) are left out before icalendar reads the line, with a warning naming
  the line. A VEVENT without DTSTART in an iTIP message that allows it (`METHOD:CANCEL`,
  `REPLY`, `REFRESH`, `DECLINECOUNTER`; RFC 5546) is a `SkippedRecord` naming the event:
  the import lists it in the preview and warns with its line; a cancellation's UID is
  `SkippedRecord.cancels`, and the loader marks the event it names cancelled.
- An event with STATUS:CANCELLED, or in a METHOD:CANCEL message, is `cancelled`.
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
  DTSTART (outside the iTIP messages above), DTSTART/DTEND/UID twice, an end before
  the start, a date and a date-time mixed, a time beyond the years 1 to 9999, an
  unreadable time zone definition that an event uses, components not closed, text
  outside any component (but X- lines such as `X-COMMENT`), nesting deeper than
  `reader.MAX_DEPTH`, and a file without a single VEVENT (the message says what it
  holds instead: to-dos, journal entries, free/busy blocks).
- Kept as warnings on the record: floating/unknown zones, DST gaps, custom zones kept
  at their offset, EXDATE/RDATE (not kept: EventRecord has no place for them), a
  changed occurrence of a series (RECURRENCE-ID: imported as its own event with the
  UID `UID;RECURRENCE-ID=…`), rooms left out, a missing UID or SUMMARY.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import icalendar
from icalendar.parser.content_line import Contentline

from followthrough.exchange.formats.ics.lines import Block, Content
from followthrough.exchange.formats.ics.reader import MAX_COMPONENT, Reader
from followthrough.exchange.formats.ics.zones import Calendar, Zone, known_zone, same_rules
from followthrough.exchange.formats.own_uids import UID_SYSTEM, uid_of_address
from followthrough.exchange.formats.records import (
    AttendeeRecord,
    EventRecord,
    ParseError,
    SkippedRecord,
)
from followthrough.exchange.formats.registry import ParseOptions
from followthrough.exchange.formats.text import clean_text, read_lines

SINGLE = ("DTSTART", "DTEND", "DURATION", "UID", "RECURRENCE-ID")
RSVP = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}
# iTIP methods whose VEVENTs may leave DTSTART out (RFC 5546 §3.2).
NO_START_METHODS = frozenset({"CANCEL", "REPLY", "REFRESH", "DECLINECOUNTER"})


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[EventRecord | SkippedRecord]:
    """Yield an EventRecord per VEVENT of an .ics stream; see the module for the rules."""
    fallback = known_zone(options.time_zone)
    if fallback is None:
        raise ParseError(f"unknown time zone “{options.time_zone}” for floating times")
    count = 0
    reader = Reader()
    lines = read_lines(stream, max_line=MAX_COMPONENT, what="an iCalendar file")
    for block, calendar in reader.events(lines):
        skipped = _without_start(block, calendar)
        if skipped is not None:
            yield skipped
        else:
            yield event_record(block, calendar, fallback, options)
        count += 1
    if not count:
        raise ParseError(
            "the file holds no events (no BEGIN:VEVENT … END:VEVENT)" + _instead(reader.unread)
        )


# What a calendar file holds instead of events, in words (the components not imported).
_UNREAD_WORDS = {
    "VTODO": ("to-do", "to-dos"),
    "VJOURNAL": ("journal entry", "journal entries"),
    "VFREEBUSY": ("free/busy block", "free/busy blocks"),
    "VAVAILABILITY": ("availability", "availabilities"),
}


def _instead(unread: Counter[str]) -> str:
    """ ", only 2 to-dos (VTODO), which are not imported" for a file without events."""
    parts = [
        f"{count:,} {_UNREAD_WORDS[name][count != 1]} ({name})"
        for name, count in unread.most_common()
        if name in _UNREAD_WORDS
    ]
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"; it holds {listed}, which Followthrough does not import"


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
    # Where a floating DTSTART or DTEND is read, if not in the calendar's zone.
    floating: dict[str, Zone] = field(default_factory=dict)

    def error(self, message: str, name: str) -> ParseError:
        line = self.block.first(name)
        where = f" (line {line.number})" if line else ""
        return ParseError(f"{message}{where}", line=self.block.line, field=name)


_TZID = re.compile(r';TZID=(?:"[^"]*"|[^;:"]*)', re.IGNORECASE)
_ZONED = frozenset({"DTSTART", "DTEND", "RECURRENCE-ID"})


def _without_tzid(line: Content) -> str:
    """The line without its TZID parameter: zones are resolved here (`zones.Calendar.resolve`),
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


def _without_start(block: Block, calendar: Calendar) -> SkippedRecord | None:
    """An iTIP message's VEVENT without DTSTART, which RFC 5546 allows: it is skipped,
    and said; a cancellation names its event's UID (`cancels`) for the loader."""
    if block.first("DTSTART") is not None or calendar.method not in NO_START_METHODS:
        return None
    uid = block.first("UID")
    summary = block.first("SUMMARY")
    named = " ".join(
        filter(None, [f"“{summary.value.strip()[:80]}”" if summary else "",
                      f"(UID {uid.value.strip()[:80]})" if uid else ""])
    ) or "without UID or title"  # fmt: skip
    label = summary.value.strip()[:200] if summary else (uid.value.strip()[:200] if uid else "")
    if calendar.method == "CANCEL":
        # The loader marks the event it names cancelled, and says what it did.
        what = f"a cancellation (METHOD:CANCEL) of the event {named} without a start (DTSTART)"
        cancels = uid.value.strip() if uid else ""
        return SkippedRecord(block.line, "event", label or "(no title)", what, cancels=cancels)
    what = f"a METHOD:{calendar.method} message about the event {named} without a start "
    what += "(DTSTART): skipped"
    return SkippedRecord(block.line, "event", label or "(no title)", what)


def event_record(
    block: Block, calendar: Calendar, fallback: Zone, options: ParseOptions
) -> EventRecord:
    """The record of one VEVENT; see the module for the rules."""
    ctx = Context(block, calendar, fallback, options)
    ctx.warnings += [c.repaired for c in block.lines if c.repaired]
    read_event(ctx)
    if ctx.event.get("DTSTART") is None:
        raise ctx.error("the event has no start (DTSTART)", "DTSTART")
    ctx.floating = _partner_zones(ctx)
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
        ctx.warnings.append("the event has no UID: found again by its title and start")
    uid = _recurrence(ctx, uid)
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
        cancelled=_text(event.get("STATUS")).upper() == "CANCELLED" or calendar.method == "CANCEL",
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


def _partner_zones(ctx: Context) -> dict[str, Zone]:
    """A floating DTSTART with a zoned DTEND (or the other way round): the floating time
    means its partner's zone (read in another, an evening event could end before it
    starts), with a warning."""
    zones: dict[str, Zone] = {}
    for name, partner in (("DTSTART", "DTEND"), ("DTEND", "DTSTART")):
        zone = _zone_of(ctx, partner) if _floating(ctx, name) else None
        line = ctx.block.first(partner)
        if zone is not None and line is not None:
            zones[name] = zone
            ctx.warnings.append(
                f"{name} has no zone but {partner} (line {line.number}) has: "
                f"{name} taken in {zone.name or zone.label}, the zone of {partner}"
            )
    return zones


def _floating(ctx: Context, name: str) -> bool:
    prop, line = ctx.event.get(name), ctx.block.first(name)
    if prop is None or line is None or not isinstance(prop.dt, datetime):
        return False
    return prop.dt.tzinfo is None and not (line.params and line.params.get("TZID"))


def _zone_of(ctx: Context, name: str) -> Zone | None:
    """The zone a DTSTART or DTEND names (UTC for `…Z`), None if it names none."""
    prop, line = ctx.event.get(name), ctx.block.first(name)
    if prop is None or line is None or not isinstance(prop.dt, datetime):
        return None
    if prop.dt.tzinfo is not None:
        return known_zone("UTC")
    tzid = line.params.get("TZID") if line.params else None
    return _zone_for(ctx, name, str(tzid)) if tzid else None


def _zone_for(ctx: Context, name: str, tzid: str) -> Zone:
    """The zone of a time's TZID; unknown TZIDs and floating times get the calendar's."""
    default = ctx.calendar.default or ctx.fallback
    if not tzid and name in ctx.floating:
        return ctx.floating[name]
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
    if ends_at < start:
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
