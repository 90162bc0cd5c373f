"""Outlook contacts CSV (File → Open & Export → Import/Export → "Comma Separated Values"),
with English, German or French column names, as Outlook or a European Excel saves it
(Windows-1252 and `;` are handled by the shared reader).

Promises: one `PersonRecord` per contact, in file order, with the file's line number; a
contact with a company but no first or last name is an `OrganizationRecord`.

- Names: the middle name → `middle_name` (without a first name it stands in for it);
  "Title"/"Anrede" (Mr, Dr) → `name_prefix`, "Suffix" → `name_suffix`, "Nickname" →
  `nickname`; "Gender" (Male/Female → M/F; "Unspecified" is nothing) → `gender`.
- `Company` → `organization`, `Job Title` → `role`, `Department` → `department`;
  `Anniversary` → `anniversary` (read as the birthday is); `Categories` split on `;` or `,` →
  tags; the e-mail, phone and web-page columns → e-mails, phones and links; the business,
  home and other address parts → one address line each ("Domstraße 1, Köln, Deutschland").
- Exchange-internal addresses (`E-mail Type` = `EX`, values like `/o=ExchangeLabs/…`) are
  not e-mail addresses: the SMTP address in the display name is taken when there is one,
  else the value is left out. Any other malformed e-mail is a `ParseError`.
- Birthday: `0/0/00` (Outlook's "none") is empty; `15.04.1985` is day.month.year; slashed
  dates are month/day/year under English headers (US Outlook) until one whose first
  number is over 12 (`20/01/1991`, British Outlook) shows the file is day first, and
  day/month/year under German or French ones. An ambiguous one (`03/04/1991`) is read
  so, with a warning naming its line.
- A person with no name is named by their first e-mail or phone; a row with none of these
  and no company is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from followthrough.exchange.formats.csv.cells import (
    clean_email,
    clean_url,
    gender_of,
    join,
    parse_partial_date,
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
    "first_name": ("First Name", "Vorname", "Prénom"),
    "middle_name": ("Middle Name", "Weitere Vornamen", "Deuxième prénom"),
    "last_name": ("Last Name", "Nachname", "Nom"),
    "name_prefix": ("Title", "Anrede"),
    "name_suffix": ("Suffix", "Namenszusatz"),
    "nickname": ("Nickname", "Spitzname"),
    "gender": ("Gender", "Geschlecht", "Sexe"),
    "anniversary": ("Anniversary", "Jahrestag"),
    "department": ("Department", "Abteilung", "Service"),
    "company": ("Company", "Firma", "Société"),
    "job_title": ("Job Title", "Position", "Fonction", "Titre"),
    "categories": ("Categories", "Kategorien", "Catégories"),
    "notes": ("Notes", "Notizen"),
    "birthday": ("Birthday", "Geburtstag", "Anniversaire"),
    "web_page": ("Web Page", "Webseite", "Page Web"),
    # Outlook's names first; then what hand-made "Outlook" files use (E-Mail, Email).
    "email1": ("E-mail Address", "E-Mail-Adresse", "Adresse de messagerie", "E-Mail", "Email"),
    "email1_type": ("E-mail Type", "E-Mail-Typ", "Type de messagerie"),
    "email1_display": (
        "E-mail Display Name",
        "E-Mail: Angezeigter Name",
        "Nom complet de l'adresse de messagerie",
    ),
    "email2": ("E-mail 2 Address", "E-Mail 2: Adresse", "Adresse de messagerie 2"),
    "email2_type": ("E-mail 2 Type", "E-Mail 2: Typ", "Type de messagerie 2"),
    "email2_display": (
        "E-mail 2 Display Name",
        "E-Mail 2: Angezeigter Name",
        "Nom complet de l'adresse de messagerie 2",
    ),
    "email3": ("E-mail 3 Address", "E-Mail 3: Adresse", "Adresse de messagerie 3"),
    "email3_type": ("E-mail 3 Type", "E-Mail 3: Typ", "Type de messagerie 3"),
    "email3_display": (
        "E-mail 3 Display Name",
        "E-Mail 3: Angezeigter Name",
        "Nom complet de l'adresse de messagerie 3",
    ),
}
PHONES: dict[str, tuple[str, ...]] = {
    "phone_primary": ("Primary Phone", "Haupttelefon", "Téléphone principal"),
    "phone_mobile": ("Mobile Phone", "Mobiltelefon", "Tél. mobile"),
    "phone_business": ("Business Phone", "Telefon geschäftlich", "Téléphone (bureau)"),
    "phone_business2": ("Business Phone 2", "Telefon geschäftlich 2", "Téléphone 2 (bureau)"),
    "phone_home": ("Home Phone", "Telefon privat", "Téléphone (domicile)"),
    "phone_home2": ("Home Phone 2", "Telefon privat 2", "Téléphone 2 (domicile)"),
    "phone_company": ("Company Main Phone", "Telefon Firma", "Téléphone société"),
    "phone_other": ("Other Phone", "Weiteres Telefon", "Téléphone (autre)"),
    "phone_mobile2": ("Mobile Phone 2", "Mobiltelefon 2"),
}
_ADDRESS_PARTS = ("street", "street2", "street3", "city", "state", "postal_code", "country")
ADDRESSES: dict[str, tuple[str, str, str]] = {
    f"business_{part}": names
    for part, names in zip(
        _ADDRESS_PARTS,
        (
            ("Business Street", "Straße geschäftlich", "Rue (bureau)"),
            ("Business Street 2", "Straße geschäftlich 2", "Rue (bureau) 2"),
            ("Business Street 3", "Straße geschäftlich 3", "Rue (bureau) 3"),
            ("Business City", "Ort geschäftlich", "Ville (bureau)"),
            ("Business State", "Region geschäftlich", "Dép/Région (bureau)"),
            ("Business Postal Code", "Postleitzahl geschäftlich", "Code postal (bureau)"),
            ("Business Country/Region", "Land/Region geschäftlich", "Pays/Région (bureau)"),
        ),
        strict=True,
    )
} | {
    f"home_{part}": names
    for part, names in zip(
        _ADDRESS_PARTS,
        (
            ("Home Street", "Straße privat", "Rue (domicile)"),
            ("Home Street 2", "Straße privat 2", "Rue (domicile) 2"),
            ("Home Street 3", "Straße privat 3", "Rue (domicile) 3"),
            ("Home City", "Ort privat", "Ville (domicile)"),
            ("Home State", "Region privat", "Dép/Région (domicile)"),
            ("Home Postal Code", "Postleitzahl privat", "Code postal (domicile)"),
            ("Home Country/Region", "Land/Region privat", "Pays/Région (domicile)"),
        ),
        strict=True,
    )
}
ALL_COLUMNS = COLUMNS | PHONES | ADDRESSES

_X500 = re.compile(r"^/o=", re.IGNORECASE)
_SMTP_IN_DISPLAY = re.compile(r"[(<]\s*([^()<>\s]+@[^()<>\s]+)\s*[)>]")
_NO_DATE = re.compile(r"0{1,2}[./]0{1,2}[./]0{2}(?:0{2})?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([./])(\d{1,2})[./](\d{2}|\d{4})")


def parse(
    stream: BinaryIO, *, options: ParseOptions
) -> Iterator[PersonRecord | OrganizationRecord | RowProblem]:
    """The contacts of an Outlook CSV, one `PersonRecord` at a time."""
    table = open_table(stream, ALL_COLUMNS, min_known=2)
    refuse_other_format(table, "outlook")
    if not any(key in table.index for key in ("first_name", "last_name", "company", "email1")):
        raise table.error("The header has no “First Name” or “Last Name” column.", "First Name")
    yield from require_records(_records(table), "contacts")


@dataclass
class _Dates:
    """How the file writes slashed dates: month first under English headers (US
    Outlook) until a birthday shows otherwise (`20/01/1991`: British Outlook also
    writes English headers), day first under German or French ones."""

    month_first: bool


def _records(table: Table) -> Iterator[PersonRecord | OrganizationRecord | RowProblem]:
    dates = _Dates(month_first=table.name_of("birthday").strip().lower() == "birthday")
    return rows_of(table, lambda row: _record(row, dates))


def _record(row: Row, dates: _Dates) -> PersonRecord | OrganizationRecord | None:
    first, middle = row.get("first_name"), row.get("middle_name")
    if not first:
        first, middle = middle, ""
    last = row.get("last_name")
    emails = _emails(row)
    phones = unique(row.get(key) for key in PHONES)
    company = row.get("company")
    web_page = row.get("web_page")
    links = [clean_url(row, "web_page", web_page)] if web_page else []
    tags = unique(part.strip() for part in re.split(r"[;,]", row.get("categories")))
    if not (first or last) and company:
        return OrganizationRecord(
            line=row.line,
            name=company,
            website=links[0] if links else "",
            notes=row.get("notes"),
            emails=emails,
            phones=phones,
            addresses=_addresses(row),
            tags=tags,
        )
    if not (first or last or emails or phones):
        return None
    warnings: list[str] = []
    gender, identity = gender_of(row.get("gender"))
    person = PersonRecord(
        line=row.line,
        first_name=first,
        middle_name=middle,
        last_name=last,
        name_prefix=row.get("name_prefix"),
        name_suffix=row.get("name_suffix"),
        nickname=row.get("nickname"),
        gender=gender,
        gender_identity=identity,
        department=row.get("department") if company else "",
        anniversary=_birthday(row, dates, warnings, "anniversary"),
        full_name="" if first or last else (emails or phones)[0],
        organization=company,
        role=row.get("job_title"),
        emails=emails,
        phones=phones,
        links=links,
        addresses=_addresses(row),
        tags=tags,
        notes=row.get("notes"),
        birthday=_birthday(row, dates, warnings),
    )
    person.warnings = warnings
    return person


def _emails(row: Row) -> list[str]:
    found = []
    for number in (1, 2, 3):
        value = row.get(f"email{number}")
        if not value:
            continue
        if row.get(f"email{number}_type").upper() == "EX" or _X500.match(value):
            match = _SMTP_IN_DISPLAY.search(row.get(f"email{number}_display"))
            if match is None:
                continue
            value = match[1]
        found.append(clean_email(row, f"email{number}", value))
    return unique(found)


def _addresses(row: Row) -> list[str]:
    addresses = []
    for kind in ("business", "home"):
        parts = [row.get(f"{kind}_{part}") for part in _ADDRESS_PARTS]
        if any(parts):
            addresses.append(join(*parts, separator=", "))
    return unique(addresses)


def _birthday(
    row: Row, dates: _Dates, warnings: list[str], key: str = "birthday"
) -> PartialDate | None:
    """The date in column `key` (the birthday, or the anniversary: written alike)."""
    value = row.get(key)
    if not value or _NO_DATE.fullmatch(value):
        return None
    try:
        if match := _NUMERIC_DATE.fullmatch(value):
            return _numeric_birthday(match, dates, warnings, key)
        return parse_partial_date(value)
    except ValueError:
        raise row.error(key, f"“{value}” is not a possible date.") from None


def _numeric_birthday(
    match: re.Match[str], dates: _Dates, warnings: list[str], key: str = "birthday"
) -> PartialDate:
    """A numeric birthday. A slashed one whose first number is over 12 is day first and
    makes the file's later ambiguous ones day first too; an ambiguous one (both numbers
    12 or less, and they differ) is read as the file's layout says, with a warning."""
    first, separator, second, year_text = match.groups()
    a, b, year = int(first), int(second), int(year_text)
    if len(year_text) == 2:
        year += 1900 if year > 30 else 2000
    if separator == "/" and a > 12:
        dates.month_first = False
    month_first = separator == "/" and dates.month_first and a <= 12
    month, day = (a, b) if month_first else (b, a)
    if separator == "/" and a <= 12 and b <= 12 and a != b:
        layout = "month/day/year" if month_first else "day/month/year"
        shown = f"{day} {date(2000, month, day):%B}"
        warnings.append(f"{key} “{match[0]}” is ambiguous: read as {layout} ({shown})")
    return PartialDate(month=month, day=day, year=year)
