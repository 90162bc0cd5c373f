"""vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) export of people and organizations.

One file holds organizations first (4.0 `KIND:org`; 3.0 Apple's `X-ABShowAs:COMPANY`),
then people. Each card's UID is the person's or organization's `vcard-uid` external id
(the UID it was imported with), else the stable `followthrough-<slug>-<id>`
(`followthrough-<slug>-org-<id>` for organizations): importers dedupe on it, so
importing an export again updates the same records. Birthdays without a year are
`--MMDD` in 4.0 and `--MM-DD` in 3.0 (ISO 8601's truncated form, which Google and
Thunderbird read; RFC 2426 has no year-less form). Addresses are free text, so each goes
whole into ADR's street component.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterator
from pathlib import PurePath

import vobject
from django.db.models import Prefetch

from followthrough.exchange.exporters import CHUNK_SIZE, buffered
from followthrough.exchange.models import ExternalId
from followthrough.people.models import ContactKind, Organization, Person
from followthrough.people.selectors import person_profile, tag_choices
from followthrough.workspaces.models import Workspace

VERSIONS = ("3.0", "4.0")
UID_SYSTEM = "vcard-uid"
PRODID = "-//Followthrough//Followthrough//EN"
_TYPE_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
UNFOLDED = 10**9  # vobject folds by characters, not octets: we fold ourselves
LINE_OCTETS = 75


def fold(text: str) -> str:
    """Fold content lines to 75 octets (RFC 6350 3.2), never inside a UTF-8 character."""
    return "\r\n".join(_fold_line(line) for line in text.split("\r\n"))


def _fold_line(line: str) -> str:
    if len(line) <= LINE_OCTETS and line.isascii():
        return line
    if line.isascii():
        rest = [line[i : i + LINE_OCTETS - 1] for i in range(LINE_OCTETS, len(line), 74)]
        return "\r\n ".join([line[:LINE_OCTETS], *rest])
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1  # the fold's space counts
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def person_uid(workspace: Workspace, person: Person) -> str:
    uids = getattr(person, "vcard_uids", None)
    return uids[0].value if uids else f"followthrough-{workspace.slug}-{person.pk}"


def organization_uid(workspace: Workspace, organization: Organization) -> str:
    uids = getattr(organization, "vcard_uids", None)
    return uids[0].value if uids else f"followthrough-{workspace.slug}-org-{organization.pk}"


def _uid_prefetch(workspace: Workspace) -> Prefetch:
    return Prefetch(
        "external_ids",
        queryset=ExternalId.objects.for_workspace(workspace)
        .filter(system=UID_SYSTEM)
        .order_by("pk"),
        to_attr="vcard_uids",
    )


def _new_card(version: str) -> vobject.base.Component:
    card = vobject.vCard()
    card.add("version").value = version
    card.add("prodid").value = PRODID
    return card


def _add(card: vobject.base.Component, name: str, value: object, label: str = "") -> None:
    line = card.add(name)
    line.value = value
    token = label.strip().lower()
    if token and set(token) <= _TYPE_TOKEN:
        line.type_param = token


def _add_raw(card: vobject.base.Component, name: str, value: str, **params: str) -> None:
    """A line whose value is already encoded (a data: URI, base64): vobject must not
    escape it (4.0 URIs hold `;` and `,`)."""
    line = card.add(name)
    for key, param in params.items():
        setattr(line, f"{key}_param", param)
    line.value = value
    line.behavior = None
    line.encoded = True


def _birthday(person: Person, version: str) -> str:
    month, day, year = person.birthday_month, person.birthday_day, person.birthday_year
    if not (month and day):
        return ""
    if version == "4.0":
        return f"{year:04d}{month:02d}{day:02d}" if year else f"--{month:02d}{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _photo(card: vobject.base.Component, person: Person, version: str) -> None:
    if not person.photo:
        return
    try:
        with person.photo.storage.open(person.photo.name, "rb") as handle:
            data = base64.b64encode(handle.read()).decode("ascii")
    except OSError:
        return  # the file is gone: the card goes without it
    media_type = mimetypes.guess_type(person.photo.name)[0] or "image/jpeg"
    if version == "4.0":
        _add_raw(card, "photo", f"data:{media_type};base64,{data}")
    else:
        subtype = PurePath(person.photo.name).suffix.lstrip(".").upper() or "JPEG"
        _add_raw(card, "photo", data, encoding="b", type="JPEG" if subtype == "JPG" else subtype)


def _contact_lines(card: vobject.base.Component, person: Person) -> None:
    for point in person.contact_points.all():
        if point.kind == ContactKind.EMAIL:
            _add(card, "email", point.value, point.label)
        elif point.kind == ContactKind.PHONE:
            _add(card, "tel", point.value, point.label)
        elif point.kind == ContactKind.URL:
            _add(card, "url", point.value, point.label)
        else:
            _add(card, "adr", vobject.vcard.Address(street=point.value), point.label)


def person_card(workspace: Workspace, person: Person, version: str) -> str:
    """One person's card (fetch them with `vcard_people` for their related rows)."""
    card = _new_card(version)
    card.add("n").value = vobject.vcard.Name(family=person.last_name, given=person.first_name)
    card.add("fn").value = person.full_name or f"{person.first_name} {person.last_name}".strip()
    _contact_lines(card, person)
    current = next((a for a in person.affiliations.all() if a.ended_on is None), None)
    if current:
        card.add("org").value = [current.organization.name]
    if (current and current.role) or person.headline:
        card.add("title").value = current.role if current and current.role else person.headline
    if person.notes:
        card.add("note").value = person.notes
    tags = [tag.name for tag in person.tags.all()]
    if tags:
        card.add("categories").value = tags
    if birthday := _birthday(person, version):
        card.add("bday").value = birthday
    _photo(card, person, version)
    card.add("uid").value = person_uid(workspace, person)
    return fold(card.serialize(lineLength=UNFOLDED))


