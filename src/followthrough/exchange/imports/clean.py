"""Records made ready for the database: trimmed, normalized, checked against the columns.

Keys that dedupe (e-mails, external ids) must be exact, so a bad one stops the import
with its line and field (`ParseError`); display text that is merely too long is cut to
its column with a warning, and a phone, link or address that cannot be kept is dropped
with a warning. No database access here.
"""

from __future__ import annotations

import re

from followthrough.events.models import Rsvp
from followthrough.exchange.formats.records import (
    LINKEDIN,
    AttendeeRecord,
    OrganizationRecord,
    ParseError,
    PersonRecord,
)
from followthrough.exchange.imports.clean_card import clean_card
from followthrough.exchange.imports.clean_text import Warn
from followthrough.exchange.imports.clean_text import cut as _text
from followthrough.exchange.imports.incoming import Incoming
from followthrough.people.linkedin import PREFIX, is_profile, linkedin_canonical
from followthrough.people.links import web_link
from followthrough.people.models import ContactKind
from followthrough.people.services import normalize_contact, normalize_link

EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")
# Words of a name: letters, joined by spaces, hyphens, apostrophes or full stops.
NAME_WORDS = re.compile(r"[^\W\d_]+(?:[ .'\u2019-]+[^\W\d_]+)*\.?")
MAX_EMAIL = 254
CONTACT_MAX = 400
EXTERNAL_SYSTEM_MAX = 40
EXTERNAL_VALUE_MAX = 400
NAME_MAX = 100
TEXT_MAX = 200
TAG_MAX = 60
RSVPS = frozenset(Rsvp.values)


def clean_email(value: str, line: int, field_name: str = "email") -> str:
    """A trimmed e-mail address; `ParseError` when it is not one (an e-mail is a key)."""
    value = value.strip().removeprefix("mailto:").removeprefix("MAILTO:").strip()
    if len(value) > MAX_EMAIL or not EMAIL.match(value):
        shown = value if len(value) <= 80 else value[:80] + "…"
        raise ParseError(f"“{shown}” is not a valid e-mail address.", line=line, field=field_name)
    return value


def _contacts(
    kind: str, values: list[str], line: int, warn: Warn, seen: set[str] | None = None
) -> list[tuple[str, str]]:
    """(value, normalized) pairs, blanks and repeats dropped; the same keys as
    `people.services.normalize_contact` (e-mails and links inline: it runs per row)."""
    if not values:
        return []
    seen = set() if seen is None else seen
    out: list[tuple[str, str]] = []
    for raw in values:
        value = raw.strip() if raw else ""
        if not value:
            continue
        if len(value) > CONTACT_MAX:
            label = (
                "messaging handle" if kind == ContactKind.IM else ContactKind(kind).label.lower()
            )
            warn(line, f"a {label} longer than {CONTACT_MAX} characters was left out")
            continue
        if kind == ContactKind.EMAIL:
            key = value.lower()
        elif kind == ContactKind.URL:
            key = normalize_link(value)
        else:
            key = normalize_contact(kind, value)
        if key and key not in seen:
            seen.add(key)
            out.append((value, key))
    return out


def _web_links(values: list[str], line: int, warn: Warn) -> tuple[list[str], list[str]]:
    """The http(s) links among `values` (`people.links.web_link`), and a note line for
    each of the others (`javascript:`, `data:` …), which are never kept as links."""
    web: list[str] = []
    notes: list[str] = []
    for raw in values or []:
        value = (raw or "").strip()
        if not value:
            continue
        link = web_link(value)
        if link is not None:
            web.append(link)
        else:
            warn(line, f"“{value[:80]}” is not a web address: kept in the notes, not as a link")
            notes.append(f"Link in the file (not a web address): {value}")
    return web, notes


def clean_external_ids(ids: dict[str, str], line: int) -> dict[str, str]:
    """External ids, trimmed; `ParseError` when one cannot be stored whole (it is a key).
    A LinkedIn profile is not among them: it is a link (`profile_links`)."""
    out: dict[str, str] = {}
    if not ids:
        return out
    for system, value in ids.items():
        system, value = (system or "").strip().lower(), (value or "").strip()
        if not system or not value or system == LINKEDIN:
            continue
        if len(system) > EXTERNAL_SYSTEM_MAX or len(value) > EXTERNAL_VALUE_MAX:
            raise ParseError(
                f"the {system} id is longer than {EXTERNAL_VALUE_MAX} characters",
                line=line,
                field=system[:EXTERNAL_SYSTEM_MAX],
            )
        out[system] = value
    return out


