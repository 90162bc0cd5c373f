"""The column-mapping step of a web import of "any CSV": the file's columns with a few
sample values, the mapping to start from, the checks a mapping must pass, and saving it.

The file is read by the same code the generic parser reads it with
(`formats.csv.reader`), so the columns shown are the columns the import will see:
same decoding (BOM, UTF-16, Windows-1252), same delimiter detection, same header
matching (case, spaces and punctuation ignored). The header is the first line with two
or more columns among the first few (a one-cell preamble such as LinkedIn's "Notes:" is
skipped), else the first non-blank line (a one-column list of e-mail addresses).
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from followthrough.exchange.formats.csv import generic
from followthrough.exchange.formats.csv import reader as csv_reader
from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.imports import clean
from followthrough.exchange.models import ColumnMapping
from followthrough.people.linkedin import linkedin_canonical
from followthrough.workspaces.models import Workspace

SAMPLE_ROWS = 3
SAMPLE_CHARS = 80
PREAMBLE_LINES = 10  # non-blank lines searched for a header with two or more columns

# Short names for the selects; `generic.FIELDS` holds the longer descriptions.
FIELD_LABELS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name",
    "email": "E-mail",
    "phone": "Phone",
    "link": "Web address",
    "organization": "Organization",
    "role": "Role or job title",
    "headline": "Headline",
    "tags": "Tags",
    "notes": "Notes",
    "birthday": "Birthday",
    "birth_day": "Birthday: day",
    "birth_month": "Birthday: month",
    "birth_year": "Birthday: year",
    "linkedin": "LinkedIn profile",
    "address": "Postal address",
}
# The plural fields Followthrough's own CSV export maps to: only offered on a column a
# saved mapping already gives one of them, so such a mapping survives being edited.
ALIAS_LABELS: dict[str, str] = {
    "emails": "E-mails (Followthrough export)",
    "phones": "Phones (Followthrough export)",
    "links": "Web addresses (Followthrough export)",
    "addresses": "Postal addresses (Followthrough export)",
}
WEB_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# Fields the generic parser refuses to read from more than one column (its `_SINGLE`;
# tests/exchange/test_import_mapping.py checks the two agree).
ONE_COLUMN_FIELDS = ("birthday", "linkedin", "birth_day", "birth_month", "birth_year")


@dataclass(frozen=True)
class Column:
    """One column of the file's header. `name` is as the file spells it and is the key
    of a mapping; a column with an empty name, or with a name an earlier column already
    has (ignoring case and punctuation), cannot be mapped: the parser would never read it."""

    index: int
    name: str
    samples: tuple[str, ...]
    unreadable_because: str = ""

    @property
    def readable(self) -> bool:
        return not self.unreadable_because


@dataclass(frozen=True)
class FileColumns:
    columns: tuple[Column, ...]
    header_line: int
    delimiter: str

    @property
    def readable(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.readable)

    def headers(self) -> list[str]:
        return [column.name for column in self.readable]


@dataclass(frozen=True)
class MappingProblem:
    """Why a mapping cannot be used; `column` names the column it is about, if one."""

    message: str
    column: str = ""


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field) or ALIAS_LABELS.get(field) or generic.FIELDS.get(field, field)


def field_help() -> list[tuple[str, str]]:
    """(label, description) of every person field, for the screen's legend."""
    return [(field_label(field), text) for field, text in generic.FIELDS.items()]


def field_choices(current: str = "") -> list[tuple[str, str]]:
    """The options of one column's select: ignore, then every person field (plus
    `current` when it is one of the export's plural fields)."""
    choices = [(generic.IGNORE, "(ignore)")]
    choices += [(field, field_label(field)) for field in generic.FIELDS]
    if current in generic.ALIASES:
        choices.append((current, field_label(current)))
    return choices


def read_columns(path: Path, *, samples: int = SAMPLE_ROWS) -> FileColumns:
    """The header of the CSV file at `path` and the first `samples` values of each
    column (blank rows skipped). Raises `ParseError` when the file is not a readable
    CSV file (binary, empty, another format); a damaged row among the first rows only
    ends the samples, since the preview names it with its line."""
    with path.open("rb") as stream:
        names, min_known = _header_names(stream)
        stream.seek(0)
        # `find_header` takes the first line holding `min_known` of these names, with the
        # delimiter under which it holds the most: the parser's own header search.
        aliases = {name: (name,) for name in names}
        table = csv_reader.open_table(stream, aliases, min_known=min_known)
        rows = _sample_rows(table, samples)
    header = table.header
    columns = tuple(
        Column(
            index,
            name,
            tuple(_short(row[index]) for row in rows if row[index]),
            _unreadable(table, index, name),
        )
        for index, name in enumerate(header.names)
    )
    return FileColumns(columns, header.line, header.delimiter)


