"""The writer of our CSV exports: each file's columns, and its lines, safe to open in a
spreadsheet.

UTF-8 with a byte-order mark (so Excel reads accents right), RFC 4180 quoting, one line
per row. Multi-value cells join their values with ` ::: ` (as Google Contacts does).
Date-times are local time, `YYYY-MM-DD HH:MM`.

Formula injection (checklist D6): a spreadsheet runs a cell that starts with `=`, `+`,
`-` or `@` (and tab, CR or NUL are used to hide one), so `neutralize` puts a `'` before
such a cell — in every column, phone numbers (`+49 30 1234`) and year-less birthdays
(`--07-02`) included: one rule with an exact inverse beats a list of exceptions, and a
spreadsheet would mangle `+49 30 1234` into a formula error anyway. Importers undo it
with `unneutralize`, which removes exactly that `'` and nothing else (see
docs/import-export.md).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, tzinfo
from typing import Any

from followthrough.exchange.formats.formula import neutralize

BOM = "\ufeff"
MULTI_SEPARATOR = " ::: "

# Header → the generic CSV importer's field, so this dict is the mapping that re-imports
# a people export; columns the importer does not read map to "" (left out).
PEOPLE_COLUMNS: dict[str, str] = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "E-mails": "emails",
    "Phones": "phones",
    "Links": "links",
    "Addresses": "addresses",
    "Organization": "organization",
    "Role": "role",
    "Headline": "headline",
    "Tags": "tags",
    "Notes": "notes",
    "Birthday": "birthday",
    "Stage": "",
    "Owner": "",
    "Last Interaction": "",
    "Next Touch Due": "",
}
ORGANIZATION_COLUMNS = [
    "Name", "Website", "Location", "Mission", "Offers", "Needs", "Focus Areas", "News Feed",
    "Notes",
]  # fmt: skip
INTERACTION_COLUMNS = [
    "Date", "Kind", "Person", "Person E-mail", "Organization", "Event", "Summary", "Note",
    "Logged By",
]  # fmt: skip


class _Line:
    """A file-like object whose `write` returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The BOM and header, then each row as one CSV line, every cell neutralized."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([neutralize("" if cell is None else str(cell)) for cell in row])


def birthday_text(year: int | None, month: int | None, day: int | None) -> str:
    """`YYYY-MM-DD`, or `--MM-DD` when the year is unknown (Google's form); empty when
    month or day is missing."""
    if not (month and day):
        return ""
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def local_text(value: datetime | None, zone: tzinfo) -> str:
    """A date-time as spreadsheet users read it: `2024-05-01 14:30` in `zone`."""
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""
