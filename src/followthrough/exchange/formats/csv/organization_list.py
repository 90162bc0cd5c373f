"""Organizations CSV: Followthrough's own organizations export, or any list of them.

Promises: one `OrganizationRecord` per row, in file order, with the file's line number.
Columns are found by header name (case, spaces and punctuation ignored; never by
position), among these synonyms, the first being what the export writes:

- Name (required): Organization, Organisation, Company (and their "… Name" forms);
- Website: URL, Web site, Homepage — a bare domain gains `https://`;
- Location: City, Address; Mission: Description, About; Offers; Needs; Notes;
- Focus Areas: Tags, Categories, Focus — several values in one cell. The export's own
  "Focus Areas" column is split on ` ::: ` only, the exact inverse of how the export
  joins it (a focus area may hold a comma); the other names split on ` ::: ` when the
  cell has it, else on `;` and `,` (as spreadsheet users write lists);
- News Feed: Feed, Feed URL, RSS, RSS Feed — a web address like Website.

Other columns are ignored; a row with data in them only is skipped, as blank rows are.
Another platform's contacts export (LinkedIn, Google, Outlook, Eventbrite: told by its
own columns, `reader.MARKERS`) is refused, naming the format to choose.
A leading `'` that guards a formula (`'=…`, `'-…`) is dropped, as for every CSV import
(`formula.unneutralize`). A row with data but no name, or with a website or feed that is
not an http(s) address, is a `ParseError` naming its line and column; so is a file with
a header and no rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from followthrough.exchange.formats.csv.cells import clean_url, split_multi
from followthrough.exchange.formats.csv.reader import (
    Row,
    Table,
    normalize_header,
    open_table,
    refuse_other_format,
    require_records,
    rows_of,
)
from followthrough.exchange.formats.formula import unneutralize
from followthrough.exchange.formats.records import OrganizationRecord, RowProblem
from followthrough.exchange.formats.registry import ParseOptions

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "Name", "Organization", "Organisation", "Company", "Organization Name",
        "Organisation Name", "Company Name",
    ),
    "website": ("Website", "URL", "Web site", "Homepage"),
    "location": ("Location", "City", "Address"),
    "mission": ("Mission", "Description", "About"),
    "offers": ("Offers",),
    "needs": ("Needs",),
    "focus_areas": ("Focus Areas", "Tags", "Categories", "Focus"),
    "feed_url": ("News Feed", "Feed", "Feed URL", "RSS", "RSS Feed"),
    "notes": ("Notes",),
}  # fmt: skip
# The focus areas column as the export names it: split on ` ::: ` only.
EXPORT_FOCUS_AREAS = normalize_header(COLUMNS["focus_areas"][0])
LIST_SEPARATORS = ";,"


def parse(
    stream: BinaryIO, *, options: ParseOptions | None = None
) -> Iterator[OrganizationRecord | RowProblem]:
    """The organizations of a CSV file with a name column, one record at a time."""
    table = open_table(stream, COLUMNS, required=("name",), min_known=2)
    # A contacts export has a company and a URL too: refused by its own columns, or its
    # people's profiles would become websites and their notes the organizations'.
    refuse_other_format(table, "organizations")
    yield from require_records(_records(table), "organizations")


def _records(table: Table) -> Iterator[OrganizationRecord | RowProblem]:
    read = table.fields(*COLUMNS)
    focus = table.index.get("focus_areas")
    separators = (
        "" if focus is None or table.normalized[focus] == EXPORT_FOCUS_AREAS else LIST_SEPARATORS
    )

    def make(row: Row) -> OrganizationRecord | None:
        values = dict(zip(COLUMNS, map(unneutralize, read(row)), strict=True))
        if not any(values.values()):
            return None  # data only in columns nobody reads: as blank as a blank row
        return _record(row, values, separators)

    return rows_of(table, make)


def _record(row: Row, values: dict[str, str], separators: str) -> OrganizationRecord:
    if not values["name"]:
        raise row.error("name", "The row has no organization name.")
    areas = values["focus_areas"]
    return OrganizationRecord(
        line=row.line,
        name=values["name"],
        website=clean_url(row, "website", values["website"]),
        notes=values["notes"],
        tags=split_multi(areas, separators if ":::" not in areas else ""),
        location=values["location"],
        mission=values["mission"],
        offers=values["offers"],
        needs=values["needs"],
        feed_url=clean_url(row, "feed_url", values["feed_url"]),
    )