def _header_names(stream: BinaryIO) -> tuple[frozenset[str], int]:
    """The names the header line holds (its cells under every delimiter, since which
    one the file uses is for `find_header` to decide), and how many a line must hold."""
    lines = (line for line in csv_reader.decoded_lines(stream) if line.strip())
    first: frozenset[str] = frozenset()
    for line in itertools.islice(lines, PREAMBLE_LINES):
        names = _names_in(line.rstrip("\r\n"))
        if len(names) >= 2:
            return names, 2
        first = first or names
    if not first:
        raise ParseError("No column names found: the first lines of the file are blank.")
    return first, 1


def _names_in(line: str) -> frozenset[str]:
    names: set[str] = set()
    for delimiter in csv_reader.DELIMITERS:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        names.update(cell.strip() for cell in cells if csv_reader.normalize_header(cell))
    return frozenset(names)


def _sample_rows(table: csv_reader.Table, count: int) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in itertools.islice(table, count):
            rows.append([cell.strip() for cell in row.cells])
    except ParseError:
        pass  # the preview names the damaged row; the columns are still worth showing
    return rows


def _short(value: str) -> str:
    return value if len(value) <= SAMPLE_CHARS else value[: SAMPLE_CHARS - 1] + "…"


def _unreadable(table: csv_reader.Table, index: int, name: str) -> str:
    key = csv_reader.normalize_header(name)
    if not key:
        return "it has no name"
    first = table.positions[key]
    if first != index:
        return f"it has the same name as column “{table.header.names[first]}”"
    return ""


def _value_field(samples: tuple[str, ...]) -> str:
    """The field sample values plainly are, when every one is an e-mail address, a
    LinkedIn profile or a web address; "" otherwise (names and notes look alike)."""
    values = [v.strip() for v in samples if v.strip()]
    if not values:
        return ""
    if all(clean.EMAIL.match(v.removeprefix("mailto:")) for v in values):
        return "email"
    if all(linkedin_canonical(v) for v in values):
        return "linkedin"
    if all(WEB_ADDRESS.match(v) for v in values):
        return "link"
    return ""


def _suggest_by_values(columns: FileColumns, start: dict[str, str]) -> dict[str, str]:
    """Columns whose header says nothing ("Reach them at") but whose first values are
    plainly e-mail addresses or links are suggested as such, when no other column is."""
    taken = set(start.values())
    for column in columns.readable:
        if start.get(column.name) != generic.IGNORE:
            continue
        field = _value_field(column.samples)
        if field and field not in taken:
            start[column.name] = field
            taken.add(field)
    return start


def initial_mapping(
    columns: FileColumns, mapping: Mapping[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """The mapping the screen starts from, {column name: field} for every readable
    column, and the columns `mapping` maps that the file lacks. Without a mapping, the
    parser's suggestion; with one (saved, or chosen before), exactly it — columns it
    does not name are ignored, as the import would ignore them."""
    if not mapping:
        suggested = generic.suggest_mapping(columns.headers())
        start = {name: suggested.get(name, generic.IGNORE) for name in columns.headers()}
        return _suggest_by_values(columns, start), []
    by_key = {csv_reader.normalize_header(header): field for header, field in mapping.items()}
    start = {
        name: by_key.get(csv_reader.normalize_header(name), generic.IGNORE)
        for name in columns.headers()
    }
    present = {csv_reader.normalize_header(name) for name in columns.headers()}
    missing = [
        header
        for header, field in mapping.items()
        if field != generic.IGNORE and csv_reader.normalize_header(header) not in present
    ]
    return start, missing


def check_mapping(mapping: Mapping[str, str]) -> list[MappingProblem]:
    """What keeps `mapping` ({column: field}, "" = ignore) from being imported, in
    words a person can act on: no column gives a name or e-mail, or several columns give
    a field that takes one value. (The parser checks the same before reading a row.)"""
    problems: list[MappingProblem] = []
    used = {header: field for header, field in mapping.items() if field != generic.IGNORE}
    for field in ONE_COLUMN_FIELDS:
        headers = [header for header, target in used.items() if target == field]
        for header in headers[1:]:
            problems.append(
                MappingProblem(
                    f"Only one column can be {field_label(field)}: “{headers[0]}” and "
                    f"“{header}” both are.",
                    column=header,
                )
            )
    if not any(generic.ALIASES.get(f, f) in generic.IDENTITY_FIELDS for f in used.values()):
        names = ", ".join(field_label(field) for field in generic.NAME_FIELDS)
        problems.insert(
            0,
            MappingProblem(
                f"No column is mapped to a name ({names}) or to {field_label('email')}: "
                "map at least one, so each row can be told apart."
            ),
        )
    return problems


def describe(mapping: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(column, field label) for each column the mapping reads, in its order."""
    for header, field in mapping.items():
        if field != generic.IGNORE:
            yield header, field_label(field)


def column_mapping_save(
    *, workspace: Workspace, name: str, mapping: Mapping[str, str]
) -> ColumnMapping:
    """Save `mapping` under `name` in the workspace, replacing a mapping of that name.
    Ignored columns are kept (as "") so reopening it shows them ignored again."""
    saved, _ = ColumnMapping.objects.update_or_create(
        workspace=workspace, name=name.strip(), defaults={"mapping": dict(mapping)}
    )
    return saved
