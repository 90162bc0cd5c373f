"""What a person's page shows, read in one small SQL query per part.

The page is opened constantly and must stay quick at 100,000 people and a million
interactions. Each part is an index range scan of a handful of rows (~0.05 ms), while
building the same query through the ORM costs ~1 ms on the project's machines, so the
fixed-shape reads are written once in plain SQL that SQLite and PostgreSQL both run,
every one scoped by the workspace id (see `followthrough.sql`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from followthrough.events.days import zone_of
from followthrough.people.contact_lines import label_display
from followthrough.people.geo import geo_position
from followthrough.people.models import ContactKind, DetailKind, Gender, Person
from followthrough.people.selectors import TimelinePage
from followthrough.relationships.models import FollowUpStatus, InteractionKind
from followthrough.sql import aware, fetch_rows

FOLLOW_UPS_SHOWN = 20
EVENTS_SHOWN = 10


def _name(first: str | None, last: str | None, email: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (email or "")


@dataclass(frozen=True, slots=True)
class TagRow:
    name: str
    cadence_days: int | None


def _is_web(value: str) -> bool:
    return value[:8].lower() == "https://" or value[:7].lower() == "http://"


@dataclass(frozen=True, slots=True)
class ContactRow:
    value: str
    label: str  # as stored: "work, cell", "Summer house"
    # An address's structure, as lines to show ("" parts left out); empty otherwise.
    lines: tuple[str, ...] = ()

    @property
    def label_display(self) -> str:
        return label_display(self.label)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class LinkRow:
    value: str
    connected_on: date | None  # LinkedIn's "Connected On", for a profile link
    label: str = ""

    @property
    def is_web(self) -> bool:
        return _is_web(self.value)

    @property
    def label_display(self) -> str:
        return label_display(self.label)


def address_lines(parts: dict[str, str]) -> tuple[str, ...]:
    """An address's parts as the lines of an envelope: PO box, extended, street; then
    "locality, region code"; then the country."""
    town = " ".join(filter(None, (parts.get("region"), parts.get("code"))))
    place = ", ".join(filter(None, (parts.get("locality"), town)))
    lines = (
        parts.get("box"),
        parts.get("extended"),
        parts.get("street"),
        place,
        parts.get("country"),
    )
    return tuple(line for line in lines if line)


def _parts(raw: object) -> dict[str, str]:
    # Read by plain SQL, a JSON column comes back as text (SQLite, and Django's psycopg
    # setup); a driver that decodes it gives a dict.
    if isinstance(raw, str):
        raw = json.loads(raw or "{}")
    return {k: str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def unescape_card_text(value: str) -> str:
    """A vCard value as written (RFC 6350 3.4: "\\n", "\\,", "\\;", "\\\\") as a member
    reads it."""
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append("\n" if following in "nN" and following else following)
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class DetailRow:
    label: str
    value: str

    @property
    def label_display(self) -> str:
        return label_display(self.label)

    @property
    def name(self) -> str:
        """An other detail's property name without its group ("item3.X-ABDATE" →
        "X-ABDATE"); a vCard group never holds a dot."""
        return self.label.split(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class MoreAbout:
    """The address-book fields of the person (`CARD_FIELDS`), ready to show."""

    name_parts: str  # "Dr. Jane Quincy Doe PhD" when there is a prefix, middle or suffix
    gender: str  # "Female (woman)"
    anniversary: Birthday | None
    geo_url: str  # an OpenStreetMap link to the position, "" when there is none
    photo_url: str  # "" unless an http(s) link

    def __bool__(self) -> bool:
        return any((self.name_parts, self.gender, self.anniversary, self.geo_url, self.photo_url))


@dataclass(frozen=True, slots=True)
class AffiliationRow:
    id: int
    role: str
    department: str
    function: str
    started_on: date | None
    ended_on: date | None
    organization_id: int
    organization_name: str

    @property
    def is_current(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    id: int
    title: str
    due_at: datetime
    assigned_name: str


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    event_id: int
    event_title: str
    starts_at: datetime
    checked_in: bool


@dataclass(frozen=True, slots=True)
class InteractionRow:
    id: int
    kind: str
    occurred_at: datetime
    summary: str
    note: str
    event_title: str | None
    logged_by_name: str
    event_all_day: bool = False
    event_zone: str = ""

    @property
    def all_day(self) -> date | None:
        """The day, when this is the start of an all-day event (its midnight is no time
        anyone met), else None."""
        if not self.event_all_day:
            return None
        local = self.occurred_at.astimezone(zone_of(self.event_zone))
        return local.date() if local.time() == time(0) else None

    @property
    def kind_label(self) -> str:
        return InteractionKind(self.kind).label

    @property
    def occurred_iso(self) -> str:
        return self.occurred_at.isoformat()


@dataclass(frozen=True, slots=True)
class Birthday:
    """A birthday to show; `day` carries year 2000 (a leap year) when the year is unknown."""

    day: date
    has_year: bool


def birthday_of(person: Person, field: str = "birthday") -> Birthday | None:
    """The person's birthday (or `field="anniversary"`), or None when it is missing or
    not a real day."""
    month, day, year = (getattr(person, f"{field}_{part}") for part in ("month", "day", "year"))
    if not (month and day):
        return None
    try:
        return Birthday(date(year or 2000, month, day), has_year=bool(year))
    except ValueError:
        return None


@dataclass
class PersonPage:
    person: Person
    birthday: Birthday | None
    tags: list[TagRow]
    contacts: dict[str, list[ContactRow]]
    links: list[LinkRow]
    more: MoreAbout
    related: list[DetailRow]
    other_details: list[DetailRow]
    current_affiliations: list[AffiliationRow]
    past_affiliations: list[AffiliationRow]
    cadence_days: int | None
    follow_ups: list[FollowUpRow]
    attendances: list[AttendanceRow]
    timeline: TimelinePage

    @property
    def headline_is_a_role(self) -> bool:
        """Whether the headline only repeats a current role ("Director" and "Director at
        Acme"): the page then says it once, with the organization."""
        headline = self.person.headline.strip().casefold()
        return bool(headline) and any(
            a.role.strip().casefold() == headline for a in self.current_affiliations
        )


TAGS_SQL = """
    SELECT t.name, t.cadence_days FROM people_tag t
    JOIN people_person_tags pt ON pt.tag_id = t.id
    WHERE t.workspace_id = %s AND pt.person_id = %s
    ORDER BY lower(t.name), t.id
"""
CONTACTS_SQL = """
    SELECT kind, value, connected_on, label, address_parts FROM people_contactpoint
    WHERE workspace_id = %s AND person_id = %s
    ORDER BY kind, position, id
"""
AFFILIATIONS_SQL = """
    SELECT a.id, a.role, a.department, a.function, a.started_on, a.ended_on,
           a.organization_id, o.name
    FROM people_affiliation a
    JOIN people_organization o ON o.id = a.organization_id AND o.workspace_id = a.workspace_id
    WHERE a.workspace_id = %s AND a.person_id = %s
    ORDER BY CASE WHEN a.ended_on IS NULL THEN 0 ELSE 1 END, a.ended_on DESC,
             CASE WHEN a.started_on IS NULL THEN 1 ELSE 0 END, a.started_on DESC, a.id
"""
DETAILS_SQL = """
    SELECT kind, label, value FROM people_persondetail
    WHERE workspace_id = %s AND person_id = %s
    ORDER BY kind, position, id
"""
FOLLOW_UPS_SQL = """
    SELECT f.id, f.title, f.due_at, u.first_name, u.last_name, u.email
    FROM relationships_followup f
    LEFT JOIN auth_user u ON u.id = f.assigned_to_id
    WHERE f.workspace_id = %s AND f.person_id = %s AND f.status = %s
    ORDER BY f.due_at, f.id
    LIMIT %s
"""
ATTENDANCES_SQL = """
    SELECT e.id, e.title, e.starts_at, a.checked_in
    FROM events_attendance a
    JOIN events_event e ON e.id = a.event_id AND e.workspace_id = a.workspace_id
    WHERE a.workspace_id = %s AND a.person_id = %s
    ORDER BY e.starts_at DESC, a.id DESC
    LIMIT %s
"""
TIMELINE_SQL = """
    SELECT i.id, i.kind, i.occurred_at, i.summary, i.note, e.title,
           u.first_name, u.last_name, u.email, e.all_day, e.time_zone
    FROM relationships_interaction i
    LEFT JOIN events_event e ON e.id = i.event_id AND e.workspace_id = i.workspace_id
    LEFT JOIN auth_user u ON u.id = i.logged_by_id
    WHERE i.workspace_id = %s AND i.person_id = %s
    ORDER BY i.occurred_at DESC, i.id DESC
    LIMIT %s OFFSET %s
"""


def _timeline(workspace_id: int, person_id: int, number: int, per_page: int) -> TimelinePage:
    """Page `number` (from 1), newest first; one row past the page tells if older exist."""
    number = max(number, 1)
    rows = fetch_rows(
        TIMELINE_SQL, [workspace_id, person_id, per_page + 1, (number - 1) * per_page]
    )
    entries = [
        InteractionRow(
            id,
            kind,
            aware(at),
            summary,
            note,
            event,
            _name(first, last, email),
            bool(all_day),
            zone or "",
        )
        for id, kind, at, summary, note, event, first, last, email, all_day, zone in rows
    ]
    return TimelinePage(object_list=entries[:per_page], number=number,
                        has_next=len(entries) > per_page)  # fmt: skip


def _geo_url(geo: str) -> str:
    """A link that shows the position on OpenStreetMap (the page fetches nothing)."""
    position = geo_position(geo)
    if position is None:
        return ""
    lat, lon = position.split(",")
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=15/{lat}/{lon}"


def more_about(person: Person) -> MoreAbout:
    names = (person.first_name, person.middle_name, person.last_name)
    gender = Gender(person.gender).label if person.gender in Gender.values else ""
    identity = person.gender_identity
    return MoreAbout(
        name_parts=" ".join(filter(None, (person.name_prefix, *names, person.name_suffix)))
        if person.name_prefix or person.middle_name or person.name_suffix
        else "",
        gender=f"{gender} ({identity})" if gender and identity else gender or identity,
        anniversary=birthday_of(person, "anniversary"),
        geo_url=_geo_url(person.geo) if person.geo else "",
        photo_url=person.photo_url if _is_web(person.photo_url) else "",
    )


def _details(ids: list[int]) -> tuple[list[DetailRow], list[DetailRow]]:
    related, other = [], []
    for kind, label, value in fetch_rows(DETAILS_SQL, ids):
        if kind == DetailKind.RELATED:
            related.append(DetailRow(label, value))
        else:
            other.append(DetailRow(label, unescape_card_text(value)))
    return related, other


def person_page(*, person: Person, timeline_number: int, timeline_per_page: int) -> PersonPage:
    """The parts of `person`'s page (fetch the person with `person_with_relationship`).

    Orders: tags by name; contacts by kind then position; affiliations current first;
    open follow-ups soonest first (at most 20); events latest first (at most 10); the
    timeline newest first, one page; related people and other details as imported.
    Cost: 7 indexed queries, whatever the history length.
    """
    from followthrough.relationships.services import relationship_cadence_days

    ids = [person.workspace_id, person.pk]
    tags = [TagRow(*row) for row in fetch_rows(TAGS_SQL, ids)]
    contacts: dict[str, list[ContactRow]] = {kind: [] for kind in ContactKind.values}
    links: list[LinkRow] = []
    for kind, value, connected_on, label, parts in fetch_rows(CONTACTS_SQL, ids):
        lines = address_lines(_parts(parts)) if kind == ContactKind.ADDRESS else ()
        contacts[kind].append(ContactRow(value, label, lines))
        if kind == ContactKind.URL:
            links.append(LinkRow(value, connected_on, label))
    related, other_details = _details(ids)
    affiliations = [AffiliationRow(*row) for row in fetch_rows(AFFILIATIONS_SQL, ids)]
    follow_ups = [
        FollowUpRow(id, title, aware(due), _name(first, last, email))
        for id, title, due, first, last, email in fetch_rows(
            FOLLOW_UPS_SQL, [*ids, FollowUpStatus.OPEN.value, FOLLOW_UPS_SHOWN]
        )
    ]
    attendances = [
        AttendanceRow(event_id, title, aware(starts), bool(checked_in))
        for event_id, title, starts, checked_in in fetch_rows(ATTENDANCES_SQL, [*ids, EVENTS_SHOWN])
    ]
    relationship = getattr(person, "relationship", None)
    cadence = (
        relationship_cadence_days(
            relationship=relationship, tag_cadences=[t.cadence_days for t in tags]
        )
        if relationship
        else None
    )
    return PersonPage(
        person=person,
        birthday=birthday_of(person),
        tags=tags,
        contacts=contacts,
        links=links,
        more=more_about(person),
        related=related,
        other_details=other_details,
        current_affiliations=[a for a in affiliations if a.is_current],
        past_affiliations=[a for a in affiliations if not a.is_current],
        cadence_days=cadence,
        follow_ups=follow_ups,
        attendances=attendances,
        timeline=_timeline(person.workspace_id, person.pk, timeline_number, timeline_per_page),
    )
