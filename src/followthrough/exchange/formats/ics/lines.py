"""An iCalendar file's content lines: unfolded (`unfold`), each read into its name,
parameters and raw value (`Content`), and kept with the VEVENT or VTIMEZONE they belong
to (`Block`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from icalendar.parser.content_line import Contentline

from followthrough.exchange.formats.records import ParseError


@dataclass
class Content:
    """One unfolded content line: where it starts, its name, parameters and raw value."""

    number: int
    text: str
    name: str
    params: Any = None
    value: str = ""
    repaired: str = ""  # what `content` repaired in the value, for a warning


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
    line = Content(number, text, name.upper(), params, value)
    _repair(line)
    return line


# Values that are never text: spaces around them, or (RRULE) around its separators,
# mean nothing, though icalendar refuses them (`DTEND: 20240812T223000Z`, `BYDAY=MO, TU`).
_NOT_TEXT = frozenset({"DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "STATUS"})
_RULE_SPACES = re.compile(r"\s*([,;=])\s*")


def _repair(line: Content) -> None:
    if line.name not in _NOT_TEXT:
        return
    value = line.value.strip()
    if line.name == "RRULE":
        value = _RULE_SPACES.sub(r"\1", value)
    if value == line.value:
        return
    split = Contentline(line.text).value_separator_index()
    line.text = line.text[: split + 1] + value
    line.repaired = f"{line.name} (line {line.number}): spaces in “{line.value[:60]}” left out"
    line.value = value
