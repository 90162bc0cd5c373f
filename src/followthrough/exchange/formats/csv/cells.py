"""The values of CSV cells, as every CSV parser reads them: multi-value cells, e-mail
addresses, web addresses and dates, each refused with its row and column (`ParseError`)
when it cannot be read."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date

import email_validator

from followthrough.exchange.formats.csv.reader import Row
from followthrough.exchange.formats.records import PartialDate
from followthrough.people.links import web_link

MULTI_SEPARATOR = " ::: "  # Google's multi-value cells


def unique(values: Iterable[str]) -> list[str]:
    """Non-empty values in order, without case-insensitive repeats."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def split_multi(value: str, extra_separators: str = "") -> list[str]:
    """The values of a multi-value cell (` ::: `, plus any of `extra_separators`)."""
    if not value:
        return []
    parts = value.split(":::")
    if extra_separators:
        pattern = "[" + re.escape(extra_separators) + "]"
        parts = [piece for part in parts for piece in re.split(pattern, part)]
    return unique(part.strip() for part in parts)


# Plain ASCII addresses the full check would accept, checked without calling it (speed).
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.IGNORECASE,
)


def valid_email(value: str) -> str | None:
    """The address (trimmed, `mailto:` dropped) when it is a well-formed address, else
    None. International addresses (RFC 6531: `警察@brown.org`, `user@例え.jp`) are
    well-formed: Django's `validate_email` refuses a non-ASCII local part, so the check
    is the `email-validator` library's, with SMTPUTF8 allowed and no DNS look-up (an
    import must not depend on the network). The address is kept as written."""
    address = value.strip()
    if address[:7].lower() == "mailto:":
        address = address[7:].strip()
    if len(address) <= 254 and _PLAIN_EMAIL.fullmatch(address):
        return address
    try:
        email_validator.validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=True,
            allow_quoted_local=True,  # Django took `"john doe"@example.org` and IP
            allow_domain_literal=True,  # literals; so does this check
        )
    except email_validator.EmailNotValidError:
        return None
    return address


def invalid_email(value: str) -> str:
    return f"“{value}” is not a valid e-mail address."


def clean_email(row: Row, key: str | int, value: str) -> str:
    """A validated e-mail address (`valid_email`); a malformed one is a `ParseError` at
    the row and column."""
    address = valid_email(value)
    if address is None:
        raise row.error(key, invalid_email(value))
    return address


def emails_of(row: Row, key: str | int, extra_separators: str = "") -> list[str]:
    value = row.get(key) if isinstance(key, str) else row.at(key)
    return [clean_email(row, key, item) for item in split_multi(value, extra_separators)]


def clean_url(row: Row, key: str | int, value: str) -> str:
    """An http(s) URL (`example.org` gains `https://`, `people.links.web_link`); anything
    else is a `ParseError` naming the cell."""
    if not value.strip():
        return ""
    url = web_link(value)
    if url is None:
        raise row.error(key, f"“{value}” is not a web address (http or https).")
    return url


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})")
_YEARLESS = re.compile(r"--(\d{2})-?(\d{2})")


@functools.lru_cache(maxsize=4096)
def parse_date(value: str) -> date:
    """`2024-03-05`, `05 Mar 2024` (LinkedIn), `5 March 2024` or `Mar 5, 2024`;
    `ValueError` otherwise."""
    text = value.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
        return date(int(year), int(month), int(day))
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month_name, year = match.groups()
    elif match := _MONTH_DAY_YEAR.fullmatch(text):
        month_name, day, year = match.groups()
    else:
        raise ValueError(f"“{value}” is not a date like 2024-03-05 or 05 Mar 2024.")
    month = _MONTHS.get(month_name.lower())
    if month is None:
        raise ValueError(f"“{month_name}” in “{value}” is not an English month name.")
    return date(int(year), month, int(day))


def parse_partial_date(value: str) -> PartialDate:
    """A birthday: any `parse_date` form, or year-less `--07-02` / `--0702`."""
    text = value.strip()
    if match := _YEARLESS.fullmatch(text):
        return PartialDate(month=int(match[1]), day=int(match[2]))
    full = parse_date(text)
    return PartialDate(month=full.month, day=full.day, year=full.year)


def birthday_of(row: Row, key: str, value: str | None = None) -> PartialDate | None:
    """The birthday in column `key` (or `value`, already read from it); "" gives None."""
    if value is None:
        value = row.get(key)
    if not value:
        return None
    try:
        return parse_partial_date(value)
    except ValueError as exc:
        raise row.error(key, _date_message(value, exc)) from None


def _date_message(value: str, exc: ValueError) -> str:
    text = str(exc)
    return text if text.startswith("“") else f"“{value}” is not a possible date ({text})."


def date_of(row: Row, key: str, value: str | None = None) -> date | None:
    """The date in column `key` (or `value`, already read from it); "" gives None."""
    if value is None:
        value = row.get(key)
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise row.error(key, _date_message(value, exc)) from None


def join(*parts: str, separator: str = " ") -> str:
    return separator.join(part for part in parts if part)


# Gender as the CSV exports of Google and Outlook write it (English, German, French).
_GENDERS = {
    "m": "M",
    "male": "M",
    "männlich": "M",
    "masculin": "M",
    "homme": "M",
    "f": "F",
    "female": "F",
    "weiblich": "F",
    "féminin": "F",
    "feminin": "F",
    "femme": "F",
}
_NO_GENDER = {"unspecified", "nicht angegeben", "non spécifié", "non specifie", "0"}


def gender_of(value: str) -> tuple[str, str]:
    """(gender, identity) of a gender cell: Male/Female in a known language → "M"/"F";
    "Unspecified" (Outlook's default) → nothing; any other words → the identity."""
    text = (value or "").strip()
    key = text.casefold()
    if not key or key in _NO_GENDER:
        return "", ""
    if key in _GENDERS:
        return _GENDERS[key], ""
    return "", text
