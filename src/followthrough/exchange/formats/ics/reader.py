"""Splitting an iCalendar file's lines into calendars and their VEVENT and VTIMEZONE
blocks, streamed: only the properties the parser reads are kept, and a VEVENT comes out
once the time zones it names are known."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from followthrough.exchange.formats.ics.lines import Block, Content, content, unfold
from followthrough.exchange.formats.ics.zones import Calendar, known_zone
from followthrough.exchange.formats.records import ParseError

MAX_COMPONENT = 10 * 1024 * 1024  # characters in one VEVENT or VTIMEZONE
MAX_DEPTH = 16  # components inside components

# The VEVENT properties handed to icalendar; all others are dropped unread.
READ = frozenset(
    {
        "DTSTART", "DTEND", "DURATION", "SUMMARY", "DESCRIPTION", "LOCATION", "UID",
        "RRULE", "ATTENDEE", "RECURRENCE-ID", "STATUS",
    }
)  # fmt: skip
ZONE_READ = frozenset({"TZID", "DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"})

_NAME = re.compile(r"([A-Za-z0-9-]+)(?=[;:])")


class Reader:
    """Splits unfolded lines into calendars and their VEVENT and VTIMEZONE blocks."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, int]] = []  # open components outside blocks
        self.block: Block | None = None
        self.inner: list[str] = []  # components open inside the block
        self.calendar: Calendar | None = None
        # Top-level components that are not read (VTODO, VJOURNAL, VFREEBUSY…), counted
        # so that a file without events can say what it holds instead.
        self.unread: Counter[str] = Counter()

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
        if top == ["VCALENDAR"]:
            self.unread[name] += 1
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
        """The calendar's own zone (X-WR-TIMEZONE, Google and Apple) if it names one,
        and its iTIP METHOD."""
        match = _NAME.match(text)
        if not match or self.calendar is None:
            return
        value = text.partition(":")[2].strip()
        if match.group(1).upper() == "X-WR-TIMEZONE":
            self.calendar.default = self.calendar.default or known_zone(value)
        elif match.group(1).upper() == "METHOD":
            self.calendar.method = value.upper()

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
