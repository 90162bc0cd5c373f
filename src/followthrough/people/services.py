"""Writes for the directory: people, organizations, affiliations, tags, contact points.

A person's contact points of one kind are written as a whole list (the profile form
edits them that way): each keeps its label, and a point whose value is unchanged keeps
what the form does not show — an address's structure (`address_parts`, matched on the
exact old text: an edited address is then just its text) and when a LinkedIn connection
was made (matched on the normalized value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.dates import MONTHS

from followthrough.people import registry
from followthrough.people.contact_lines import LABEL_MAX, ContactInput
from followthrough.people.linkedin import linkedin_canonical
from followthrough.people.models import (
    ANNIVERSARY_FIELDS,
    BIRTHDAY_FIELDS,
    CARD_FIELDS,
    ORGANIZATION_FIELDS,
    PERSON_FIELDS,
    Affiliation,
    ContactKind,
    ContactPoint,
    Gender,
    Organization,
    Person,
    Tag,
)
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def normalize_contact(kind: str, value: str) -> str:
    """The dedupe key of an e-mail, phone or link (see `ContactPoint.normalized`)."""
    value = value.strip()
    if kind == ContactKind.EMAIL:
        return value.lower()
    if kind == ContactKind.PHONE:
        return ("+" if value.startswith("+") else "") + re.sub(r"\D", "", value)
    if kind == ContactKind.URL:
        return normalize_link(value)
    if kind == ContactKind.IM:
        return value.lower()
    return value.lower().rstrip("/")


def normalize_link(value: str) -> str:
    """A link's key: a LinkedIn profile in its one canonical spelling, any other link
    lower-cased without a trailing slash. `value` is already stripped."""
    if "linkedin" in value.lower():
        profile = linkedin_canonical(value)
        if profile:
            return profile
    return value.lower().rstrip("/")


def tags_resolve(*, workspace: Workspace, names: Iterable[str]) -> list[Tag]:
    """The workspace's tags with these names (case-insensitive), creating missing ones."""
    wanted = {n.strip().lower(): n.strip() for n in names if n and n.strip()}
    if not wanted:
        return []
    # Matched in Python: SQLite's LOWER() folds only ASCII, so "Жизнь" would miss "жизнь".
    # A workspace's tags are a small vocabulary, read in one query.
    existing = {t.name.lower(): t for t in Tag.objects.for_workspace(workspace).only("id", "name")}
    for key, name in wanted.items():
        if key not in existing:
            existing[key] = Tag.objects.create(workspace=workspace, name=name[:60])
    return [existing[key] for key in wanted]


# What a contact point carries that the form does not show, by (kind, exact value) for
# an address's parts and by (kind, normalized value) for the rest.
_Kept = dict[tuple[str, str], ContactPoint]
ContactValues = Sequence[str | ContactInput]
# The contact lists `person_create` and `person_update` take, by argument name.
CONTACT_KINDS = ("emails", "phones", "links", "addresses", "ims")
CONTACT_KIND_OF = dict(
    zip(
        CONTACT_KINDS,
        (
            ContactKind.EMAIL,
            ContactKind.PHONE,
            ContactKind.URL,
            ContactKind.ADDRESS,
            ContactKind.IM,
        ),
        strict=True,
    )
)


def _old_points(person: Person) -> _Kept:
    """The person's contact points before an edit, in one query."""
    kept: _Kept = {}
    for point in person.contact_points.only(
        "kind", "value", "normalized", "connected_on", "address_parts"
    ):
        kept.setdefault((point.kind, point.normalized), point)
        if point.kind == ContactKind.ADDRESS:
            kept.setdefault(("address-text", point.value), point)
    return kept