def organization_card(workspace: Workspace, organization: Organization, version: str) -> str:
    """An organization's card: `KIND:org` in 4.0, `X-ABShowAs:COMPANY` in 3.0."""
    card = _new_card(version)
    if version == "4.0":
        card.add("kind").value = "org"
    card.add("n").value = vobject.vcard.Name()
    card.add("fn").value = organization.name
    card.add("org").value = [organization.name]
    if organization.website:
        card.add("url").value = organization.website
    if organization.location:
        card.add("adr").value = vobject.vcard.Address(street=organization.location)
    if organization.notes:
        card.add("note").value = organization.notes
    tags = [tag.name for tag in organization.focus_areas.all()]
    if tags:
        card.add("categories").value = tags
    if version == "3.0":
        card.add("x-abshowas").value = "COMPANY"
    card.add("uid").value = organization_uid(workspace, organization)
    return fold(card.serialize(lineLength=UNFOLDED))


def vcard_people(*, workspace: Workspace):
    """People with everything a card needs, prefetched per chunk; id order."""
    return (
        person_profile(workspace=workspace)
        .prefetch_related(_uid_prefetch(workspace))
        .order_by("pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _cards(workspace: Workspace, version: str) -> Iterator[str]:
    organizations = (
        Organization.objects.for_workspace(workspace)
        .prefetch_related(
            Prefetch("focus_areas", queryset=tag_choices(workspace=workspace)),
            _uid_prefetch(workspace),
        )
        .order_by("pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for organization in organizations:
        yield organization_card(workspace, organization, version)
    for person in vcard_people(workspace=workspace):
        yield person_card(workspace, person, version)


def vcards(*, workspace: Workspace, version: str = "4.0") -> Iterator[str]:
    """All the workspace's organizations, then all its people, as one .vcf stream."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {', '.join(VERSIONS)}, not “{version}”.")
    return buffered(_cards(workspace, version))
