"""An event platform's attendee export (Eventbrite's "Attendee Summary" layout), for one
event: the loader attaches the attendees to the event the user picked.

Promises: one `AttendeeRecord` per row (per ticket: a buyer's guests are rows of their
own, sharing the order number), in file order, with the file's line number.

- `rsvp` from "Attendee Status": Attending / Checked In → `accepted`; Not Attending,
  Refunded, Cancelled, Deleted, Transferred → `declined`; anything else, or an empty cell,
  → `unknown` — a row is never taken as attended unless it says so. A checked-in row is
  `accepted` unless its status declines.
- `checked_in` from "Checked In" (Yes/No, True/False, 1/0) or a "Checked In" status;
  another value in that column is a `ParseError`.
- "Attendee #" → `external_ids["eventbrite"]` (re-importing the file changes nothing);
  Company → `organization`, Job Title → `role`. A guest without an e-mail is fine; a
  malformed e-mail is a `ParseError` naming line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from followthrough.exchange.formats.csv.cells import emails_of, join
from followthrough.exchange.formats.csv.reader import (
    Row,
    Table,
    open_table,
    refuse_other_format,
    require_records,
    rows_of,
)
from followthrough.exchange.formats.records import AttendeeRecord, RowProblem
from followthrough.exchange.formats.registry import ParseOptions

COLUMNS: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "Attendee First Name"),
    "last_name": ("Last Name", "Attendee Last Name"),
    "name": ("Name", "Attendee Name", "Full Name"),
    "email": ("Email", "Email Address", "Attendee Email", "E-mail"),
    "attendee_id": ("Attendee #", "Attendee ID", "Attendee Number"),
    "order": ("Order #", "Order ID", "Order Number"),
    "status": ("Attendee Status", "Status"),
    "checked_in": ("Checked In", "Checked-In"),
    "company": ("Company", "Company Name", "Organization"),
    "job_title": ("Job Title", "Title"),
}
EXTERNAL_ID = "eventbrite"

ACCEPTED = {"attending", "checkedin", "registered", "confirmed", "going", "approved"}
DECLINED = {
    "notattending",
    "refunded",
    "cancelled",
    "canceled",
    "deleted",
    "transferred",
    "declined",
}
_YES = {"yes", "y", "true", "1", "x", "checkedin"}
_NO = {"no", "n", "false", "0", "", "notcheckedin"}


def parse(stream: BinaryIO, *, options: ParseOptions) -> Iterator[AttendeeRecord | RowProblem]:
    """The attendees of an attendee export, one `AttendeeRecord` at a time."""
    table = open_table(stream, COLUMNS, min_known=3)
    refuse_other_format(table, "eventbrite")
    if not any(key in table.index for key in ("first_name", "last_name", "name", "email")):
        raise table.error("The header has no attendee name or e-mail column.", "First Name")
    yield from require_records(_attendees(table), "attendees")


def _attendees(table: Table) -> Iterator[AttendeeRecord | RowProblem]:
    return rows_of(table, _attendee)


def _attendee(row: Row) -> AttendeeRecord:
    first, last = row.get("first_name"), row.get("last_name")
    name = join(first, last) or row.get("name")
    emails = emails_of(row, "email")
    if not (name or emails):
        raise row.error("first_name", "The row has no attendee name or e-mail.")
    status = _key(row.get("status"))
    checked_in = _checked_in(row) or status == "checkedin"
    if status in DECLINED:
        rsvp = "declined"
    elif status in ACCEPTED or checked_in:
        rsvp = "accepted"
    else:
        rsvp = "unknown"
    attendee = AttendeeRecord(
        line=row.line,
        name=name or emails[0],
        first_name=first,
        last_name=last,
        email=emails[0] if emails else "",
        rsvp=rsvp,
        checked_in=checked_in,
        organization=row.get("company"),
        role=row.get("job_title"),
    )
    if attendee_id := row.get("attendee_id"):
        attendee.external_ids[EXTERNAL_ID] = attendee_id
    return attendee


def _key(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def _checked_in(row: Row) -> bool:
    value = _key(row.get("checked_in"))
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise row.error("checked_in", f"“{row.get('checked_in')}” is not Yes or No.")
