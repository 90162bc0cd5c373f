"""Any CSV of people, read through a column mapping ({"CSV header": field}, `FIELDS`).

Promises: one `PersonRecord` per row, in file order, with the file's line number, or an
`OrganizationRecord` for a row that has an organization but no name, e-mail, phone or
LinkedIn URL. Columns are found by header name (case, spaces and punctuation ignored),
never by position; a header mapped to "" is ignored.

- The mapping must name a name column or an e-mail column (a one-column list of
  addresses is fine); an unknown field or a mapped header the file lacks is a `ParseError`.
- Several columns may feed one field: names and roles are joined with a space, notes with
  a blank line, lists (e-mails, phones, links, tags, addresses) are concatenated. A cell of
  a list field holding ` ::: ` is split on that only; otherwise on `;` (and `,` for
  e-mails and tags). The plural names of `ALIASES` (what Followthrough's CSV export maps
  its columns to) are split on ` ::: ` only, so an export re-imports exactly.
- A leading `'` that guards a formula (`'=…`, `'+49…`, `'-…`, `'@…`, `''=…`) is dropped:
  it is how Followthrough's own CSV export (and spreadsheet users) protect such cells;
  other leading apostrophes (`'tis`) are kept.
- Rows whose mapped cells are all empty are skipped; a row with data but nothing that
  names a person or organization is a `ParseError`. Malformed e-mails, links, LinkedIn
  URLs and birthdays are `ParseError`s naming line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from followthrough.exchange.formats.csv.cells import (
    birthday_of,
    clean_email,
    clean_url,
    parse_date,
    split_multi,
    unique,
)
from followthrough.exchange.formats.csv.linkedin import normalize_linkedin_url
from followthrough.exchange.formats.csv.reader import (
    Row,
    Table,
    normalize_header,
    open_table,
    require_records,
    rows_of,
)
from followthrough.exchange.formats.formula import unneutralize
from followthrough.exchange.formats.records import (
    OrganizationRecord,
    ParseError,
    PartialDate,
    PersonRecord,
    RowProblem,
)
from followthrough.exchange.formats.registry import ParseOptions

FIELDS: dict[str, str] = {
    "first_name": "First (given) name",
    "last_name": "Last (family) name",
    "full_name": "The whole name, when the file has no separate first and last names",
    "email": "E-mail address; several may share a cell, separated by ; or ,",
    "phone": "Phone number; several may share a cell, separated by ;",
    "link": "Web address (http or https; a bare domain gains https://)",
    "organization": "Organization the person belongs to",
    "role": "Role or job title at that organization",
    "headline": "What the person does, in a line",
    "tags": "Tags, separated by ; or ,",
    "notes": "Notes",
    "birthday": "Birthday: 1985-04-15, --04-15 (no year) or 15 Apr 1985",
    "birth_day": "Birthday: the day (1-31), when day, month and year have columns of their own",
    "birth_month": "Birthday: the month (1-12 or a month name)",
    "birth_year": "Birthday: the year (may be empty)",
    "linkedin": "LinkedIn profile URL (a dedupe key)",
    "address": "Postal address",
}
# The plural names Followthrough's own CSV export maps its columns to
# (`writer.PEOPLE_COLUMNS`): cells of these are split on ` ::: ` only, the
# exact inverse of how the export joins them.
ALIASES = {"emails": "email", "phones": "phone", "links": "link", "addresses": "address"}
IGNORE = ""  # the mapping value of a column to leave out
NAME_FIELDS = ("first_name", "last_name", "full_name")
IDENTITY_FIELDS = (*NAME_FIELDS, "email")
_SINGLE = ("birthday", "linkedin", "birth_day", "birth_month", "birth_year")
BIRTH_PARTS = ("birth_day", "birth_month", "birth_year")  # Thunderbird's three columns
_SPLIT = {"email": ";,", "phone": ";", "link": ";", "tags": ";,", "address": ";"}

_SUGGESTIONS: tuple[tuple[str, str], ...] = (
    (r"firstname|givenname|forename|first|vorname|prénom|prenom", "first_name"),
    (r"lastname|familyname|surname|last|nachname|nom", "last_name"),
    (r"name|fullname|displayname|contactname|contact|person", "full_name"),
    (r"linkedin\w*", "linkedin"),
    (r"(primary|secondary)?e?mails?(adresse|address)?\d*(address|adresse|value)?", "email"),
    (
        r"(phones?|telephone|tel|telefon|mobile|mobilephone|mobiltelefon|cell|cellphone)\d*"
        r"(value|number)?",
        "phone",
    ),
    (r"(websites?|webpage|web|url|homepage|links?|site|webseite)\d*(value)?", "link"),
    (r"company|companyname|organi[sz]ation(\d?name)?|employer|org|firma|société", "organization"),
    (r"(job)?title|role|position|occupation|organi[sz]ation\d?title|function", "role"),
    (r"headline", "headline"),
    (r"tags?|labels?|categories|category|groups?|groupmembership|kategorien", "tags"),
    (r"notes?|comments?|description|notizen|remarks", "notes"),
    (r"birthmonth|geburtsmonat", "birth_month"),
    (r"birthyear|geburtsjahr", "birth_year"),
    (r"birthday|birthdate|dateofbirth|dob|bday|geburtstag", "birthday"),
    (r"(postal|street|home|work)?address(es)?\d*(formatted)?", "address"),
)


def suggest_mapping(headers: Iterable[str]) -> dict[str, str]:
    """A guessed mapping {header: field} for the headers it recognizes (by common names in
    English, German and French, and the field names themselves); a field that takes one
    value (birthday, linkedin) is given to its first matching header only, and a bare
    "Title" is left out when another column is the job title (Outlook's "Title" is Mr/Dr)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        name = normalize_header(header)
        field = _suggest(name)
        if field is None or (field in _SINGLE and field in taken):
            continue
        mapping[header] = field
        taken.add(field)
    # Beside "Birth Month" or "Birth Year" (Thunderbird), "Birth Day" is the day alone.
    if any(field in ("birth_month", "birth_year") for field in mapping.values()):
        for header, field in mapping.items():
            if field == "birthday" and normalize_header(header) == "birthday":
                mapping[header] = "birth_day"
    # A bare "Title" is a courtesy title (Mr, Dr) when the file also has a job title.
    titles = [header for header, field in mapping.items() if normalize_header(header) == "title"]
    if titles and sum(field == "role" for field in mapping.values()) > len(titles):
        for header in titles:
            del mapping[header]
    return mapping


def _suggest(name: str) -> str | None:
    for field in FIELDS:
        if name == normalize_header(field):
            return field
    for pattern, field in _SUGGESTIONS:
        if re.fullmatch(pattern, name):
            return field
    return None


def parse(
    stream: BinaryIO, *, options: ParseOptions
) -> Iterator[PersonRecord | OrganizationRecord | RowProblem]:
    """The people of any CSV, read through `options.mapping`."""
    mapping = _checked_mapping(options.mapping)
    columns = {header: (header,) for header in mapping}
    table = open_table(stream, columns, required=tuple(columns), min_known=len(columns))
    identity = [h for h, f in mapping.items() if ALIASES.get(f, f) in IDENTITY_FIELDS]
    table.require(identity)
    yield from require_records(_records(table, mapping), "contacts")


def _checked_mapping(mapping: dict[str, str]) -> dict[str, str]:
    checked = {header: field for header, field in mapping.items() if field != IGNORE}
    for header, field in checked.items():
        if field not in FIELDS and field not in ALIASES:
            known = ", ".join(FIELDS)
            raise ParseError(f"Unknown field “{field}”; known: {known}.", field=header)
    for field in _SINGLE:
        headers = [header for header, target in checked.items() if target == field]
        if len(headers) > 1:
            raise ParseError(f"Only one column can be “{field}”.", field=headers[1])
    if not any(ALIASES.get(field, field) in IDENTITY_FIELDS for field in checked.values()):
        raise ParseError(
            "Map at least one column to a name (first_name, last_name or full_name) "
            "or to email, so each row can be told apart."
        )
    return checked


def _records(
    table: Table, mapping: dict[str, str]
) -> Iterator[PersonRecord | OrganizationRecord | RowProblem]:
    def make(row: Row) -> PersonRecord | OrganizationRecord | None:
        values = _values(row, mapping)
        return _record(row, mapping, values) if values else None

    return rows_of(table, make)


def _values(row: Row, mapping: dict[str, str]) -> dict[str, list[str]]:
    """Each field's values in this row (lists split, formula guards dropped, checked)."""
    values: dict[str, list[str]] = {}
    for header, target in mapping.items():
        cell = unneutralize(row.get(header))
        if not cell:
            continue
        field = ALIASES.get(target, target)
        if field in _SPLIT:
            # A ` ::: ` cell (Google's, or this app's export) is split on ` ::: ` only.
            lenient = target not in ALIASES and ":::" not in cell
            items = split_multi(cell, _SPLIT[field] if lenient else "")
            if field == "email":
                items = [clean_email(row, header, item) for item in items]
            elif field == "link":
                items = [clean_url(row, header, item) for item in items]
        elif field == "linkedin":
            items = [_linkedin(row, header, cell)]
        else:
            items = [cell]
        values.setdefault(field, []).extend(items)
    return values


def _linkedin(row: Row, header: str, value: str) -> str:
    try:
        return normalize_linkedin_url(value)
    except ValueError as exc:
        raise row.error(header, str(exc)) from None


def _record(
    row: Row, mapping: dict[str, str], values: dict[str, list[str]]
) -> PersonRecord | OrganizationRecord:
    def text(field: str) -> str:  # a field's values as one string
        return ("\n\n" if field == "notes" else " ").join(values.get(field, []))

    emails, phones = unique(values.get("email", [])), unique(values.get("phone", []))
    linkedin = text("linkedin")
    links = unique([*values.get("link", []), *([linkedin] if linkedin else [])])
    names = [text(field) for field in NAME_FIELDS]
    if not (any(names) or emails or phones or linkedin):
        if not text("organization"):
            field = next(h for h, f in mapping.items() if ALIASES.get(f, f) in IDENTITY_FIELDS)
            raise row.error(field, "The row has no name or e-mail (nor phone or LinkedIn URL).")
        return OrganizationRecord(
            line=row.line,
            name=text("organization"),
            website=links[0] if links else "",
            notes=text("notes"),
            addresses=unique(values.get("address", [])),
            tags=unique(values.get("tags", [])),
        )
    person = PersonRecord(line=row.line, first_name=names[0], last_name=names[1])
    person.full_name = names[2] or ("" if any(names) else next(iter([*emails, *phones, linkedin])))
    person.organization, person.role = text("organization"), text("role")
    person.headline, person.notes = text("headline"), text("notes")
    person.emails, person.phones, person.links = emails, phones, links
    person.addresses, person.tags = (
        unique(values.get("address", [])),
        unique(values.get("tags", [])),
    )
    if "birthday" in values:
        person.birthday = birthday_of(row, _header_of(mapping, "birthday"), text("birthday"))
    if any(text(part) for part in BIRTH_PARTS) and not person.birthday:
        person.birthday = _birthday_of_parts(row, mapping, text, person.warnings)
    if linkedin:
        person.external_ids["linkedin"] = linkedin
    return person


def _birthday_of_parts(
    row: Row, mapping: dict[str, str], text: Callable[[str], str], warnings: list[str]
) -> PartialDate | None:
    """One birthday of day, month and year columns (Thunderbird: `Birth Day` 20,
    `Birth Month` 1, `Birth Year` 1991 or empty). A year or a month alone cannot be
    kept: left out with a warning; numbers that are no date are a `ParseError`."""
    day, month, year = (text(part).strip() for part in BIRTH_PARTS)
    if not (day and month):
        warnings.append("a birthday without its day or month cannot be kept: left out")
        return None
    try:
        month_number = int(month) if month.isdigit() else parse_date(f"1 {month} 2000").month
        return PartialDate(month=month_number, day=int(day), year=int(year) if year else None)
    except ValueError:
        header = _header_of(mapping, "birth_day")
        shown = "/".join(part for part in (day, month, year) if part)
        raise row.error(header, f"“{shown}” (day/month/year) is not a possible date.") from None


def _header_of(mapping: dict[str, str], field: str) -> str:
    return next(
        header for header, target in mapping.items() if ALIASES.get(target, target) == field
    )