def _set_contact_points(
    person: Person, kind: str, values: ContactValues, old: _Kept | None = None
) -> None:
    """Replace the person's contact points of `kind` with `values` (in that order, without
    repeats); `old` (from `_old_points`) gives what an unchanged value keeps, and is None
    only for a new person, who has nothing to replace."""
    if old is not None:
        person.contact_points.filter(kind=kind).delete()
    seen: set[str] = set()
    rows: list[ContactPoint] = []
    for item in values:
        entry = item if isinstance(item, ContactInput) else ContactInput(item)
        value = entry.value.strip()
        key = normalize_contact(kind, value)
        if not value or key in seen:
            continue
        seen.add(key)
        before = (old or {}).get((kind, key))
        same_text = (
            (old or {}).get(("address-text", value)) if kind == ContactKind.ADDRESS else None
        )
        rows.append(
            ContactPoint(
                workspace_id=person.workspace_id,
                person=person,
                kind=kind,
                value=value,
                normalized=key,
                label=entry.label.strip()[:LABEL_MAX],
                position=len(rows),
                connected_on=before.connected_on if before else None,
                address_parts=entry.parts or (same_text.address_parts if same_text else {}),
            )
        )
    ContactPoint.objects.bulk_create(rows)


def birthday_check(
    month: int | None, day: int | None, year: int | None, *, what: str = "A birthday"
) -> None:
    """Raise ValueError unless this is a birthday (or, as `what` says, an anniversary):
    nothing at all, or a real day of a month with an optional year (29 February without
    a year is one)."""
    if month is None and day is None and year is None:
        return
    if month is None or day is None:
        raise ValueError(f"{what} needs a day and a month.")
    if not 1 <= month <= 12:
        raise ValueError(f"There is no month {month}.")
    try:
        date(year or 2000, month, day)  # 2000 was a leap year: any real day fits
    except ValueError:
        if (month, day) == (2, 29) and year:
            raise ValueError(f"{year} was not a leap year: it had no 29 February.") from None
        raise ValueError(f"There is no {day} {MONTHS[month]}.") from None


def _card_check(person: Person, fields: dict[str, Any]) -> None:
    """Raise ValueError for an anniversary that is no day or a gender not in `Gender`
    (parts not in `fields` are the person's own)."""
    if any(name in fields for name in ANNIVERSARY_FIELDS):
        birthday_check(
            *(fields.get(name, getattr(person, name)) for name in ANNIVERSARY_FIELDS),
            what="An anniversary",
        )
    if fields.get("gender") and fields["gender"] not in Gender.values:
        raise ValueError(f"“{fields['gender']}” is not a gender of vCard (M, F, O, N or U).")


