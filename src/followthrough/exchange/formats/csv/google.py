"""Google Contacts CSV ("Export → Google CSV"), today's layout and the older one.

Promises: one `PersonRecord` per contact, or an `OrganizationRecord` for a row that names
an organization but no person. Columns are matched by name, in both layouts (`First
Name` / `Given Name`, `Labels` / `Group Membership`, `Organization Name` / `Organization 1 -
Name`, …), and the numbered ones (`E-mail 1 - Value`, `E-mail 2 - Value`, …, likewise
phones, addresses and websites) are read in number order, each cell split on ` ::: `.

- Names: the middle name, prefix, suffix and nickname are kept as such (`middle_name`,
  `name_prefix`, `name_suffix`, `nickname`; a middle name without a first name stands in
  for it). When the given or family name is missing but the older layout's formatted
  `Name` is there, that becomes `full_name` (first and last left empty). A row with no
  name falls back to its nickname, "File As", first e-mail or phone.
- The organization's department → `department`; the older layout's `Gender` → `gender`
  (Male/Female → M/F, other words → `gender_identity`); an event labelled "Anniversary"
  (`Event 1 - Label`/`Type` with `Event 1 - Value`) → `anniversary`.
- Labels become tags: `* myContacts` and `* starred` (on every contact, or a UI flag) are
  dropped; the other system labels keep their name without the `* ` (`* friends` →
  `Friends`); user labels are kept as they are.
- Birthday `1985-04-15` or year-less `--07-02` → `PartialDate`; websites without a scheme
  gain `https://`. Malformed e-mails, dates and links are a `ParseError` naming the cell.
- Photos (Google gives a URL) are not fetched; e-mail and phone labels are not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from followthrough.exchange.formats.csv.cells import (
    birthday_of,
    clean_url,
    emails_of,
    gender_of,
    join,
    split_multi,
    unique,
)
from followthrough.exchange.formats.csv.reader import (
    Row,
    Table,
    open_table,
    refuse_other_format,
    require_records,
    rows_of,
)
from followthrough.exchange.formats.records import (
    OrganizationRecord,
    PartialDate,
    PersonRecord,
    RowProblem,
)
from followthrough.exchange.formats.registry import ParseOptions

COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "Given Name"),
    "middle_name": ("Middle Name", "Additional Name"),
    "last_name": ("Last Name", "Family Name"),
    "name": ("Name",),  # the older layout's formatted name
    "name_prefix": ("Name Prefix",),
    "name_suffix": ("Name Suffix",),
    "nickname": ("Nickname",),
    "gender": ("Gender",),
    "department": ("Organization Department", "Organization 1 - Department"),
    "file_as": ("File As",),
    "organization": ("Organization Name", "Organization 1 - Name"),
    "role": ("Organization Title", "Organization 1 - Title"),
    "birthday": ("Birthday",),
    "notes": ("Notes",),
    "labels": ("Labels", "Group Membership"),
}
NAME_KEYS = ("first_name", "middle_name", "last_name", "name")

# Numbered columns, matched on normalized header names ("E-mail 2 - Value" → email2value).
_NUMBERED = {
    "emails": re.compile(r"e?mail(\d+)value"),
    "phones": re.compile(r"phone(\d+)value"),
    "addresses": re.compile(r"address(\d+)formatted"),
    "websites": re.compile(r"website(\d+)value"),
    "events": re.compile(r"event(\d+)value"),
}
_ADDRESS_PARTS = ("street", "pobox", "extendedaddress", "city", "region", "postalcode", "country")

_DROPPED_LABELS = {"mycontacts", "starred"}
_RENAMED_LABELS = {"friends": "Friends", "family": "Family", "coworkers": "Coworkers"}


def labels_to_tags(value: str) -> list[str]:
    """Tags from a `Labels` cell, e.g. `* myContacts ::: Nonprofits ::: * friends` →
    `["Nonprofits", "Friends"]` (see the module docstring)."""
    tags = []
    for label in split_multi(value):
        if label.startswith("*"):
            name = label.lstrip("* ").strip()
            key = "".join(ch for ch in name.casefold() if ch.isalnum())
            if key in _DROPPED_LABELS:
                continue
            label = _RENAMED_LABELS.get(key, name)
        tags.append(label)
    return unique(tags)


def parse(
    stream: BinaryIO, *, options: ParseOptions
) -> Iterator[PersonRecord | OrganizationRecord | RowProblem]:
    """The contacts of a Google Contacts CSV, one record at a time."""
    table = open_table(stream, COLUMNS, min_known=2)
    refuse_other_format(table, "google")
    if not any(key in table.index for key in (*NAME_KEYS, "organization")):
        raise table.error("The header has no name column (“First Name” or “Name”).", "First Name")
    numbered = _numbered_columns(table)
    yield from require_records(_records(table, numbered), "contacts")


def _numbered_columns(table: Table) -> dict[str, list[int]]:
    """For each multi-value kind, the positions of its numbered columns, by number."""
    found: dict[str, list[tuple[int, int]]] = {kind: [] for kind in _NUMBERED}
    for position, name in enumerate(table.normalized):
        for kind, pattern in _NUMBERED.items():
            if match := pattern.fullmatch(name):
                found[kind].append((int(match[1]), position))
    return {kind: [position for _, position in sorted(pairs)] for kind, pairs in found.items()}


def _records(
    table: Table, numbered: dict[str, list[int]]
) -> Iterator[PersonRecord | OrganizationRecord | RowProblem]:
    return rows_of(table, lambda row: _record(row, numbered))


def _record(row: Row, numbered: dict[str, list[int]]) -> PersonRecord | OrganizationRecord | None:
    emails = unique(e for position in numbered["emails"] for e in emails_of(row, position))
    phones = unique(p for position in numbered["phones"] for p in split_multi(row.at(position)))
    addresses = _addresses(row, numbered["addresses"])
    links = unique(
        clean_url(row, position, url)
        for position in numbered["websites"]
        for url in split_multi(row.at(position))
    )
    tags = labels_to_tags(row.get("labels"))
    has_name = any(row.get(key) for key in (*NAME_KEYS, "nickname"))
    organization = split_multi(row.get("organization"))
    if not has_name and organization:
        return OrganizationRecord(
            line=row.line,
            name=organization[0],
            website=links[0] if links else "",
            notes=row.get("notes"),
            emails=emails,
            phones=phones,
            addresses=addresses,
            tags=tags,
        )
    if not (has_name or emails or phones or row.get("file_as")):
        return None  # nothing that identifies anyone
    first, middle, last, full = _names(row, emails, phones)
    gender, identity = gender_of(row.get("gender"))
    return PersonRecord(
        line=row.line,
        first_name=first,
        middle_name=middle,
        last_name=last,
        full_name=full,
        name_prefix=row.get("name_prefix"),
        name_suffix=row.get("name_suffix"),
        nickname=row.get("nickname"),
        gender=gender,
        gender_identity=identity,
        anniversary=_anniversary(row, numbered["events"]),
        department=(split_multi(row.get("department")) or [""])[0],
        organization=organization[0] if organization else "",
        role=(split_multi(row.get("role")) or [""])[0],
        emails=emails,
        phones=phones,
        links=links,
        addresses=addresses,
        tags=tags,
        notes=row.get("notes"),
        birthday=birthday_of(row, "birthday"),
    )


def _names(row: Row, emails: list[str], phones: list[str]) -> tuple[str, str, str, str]:
    """(first, middle, last, full): the structured name when it is complete; else the
    formatted "Name" of the older layout (which holds more than a lone given name), else
    a fallback. A middle name without a first name stands in for it."""
    first, middle = row.get("first_name"), row.get("middle_name")
    if not first:
        first, middle = middle, ""
    last = row.get("last_name")
    formatted = row.get("name")
    if (first and last) or ((first or last) and not formatted):
        return first, middle, last, ""
    candidates = (formatted, row.get("nickname"), row.get("file_as"), *emails, *phones)
    return "", "", "", next((name for name in candidates if name), "")


def _anniversary(row: Row, positions: list[int]) -> PartialDate | None:
    """The first event whose label (or the older layout's type) is "Anniversary"."""
    table = row.table
    for position in positions:
        prefix = table.normalized[position].removesuffix("value")
        kind = row.at(table.positions.get(prefix + "label")) or row.at(
            table.positions.get(prefix + "type")
        )
        value = row.at(position)
        if value and kind.strip("* ").casefold() == "anniversary":
            return birthday_of(row, position, value)  # type: ignore[arg-type]
    return None


def _addresses(row: Row, positions: list[int]) -> list[str]:
    """Each numbered address: its "Formatted" cell, else its parts joined."""
    table = row.table
    addresses: list[str] = []
    for position in positions:
        formatted = split_multi(row.at(position))
        if formatted:
            addresses.extend(formatted)
            continue
        prefix = table.normalized[position].removesuffix("formatted")
        parts = [row.at(table.positions.get(prefix + part)) for part in _ADDRESS_PARTS]
        if any(parts):
            addresses.append(join(*parts, separator=", "))
    return unique(addresses)
