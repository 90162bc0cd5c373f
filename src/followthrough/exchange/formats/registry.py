"""The import formats and their parsers.

A parser is `parse(stream, *, options) -> Iterator[Record]`: it reads a binary stream
(decoding it itself: BOMs, UTF-16, Windows-1252), yields records one at a time so memory
stays flat, and raises `records.ParseError` naming the line and field of bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import BinaryIO

from followthrough.exchange.formats.records import Record

# Expanding a recurring event beyond this many occurrences is refused (recurrence bombs).
MAX_OCCURRENCES = 1000


@dataclass
class ParseOptions:
    # The zone for floating times and zones a file names but does not define.
    time_zone: str = "UTC"
    # Generic CSV: {"CSV header": "person field"}; see formats.csv.generic.FIELDS.
    mapping: dict[str, str] = field(default_factory=dict)
    max_occurrences: int = MAX_OCCURRENCES


Parser = Callable[..., Iterator[Record]]

FORMATS: dict[str, tuple[str, str]] = {
    # name: (module, description)
    "linkedin": ("followthrough.exchange.formats.csv.linkedin", "LinkedIn Connections.csv"),
    "google": ("followthrough.exchange.formats.csv.google", "Google Contacts CSV"),
    "outlook": ("followthrough.exchange.formats.csv.outlook", "Outlook contacts CSV"),
    "csv": ("followthrough.exchange.formats.csv.generic", "any CSV, with a column mapping"),
    "organizations": (
        "followthrough.exchange.formats.csv.organization_list",
        "Organizations CSV (a Followthrough export, or any list)",
    ),
    "vcard": ("followthrough.exchange.formats.vcard.parser", "vCard 2.1, 3.0 or 4.0 (.vcf)"),
    "ics": ("followthrough.exchange.formats.ics.parser", "iCalendar events (.ics)"),
    "eventbrite": ("followthrough.exchange.formats.csv.eventbrite", "event attendee CSV export"),
}


# Formats whose rows are the attendees of one event, which the import must be given.
ATTENDEE_FORMATS = frozenset({"eventbrite"})


def label(name: str) -> str:
    """A format's name as people read it ("LinkedIn Connections.csv"); unknown names as
    they are."""
    return FORMATS[name][1] if name in FORMATS else name


def get_parser(name: str) -> Parser:
    """The `parse` function of a format; `KeyError` names the known formats."""
    if name not in FORMATS:
        raise KeyError(f"Unknown format “{name}”; known: {', '.join(sorted(FORMATS))}.")
    return import_module(FORMATS[name][0]).parse


def parse(name: str, stream: BinaryIO, options: ParseOptions | None = None) -> Iterator[Record]:
    return get_parser(name)(stream, options=options or ParseOptions())