def profile_links(
    given: str, links: list[tuple[str, str]], line: int, warn: Warn
) -> tuple[list[tuple[str, str]], str]:
    """The links with the record's LinkedIn profile (`given`: its LinkedIn field — a
    profile URL, or a bare profile name like "ada-lovelace") among them, and that
    profile's canonical URL ("" when there is none)."""
    given = (given or "").strip()
    if given:
        bare = "/" not in given and "." not in given and " " not in given
        if bare:
            given = linkedin_canonical(f"{PREFIX}{given}") or given
        links = links + _contacts(ContactKind.URL, [given], line, warn, {k for _, k in links})
    profile = next((key for _, key in links if is_profile(key)), "")
    return links, profile


def clean_tags(names: list[str], line: int, warn: Warn) -> list[str]:
    if not names:
        return []
    tags: dict[str, str] = {}
    for name in names:
        name = _text(name, TAG_MAX, line, "a tag", warn)
        if name:
            tags.setdefault(name.lower(), name)
    return list(tags.values())


def _name_parts(full_name: str, line: int, warn: Warn) -> tuple[str, str]:
    """First and last name of a name given whole: "Raman, Dev" (as calendars and
    address books write a sortable name) is split at its comma; any other name is kept
    whole as the first name, since where a family name starts is not knowable from the
    words alone ("Maria de la Cruz", "Nguyễn Văn An")."""
    last, comma, first = (full_name or "").partition(",")
    if comma and NAME_WORDS.fullmatch(first.strip()) and NAME_WORDS.fullmatch(last.strip()):
        return (
            _text(first, NAME_MAX, line, "first name", warn),
            _text(last, NAME_MAX, line, "last name", warn),
        )
    return _text(full_name, NAME_MAX, line, "name", warn), ""


def _says_more(full_name: str, first: str, last: str) -> bool:
    """Whether a formatted name holds words its first and last name do not."""
    if not full_name or not full_name.strip():
        return False

    def words(text: str) -> set[str]:
        # "Raman, Dev" names the same person as "Dev Raman": commas are not words.
        return set(text.casefold().replace(",", " ").split())

    return not words(full_name) <= words(f"{first} {last}")


def clean_person(record: PersonRecord, warn: Warn) -> Incoming:
    """A person row made ready: names (the formatted name when there is no structured
    one; kept as the name as written when it says more than the structured one),
    contact points normalized, the LinkedIn profile among the links, and what an
    address book says beyond that (`clean_card`)."""
    line = record.line
    for message in record.warnings:
        warn(line, message)
    first = _text(record.first_name, NAME_MAX, line, "first name", warn)
    last = _text(record.last_name, NAME_MAX, line, "last name", warn)
    notes = (record.notes or "").strip()
    formatted_name = ""
    if not (first or last):
        first, last = _name_parts(record.full_name, line, warn)
    elif _says_more(record.full_name, first, last):
        # "Иван Петров (Фонд)": the name as the file showed it says more than its parts.
        formatted_name = record.full_name.strip()
    emails = [clean_email(e, line) for e in record.emails if e and e.strip()]
    external_ids = clean_external_ids(record.external_ids, line)
    web, not_web = _web_links(record.links, line, warn)
    notes = "\n\n".join(filter(None, [notes, *not_web]))
    links = _contacts(ContactKind.URL, web, line, warn)
    links, profile = profile_links(record.external_ids.get(LINKEDIN, ""), links, line, warn)
    # A role with an organization is the affiliation's ("Director at Harbor Arts"); as
    # the headline too it would show twice. Without one, the headline keeps it.
    headline = record.headline or ("" if record.organization.strip() else record.role)
    return Incoming(
        line=line,
        kind="person",
        first_name=first,
        last_name=last,
        headline=_text(headline, TEXT_MAX, line, "headline", warn),
        organization=_text(record.organization, TEXT_MAX, line, "organization", warn),
        organization_ref=(record.organization_ref or "").strip(),
        role=_text(record.role, TEXT_MAX, line, "role", warn),
        notes=notes,
        emails=_contacts(ContactKind.EMAIL, emails, line, warn),
        phones=_contacts(ContactKind.PHONE, record.phones, line, warn),
        links=links,
        addresses=_contacts(ContactKind.ADDRESS, record.addresses, line, warn),
        tags=clean_tags(record.tags, line, warn),
        birthday=record.birthday,
        photo=record.photo,
        external_ids=external_ids,
        profile=profile,
        connected_on=record.connected_on,
        card=clean_card(
            record,
            warn,
            formatted_name=formatted_name,
            ims=_contacts(ContactKind.IM, record.ims, line, warn) if record.ims else None,
        ),
    )


