"""One person to find or create (`Incoming`): what cleaning (`clean`) makes of a person
or attendee record, and what dedupe (`dedupe`) and the loader match and write; with
what an address book says beyond that (`Card`), when the record says any of it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from followthrough.exchange.formats.records import PartialDate, Photo
from followthrough.people.names import full_name


@dataclass(slots=True)
class Card:
    """What a person record from an address book brings beyond the name, headline, notes
    and the four kinds of contact points (`clean_card`), made ready for the database."""

    # Person fields of `people.models.CARD_FIELDS` the record gives (non-empty only).
    fields: dict[str, Any] = field(default_factory=dict)
    department: str = ""  # of the affiliation, beside `Incoming.role`
    function: str = ""
    ims: list[tuple[str, str]] = field(default_factory=list)  # (value, normalized)
    # (kind, normalized) of a contact point above → (label, address parts)
    typed: dict[tuple[str, str], tuple[str, dict[str, str]]] = field(default_factory=dict)
    details: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # kind, label, params, value

    def __bool__(self) -> bool:
        return bool(
            self.fields
            or self.department
            or self.function
            or self.ims
            or self.typed
            or self.details
        )


@dataclass(slots=True)
class Incoming:
    """One person to find or create: from a person row, an attendee row, or an event's
    attendee. `action` is filled in by the loader."""

    line: int
    kind: str
    first_name: str = ""
    last_name: str = ""
    headline: str = ""
    organization: str = ""
    organization_ref: str = ""
    role: str = ""
    notes: str = ""
    # (value as given, normalized) pairs, deduplicated, in file order
    emails: list[tuple[str, str]] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    addresses: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    birthday: PartialDate | None = None
    photo: Photo | None = None
    external_ids: dict[str, str] = field(default_factory=dict)
    profile: str = ""  # the LinkedIn profile among the links (canonical), a dedupe key
    connected_on: date | None = None  # LinkedIn's "Connected On", kept on that link
    # What an address book says beyond that; None for most records (LinkedIn, CSV …),
    # so the loader reads and writes none of it for them.
    card: Card | None = None
    # Attendance (attendees only): `event_slot` indexes the batch's events, or -1 for the
    # event the import was given.
    rsvp: str = ""
    checked_in: bool = False
    event_slot: int | None = None
    action: str = ""
    person_id: int | None = None
    own_id: int | None = None  # the person our own export's UID names (`own_uids`)
    keys: list[tuple[str, str, str]] | None = None  # dedupe.record_keys, once computed

    def __reduce__(self) -> tuple[type[Incoming], tuple[object, ...]]:
        # Sent by the thousand from the reader process (`prepare`): rebuilt through
        # __init__, unpickling is 2.5 times as fast as the dataclass's own field-by-field
        # __setstate__.
        return (Incoming, tuple(getattr(self, name) for name in _INCOMING_FIELDS))

    @property
    def label(self) -> str:
        name = full_name(self.first_name, self.last_name)
        return name or (self.emails[0][0] if self.emails else "(no name)")

    @property
    def has_name(self) -> bool:
        return bool(self.first_name or self.last_name)


_INCOMING_FIELDS = tuple(f.name for f in fields(Incoming))
