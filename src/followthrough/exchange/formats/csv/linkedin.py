"""LinkedIn `Connections.csv` (Settings → Data privacy → Get a copy of your data).

Promises: one `PersonRecord` per connection, in file order, with the file's line number.
The "Notes:" preamble before the header is skipped. `Company` becomes `organization` and
`Position` the `role` there; `Connected On` becomes `connected_on`, in every layout
LinkedIn has used (`05 Mar 2024`, `5-Jan-26`, `1/8/18, 6:14 PM`, ISO); the profile URL,
normalized by `normalize_linkedin_url`, is both `external_ids["linkedin"]`
(the dedupe key when LinkedIn withholds the e-mail, as it mostly does) and a link.
A row with no name, URL or e-mail (LinkedIn's placeholder for members who hide their
data) is skipped; a malformed e-mail, URL or date is a `ParseError` naming line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from followthrough.exchange.formats.csv.cells import clean_email, date_of
from followthrough.exchange.formats.csv.reader import (
    Row,
    Table,
    open_table,
    refuse_other_format,
    require_records,
    rows_of,
)
from followthrough.exchange.formats.records import PersonRecord, RowProblem
from followthrough.exchange.formats.registry import ParseOptions

COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "url": ("URL", "Profile URL", "LinkedIn URL"),
    "email": ("Email Address", "E-mail Address", "Email"),
    "company": ("Company",),
    "position": ("Position",),
    "connected_on": ("Connected On",),
}
REQUIRED = ("first_name", "last_name")
# The common shape, normalized without urlsplit (speed).
_PLAIN_URL = re.compile(r"https?://(?:www\.)?linkedin\.com/in/([A-Za-z0-9_.~-]+)/?")


def normalize_linkedin_url(value: str) -> str:
    """The canonical form of a LinkedIn profile URL, for dedupe:
    `https://www.linkedin.com/in/<slug>`, the slug lower-cased and percent-decoded, from any
    spelling (no scheme, http, country or mobile host, `/pub/`, trailing slash or path,
    query, fragment). The same form as `people.linkedin.linkedin_canonical`. `ValueError`
    when it is not an http(s) LinkedIn profile address.

    >>> normalize_linkedin_url("http://de.linkedin.com/in/Ada-L/?trk=x")
    'https://www.linkedin.com/in/ada-l'
    """
    text = value.strip()
    if fast := _PLAIN_URL.fullmatch(text):
        return "https://www.linkedin.com/in/" + fast[1].lower()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    segments = [segment for segment in unquote(parts.path).split("/") if segment]
    if (
        parts.scheme.lower() not in ("http", "https")
        or not (host == "linkedin.com" or host.endswith(".linkedin.com"))
        or len(segments) < 2
        or segments[0].lower() not in ("in", "pub")
    ):
        raise ValueError(f"“{value}” is not a LinkedIn profile address.")
    return "https://www.linkedin.com/in/" + segments[1].lower()


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[PersonRecord | RowProblem]:
    """The connections of a LinkedIn export, one `PersonRecord` at a time."""
    table = open_table(stream, COLUMNS, required=REQUIRED, min_known=3)
    refuse_other_format(table, "linkedin")
    yield from require_records(_people(table), "contacts")


def _people(table: Table) -> Iterator[PersonRecord | RowProblem]:
    fields = table.fields(*COLUMNS)
    return rows_of(table, lambda row: _person(row, fields))


def _person(row: Row, fields: Callable[[Row], list[str]]) -> PersonRecord | None:
    first, last, url, email, company, position, connected = fields(row)
    url = _profile_url(row, url) if url else ""
    emails = [clean_email(row, "email", email)] if email else []
    if not (first or last or emails or url):
        return None
    record = PersonRecord(
        line=row.line,
        first_name=first,
        last_name=last,
        organization=company,
        role=position,
        emails=emails,
        connected_on=_connected_on(row, connected),
    )
    if url:
        record.external_ids["linkedin"] = url
        record.links.append(url)
    if not (first or last):
        record.full_name = emails[0] if emails else url
    return record


# Every layout LinkedIn has written "Connected On" in: `05 Jan 2026` (now), `5-Jan-26`,
# `1/8/18, 6:14 PM` and `1/8/2018` (month first: LinkedIn writes US dates), and ISO.
_CONNECTED_LAYOUTS = (
    "%d %b %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y",
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%b %d, %Y",
    "%d %B %Y",
)


def _connected_on(row: Row, value: str) -> date | None:
    """The day of `Connected On` in any of `_CONNECTED_LAYOUTS`; else a `ParseError`
    naming the cell (a date that cannot be read is not guessed)."""
    text = " ".join(value.split())
    if not text:
        return None
    for layout in _CONNECTED_LAYOUTS:
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return date_of(row, "connected_on", text)  # its message names the cell


def _profile_url(row: Row, value: str) -> str:
    try:
        return normalize_linkedin_url(value)
    except ValueError as exc:
        raise row.error("url", str(exc)) from None