def clean_attendee(record: AttendeeRecord, warn: Warn, *, event_slot: int) -> Incoming:
    """An attendee made ready: a person to find or create, plus the RSVP and check-in."""
    line = record.line
    rsvp = (record.rsvp or Rsvp.UNKNOWN).strip().lower()
    if rsvp not in RSVPS:
        raise ParseError(
            f"“{record.rsvp}” is not an RSVP (one of {', '.join(sorted(RSVPS))})",
            line=line,
            field="rsvp",
        )
    first = _text(record.first_name, NAME_MAX, line, "first name", warn)
    last = _text(record.last_name, NAME_MAX, line, "last name", warn)
    if not (first or last):
        first, last = _name_parts(record.name, line, warn)
    email = clean_email(record.email, line) if record.email and record.email.strip() else ""
    links, profile = profile_links(record.external_ids.get(LINKEDIN, ""), [], line, warn)
    # As for a person row: a job title with a company is the affiliation's role only.
    headline = "" if record.organization.strip() else record.role
    return Incoming(
        line=line,
        kind="attendee",
        first_name=first,
        last_name=last,
        headline=_text(headline, TEXT_MAX, line, "role", warn),
        organization=_text(record.organization, TEXT_MAX, line, "organization", warn),
        role=_text(record.role, TEXT_MAX, line, "role", warn),
        emails=_contacts(ContactKind.EMAIL, [email] if email else [], line, warn),
        links=links,
        external_ids=clean_external_ids(record.external_ids, line),
        profile=profile,
        rsvp=rsvp,
        checked_in=bool(record.checked_in),
        event_slot=event_slot,
    )


def clean_organization(record: OrganizationRecord, warn: Warn) -> OrganizationRecord:
    """An organization row made ready (a copy; the record is left alone): name and
    location cut to their columns with a warning, a website or feed URL too long to keep
    left out with one (a cut address would lead elsewhere)."""
    line = record.line
    for message in record.warnings:
        warn(line, message)
    name = _text(record.name, TEXT_MAX, line, "organization name", warn)
    if not name:
        raise ParseError("an organization needs a name", line=line, field="name")

    not_web: list[str] = []

    def url(value: str, label: str) -> str:
        value = (value or "").strip()
        if len(value) > TEXT_MAX:
            warn(line, f"{label} longer than {TEXT_MAX} characters left out")
            return ""
        if value and web_link(value) is None:
            warn(line, f"the {label} “{value[:80]}” is not a web address: kept in the notes")
            not_web.append(f"{label.capitalize()} in the file (not a web address): {value}")
            return ""
        return web_link(value) or ""

    # In the order of the columns, as the warnings are listed.
    website = url(record.website, "website")
    location = _text(record.location, TEXT_MAX, line, "location", warn)
    feed_url = url(record.feed_url, "news feed URL")
    return OrganizationRecord(
        line=line,
        name=name,
        website=website,
        notes="\n\n".join(filter(None, [(record.notes or "").strip(), *not_web])),
        emails=[clean_email(e, line) for e in record.emails if e and e.strip()],
        phones=[p.strip() for p in record.phones if p and p.strip()],
        addresses=[a.strip() for a in record.addresses if a and a.strip()],
        tags=clean_tags(record.tags, line, warn),
        external_ids=clean_external_ids(record.external_ids, line),
        location=location,
        mission=(record.mission or "").strip(),
        offers=(record.offers or "").strip(),
        needs=(record.needs or "").strip(),
        feed_url=feed_url,
    )