@transaction.atomic
def person_create(
    *,
    workspace: Workspace,
    first_name: str = "",
    last_name: str = "",
    headline: str = "",
    notes: str = "",
    emails: ContactValues = (),
    phones: ContactValues = (),
    links: ContactValues = (),
    addresses: ContactValues = (),
    ims: ContactValues = (),
    tags: Sequence[str] = (),
    organization: Organization | None = None,
    role: str = "",
    owner: User | None = None,
    photo: Any = None,
    birthday_month: int | None = None,
    birthday_day: int | None = None,
    birthday_year: int | None = None,
    **card: Any,
) -> Person:
    """Add a person to the directory; `card` takes the fields of `CARD_FIELDS`. Contact
    points are values or `ContactInput`s (with a label). The rooms that keep something
    for every person (their relationship, at stage Noticed) add it through
    `registry.on_person_added`."""
    if not (first_name.strip() or last_name.strip()):
        raise ValueError("A person needs a first or last name.")
    unknown = set(card) - set(CARD_FIELDS)
    if unknown:
        raise TypeError(f"person_create() got unexpected fields {sorted(unknown)}")
    birthday_check(birthday_month, birthday_day, birthday_year)
    person = Person(
        workspace=workspace,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        headline=headline,
        notes=notes,
        birthday_month=birthday_month,
        birthday_day=birthday_day,
        birthday_year=birthday_year,
        **card,
    )
    _card_check(person, card)
    if photo:
        person.photo = photo
    person.save()
    for kind, values in zip(
        CONTACT_KIND_OF.values(), (emails, phones, links, addresses, ims), strict=True
    ):
        _set_contact_points(person, kind, values)
    if tags:
        person.tags.set(tags_resolve(workspace=workspace, names=tags))
    if organization is not None:
        affiliation_add(person=person, organization=organization, role=role)
    registry.person_added(person, organization, owner)
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    emails: ContactValues | None = None,
    phones: ContactValues | None = None,
    links: ContactValues | None = None,
    addresses: ContactValues | None = None,
    ims: ContactValues | None = None,
    tags: Sequence[str] | None = None,
    **fields: Any,
) -> Person:
    """Change a person's fields; list arguments left as None stay as they are. A contact
    list replaces that kind's points (see the module docstring for what an unchanged
    value keeps); the person's other details (`PersonDetail`) are never touched here."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"person_update() got unexpected fields {sorted(unknown)}")
    if any(name in fields for name in BIRTHDAY_FIELDS):
        birthday_check(*(fields.get(name, getattr(person, name)) for name in BIRTHDAY_FIELDS))
    _card_check(person, fields)
    old_photo = person.photo.name if "photo" in fields and person.photo else ""
    for name, value in fields.items():
        setattr(person, name, value)
    person.save()
    if old_photo and old_photo != person.photo.name:
        # Only once the new row is committed: a rollback must still find the old file.
        storage = person.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    given = (emails, phones, links, addresses, ims)
    lists = dict(zip(CONTACT_KIND_OF.values(), given, strict=True))
    old = _old_points(person) if any(v is not None for v in lists.values()) else {}
    for kind, values in lists.items():
        if values is not None:
            _set_contact_points(person, kind, values, old)
    if tags is not None:
        person.tags.set(tags_resolve(workspace=person.workspace, names=tags))
        registry.tags_changed(person.workspace, [person.pk])
    return person


@transaction.atomic
def organization_create(
    *, workspace: Workspace, name: str, focus_areas: Sequence[str] = (), **fields: Any
) -> Organization:
    """Add an organization (with its mission, offers and needs) to the directory."""
    if not name.strip():
        raise ValueError("An organization needs a name.")
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"organization_create() got unexpected fields {sorted(unknown)}")
    org = Organization.objects.create(workspace=workspace, name=name.strip(), **fields)
    if focus_areas:
        org.focus_areas.set(tags_resolve(workspace=workspace, names=focus_areas))
    return org


def organization_get_or_create(*, workspace: Workspace, name: str) -> Organization | None:
    """The workspace's organization with this name (case-insensitive), added when new;
    None for a blank name."""
    from followthrough.people.selectors import organization_find_by_name

    if not name.strip():
        return None
    return organization_find_by_name(workspace=workspace, name=name) or organization_create(
        workspace=workspace, name=name
    )


@transaction.atomic
def organization_update(
    *, organization: Organization, focus_areas: Sequence[str] | None = None, **fields: Any
) -> Organization:
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise TypeError(f"organization_update() got unexpected fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.save()
    if focus_areas is not None:
        organization.focus_areas.set(
            tags_resolve(workspace=organization.workspace, names=focus_areas)
        )
    return organization


def affiliation_add(
    *,
    person: Person,
    organization: Organization,
    role: str = "",
    department: str = "",
    function: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Affiliation:
    """Record a person's role at an organization (a person may hold several): the job
    title (`role`), the unit within it (`department`) and the part they play
    (`function`)."""
    if person.workspace_id != organization.workspace_id:
        raise ValueError("Person and organization belong to different workspaces.")
    if started_on and ended_on and ended_on < started_on:
        raise ValueError("An affiliation cannot end before it starts.")
    return Affiliation.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        organization=organization,
        role=role,
        department=department,
        function=function,
        started_on=started_on,
        ended_on=ended_on,
    )


def affiliation_end(*, affiliation: Affiliation, ended_on: date) -> Affiliation:
    if affiliation.started_on and ended_on < affiliation.started_on:
        raise ValueError("An affiliation cannot end before it starts.")
    affiliation.ended_on = ended_on
    affiliation.save(update_fields=["ended_on"])
    return affiliation
