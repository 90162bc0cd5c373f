"""Plain records that parsers yield and the loader saves: no database in here.

Every parser turns bytes into these records (streaming, one at a time). Bad input is a
`ParseError` naming its line and field: raised when the file cannot be read on, and
yielded as a `RowProblem` in place of one row that cannot be read (the rows after it
are read, so a failed import names every bad row). The loader (`exchange.imports.loader`) is the
only code that turns records into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

LINKEDIN = "linkedin"  # the record field (`PersonRecord.external_ids`) a profile comes in


class ParseError(ValueError):
    """Bad input, with where it is: `line` (1-based, in the file), `field` and `message`."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "") -> None:
        self.line = line
        self.field = field
        self.message = message
        where = ", ".join(
            part
            for part in (f"line {line}" if line else "", f"field “{field}”" if field else "")
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


@dataclass(frozen=True)
class PartialDate:
    """A date whose year may be unknown (vCard `--0702`, Google `--07-02`)."""

    month: int
    day: int
    year: int | None = None

    def __post_init__(self) -> None:
        date(self.year or 2000, self.month, self.day)  # raises ValueError when impossible


@dataclass
class Photo:
    data: bytes
    media_type: str = ""  # as declared by the file, e.g. "image/jpeg"; verify before use
    # Why the file's photo cannot be kept (too large, broken encoding), with `data` empty:
    # the loader leaves the photo out with this warning and keeps the rest of the record.
    left_out: str = ""


@dataclass(frozen=True)
class ContactDetail:
    """The type and structure of one of a record's e-mails, phones, links, addresses or
    messaging handles (`PersonRecord.contact_details`): `label` as
    `people.ContactPoint.label` ("work, cell", or the user's own words); `parts` an
    address's structure ({part: text}, keys of `people.models.ADDRESS_PARTS`)."""

    label: str = ""
    parts: tuple[tuple[str, str], ...] = ()  # an address's (part, text) pairs


@dataclass(frozen=True)
class CardProperty:
    """A property of a card that has no field of its own, as written (see
    `people.PersonDetail`, kind "other"): name with its group, parameters without the
    leading ";", value still escaped."""

    name: str
    params: str
    value: str


@dataclass
class PersonRecord:
    line: int
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""  # the formatted name, when the file has no structured one
    headline: str = ""
    organization: str = ""
    role: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    birthday: PartialDate | None = None
    photo: Photo | None = None
    # Identity in the source: {"vcard-uid": "…", "linkedin": "https://…/in/x", …}
    external_ids: dict[str, str] = field(default_factory=dict)
    connected_on: date | None = None  # LinkedIn's "Connected On"
    # The external id of an OrganizationRecord of the same file (vCard 4 RELATED).
    organization_ref: str = ""
    # What the parser repaired or left out of the record, each naming its line; the
    # loader lists them in the result.
    warnings: list[str] = field(default_factory=list)
    # What address books hold beyond that (`people.models.CARD_FIELDS`). Formats that do
    # not carry them leave them empty.
    name_prefix: str = ""
    middle_name: str = ""
    name_suffix: str = ""
    nickname: str = ""  # several joined with ", "
    gender: str = ""  # one of people.models.Gender's values, or ""
    gender_identity: str = ""
    anniversary: PartialDate | None = None
    time_zone: str = ""
    geo: str = ""  # "latitude,longitude"
    photo_url: str = ""  # a photo given as a link (never fetched)
    department: str = ""  # the organization's units ("Accounting; Payroll")
    function: str = ""  # vCard ROLE, when TITLE gives `role`
    ims: list[str] = field(default_factory=list)  # messaging handles as URIs ("xmpp:a@b")
    # (kind, value) of an e-mail, phone, link, address or IM above → its type/structure.
    contact_details: dict[tuple[str, str], ContactDetail] = field(default_factory=dict)
    related: list[tuple[str, str]] = field(default_factory=list)  # (relation, name or URI)
    other: list[CardProperty] = field(default_factory=list)


@dataclass
class OrganizationRecord:
    line: int
    name: str
    website: str = ""
    notes: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # its focus areas
    external_ids: dict[str, str] = field(default_factory=dict)
    # What the directory keeps of an organization (the organizations CSV reads them);
    # formats without them leave them empty, and `addresses[0]` stands in for location.
    location: str = ""
    mission: str = ""
    offers: str = ""
    needs: str = ""
    feed_url: str = ""  # its news feed (RSS or Atom)
    warnings: list[str] = field(default_factory=list)  # as PersonRecord's


@dataclass
class AttendeeRecord:
    line: int
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    rsvp: str = "unknown"  # one of events.models.Rsvp's values
    checked_in: bool = False
    organization: str = ""
    role: str = ""
    external_ids: dict[str, str] = field(default_factory=dict)


@dataclass
class EventRecord:
    line: int
    title: str
    starts_at: datetime | date  # aware datetime, or a date for an all-day event
    ends_at: datetime | date | None = None
    all_day: bool = False
    time_zone: str = ""  # IANA name the times were given in
    location: str = ""
    notes: str = ""
    rrule: str = ""  # the RRULE text of a recurring series, kept as the file gave it
    uid: str = ""
    cancelled: bool = False  # STATUS:CANCELLED, or in an iTIP METHOD:CANCEL message
    attendees: list[AttendeeRecord] = field(default_factory=list)
    # Things the parser decided that the user should know (e.g. "floating time taken as
    # Europe/Berlin"), shown in the preview.
    warnings: list[str] = field(default_factory=list)


@dataclass
class RowProblem:
    """A row of the file that could not be read into a record (`ParseError`'s line,
    field and message). Yielded in its place, so the rows after it are still read and a
    failed import names every bad row; the loader fails the import on any."""

    line: int | None
    field: str
    message: str


@dataclass
class SkippedRecord:
    """A record the parser left out on purpose, though the file is fine (an iTIP
    cancellation without a start, say): yielded in its place, so the import counts it
    as skipped, shows it in the preview and warns with its line and `message`."""

    line: int
    kind: str  # as a preview row's: "event", "person", …
    label: str  # what the preview shows for it (a title, a name)
    message: str
    # The UID of the event an iTIP cancellation without a start names: the loader marks
    # that event cancelled if the workspace has it.
    cancels: str = ""


Record = (
    PersonRecord | OrganizationRecord | EventRecord | AttendeeRecord | RowProblem | SkippedRecord
)
