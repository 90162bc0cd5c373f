"""vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) export of people and organizations.

One file holds organizations first (4.0 `KIND:org`; 3.0 Apple's `X-ABShowAs:COMPANY`),
then people. Each card's UID is the person's or organization's `vcard-uid` external id
(the UID it was imported with), else the stable `followthrough-<slug>-<id>`
(`followthrough-<slug>-org-<id>` for organizations): importers dedupe on it, so
importing an export again updates the same records. A 4.0 person card names its current
organization twice: by name (ORG, which every reader shows) and by that organization
card's UID (RELATED, RFC 6350 6.6.6), which the importer follows instead of the name —
two organizations may share a name, or have names that differ only in case. 3.0 has no
RELATED: there the link is the name alone. Birthdays (and anniversaries) without a year
are `--MMDD` in 4.0 and `--MM-DD` in 3.0 (ISO 8601's truncated form, which Google and
Thunderbird read; RFC 2426 has no year-less form). An address with its parts is written
as them (ADR's seven components); one without is free text, whole in the street
component.

What an address book gave beyond that (the contract's "Export rules", issue 13) goes
back as it came: the name's parts (N = last;first;middle;prefix;suffix; FN the name as
written when there is one), NICKNAME, the departments after the organization in ORG,
ROLE (the affiliation's function), GENDER / 3.0 X-GENDER, ANNIVERSARY / 3.0
X-ANNIVERSARY, TZ, GEO, a photo link (PHOTO as a URI, when there is no photo file) and
messaging handles (IMPP). A contact point's label of plain type tokens is its TYPE
(`pref` is PREF=1 in 4.0); any other label is Apple's group form (`ft1.TEL` with
`ft1.X-ABLABEL`), groups named ft1, ft2, … so they never meet the `item3.` groups of
kept properties. Related people are RELATED in 4.0 and Apple's X-ABRELATEDNAMES in 3.0;
the other properties a card carried are written back verbatim, after the card's own
(`exports.vcard_fields`).

Cost: rows are read as plain values, one streamed query per table plus one query per
2,000 rows for each related table (as the CSV export does; a person's details are one),
and the cards are written by `formats.vcard.writer` (vobject's writer was most of the
export's time: see that module). Memory holds one chunk of rows.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db.models import QuerySet
from django.db.models.functions import Lower

from followthrough.exchange.exports.streaming import CHUNK_SIZE, buffered, chunked, grouped
from followthrough.exchange.exports.vcard_fields import (
    CardFields,
    card_field_lines,
    contact_lines,
    detail_lines,
    group_numbers,
    yearless_date,
)
from followthrough.exchange.formats.own_uids import UID_SYSTEM
from followthrough.exchange.formats.vcard.writer import (
    Line,
    card,
    compound,
    line,
    text,
    text_list,
)
from followthrough.exchange.models import ExternalId
from followthrough.people.links import web_link
from followthrough.people.models import (
    NEWEST_STARTED,
    Affiliation,
    ContactKind,
    ContactPoint,
    Organization,
    Person,
    PersonDetail,
)
from followthrough.people.names import full_name
from followthrough.workspaces.models import Workspace

VERSIONS = ("3.0", "4.0")
PRODID = "-//Followthrough//Followthrough//EN"


@dataclass(frozen=True)
class Photo:
    """A photo file's name (its suffix gives the type) and its bytes."""

    name: str
    data: bytes


@dataclass
class PersonCard:
    """What a person's card says, as plain values."""

    uid: str
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""
    headline: str = ""
    notes: str = ""
    birthday: tuple[int | None, int | None, int | None] = (None, None, None)  # y, m, d
    # kind, value, label and, for an address, its parts ({} for none): see `vcard_fields`
    contacts: list[tuple[str, str, str] | tuple[str, str, str, dict]] = field(default_factory=list)
    organization: str | None = None  # of the current affiliation, when there is one
    organization_uid: str = ""  # that organization's card's UID (4.0 RELATED)
    role: str = ""  # in the current affiliation (else empty)
    tags: list[str] = field(default_factory=list)
    photo: Photo | None = None
    card: CardFields = field(default_factory=CardFields)  # the address book's values
    department: str = ""  # of the current affiliation: ORG's units, joined "; "
    function: str = ""  # of the current affiliation: vCard ROLE
    details: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, label,
    # params, value (`people.PersonDetail`), in their order


@dataclass
class OrganizationCard:
    """What an organization's card says, as plain values."""

    uid: str
    name: str
    website: str = ""
    location: str = ""
    notes: str = ""
    tags: list[str] = field(default_factory=list)


def _head(version: str) -> list[Line]:
    return [text("VERSION", version), text("PRODID", PRODID)]


def _is_kept(kind: str, value: str) -> bool:
    """Every contact point but a link that is no web address (`javascript:` …)."""
    return kind != ContactKind.URL or web_link(value) is not None


def _photo_line(photo: Photo, version: str) -> Line:
    data = base64.b64encode(photo.data).decode("ascii")
    if version == "4.0":
        media_type = mimetypes.guess_type(photo.name)[0] or "image/jpeg"
        return line("PHOTO", f"data:{media_type};base64,{data}")
    subtype = PurePath(photo.name).suffix.lstrip(".").upper() or "JPEG"
    return line("PHOTO", data, {"ENCODING": "b", "TYPE": "JPEG" if subtype == "JPG" else subtype})


def person_card(person: PersonCard, version: str) -> str:
    """One person's card."""
    fields = person.card
    groups = group_numbers(person.details)  # ft1, ft2, … (see the module)
    lines = [
        *_head(version),
        line(
            "N",
            compound(
                person.last_name,
                person.first_name,
                fields.middle_name,
                fields.name_prefix,
                fields.name_suffix,
            ),
        ),
        text(
            "FN",
            fields.formatted_name
            or person.full_name
            or full_name(person.first_name, person.last_name),
        ),
        *contact_lines(person.contacts, version, groups),
        text("UID", person.uid),
    ]
    if person.organization is not None:
        departments = person.department.split("; ") if person.department else []
        lines.append(line("ORG", compound(person.organization, *departments)))
        if version == "4.0" and person.organization_uid:
            lines.append(text("RELATED", person.organization_uid))
    if title := person.role or person.headline:
        lines.append(text("TITLE", title))
    if person.function:
        lines.append(text("ROLE", person.function))
    if person.notes:
        lines.append(text("NOTE", person.notes))
    if person.tags:
        lines.append(line("CATEGORIES", text_list(person.tags)))
    if birthday := yearless_date(person.birthday, version):
        lines.append(text("BDAY", birthday))
    if person.photo:
        lines.append(_photo_line(person.photo, version))
    lines.extend(card_field_lines(fields, version, photo_file=person.photo is not None))
    lines.extend(detail_lines(person.details, version, groups))
    return card(lines)


def organization_card(organization: OrganizationCard, version: str) -> str:
    """An organization's card: `KIND:org` in 4.0, `X-ABShowAs:COMPANY` in 3.0."""
    lines = [
        *_head(version),
        line("N", compound("", "", "", "", "")),
        text("FN", organization.name),
        line("ORG", compound(organization.name)),
        text("UID", organization.uid),
    ]
    if version == "4.0":
        lines.append(text("KIND", "org"))
    else:
        lines.append(text("X-ABSHOWAS", "COMPANY"))
    if organization.website:
        lines.append(text("URL", organization.website))
    if organization.location:
        lines.append(line("ADR", compound("", "", organization.location, "", "", "", "")))
    if organization.notes:
        lines.append(text("NOTE", organization.notes))
    if organization.tags:
        lines.append(line("CATEGORIES", text_list(organization.tags)))
    return card(lines)


def _uids(
    queryset: QuerySet[ExternalId], key: str, ids: list[int] | tuple[int, int]
) -> dict[int, str]:
    """The first (oldest) `vcard-uid` of each of `ids` (person or organization ids; a
    tuple is a range of them, first and last)."""
    within: dict[str, object]
    if isinstance(ids, tuple):
        within = {f"{key}__gte": ids[0], f"{key}__lte": ids[1]}
    else:
        within = {f"{key}__in": ids}
    rows = queryset.filter(system=UID_SYSTEM, **within).order_by(key, "pk")
    return {owner: values[0][0] for owner, values in grouped(rows, key, "value").items()}


def _photo(name: str) -> Photo | None:
    if not name:
        return None
    try:
        with Person._meta.get_field("photo").storage.open(name, "rb") as handle:
            return Photo(name, handle.read())
    except OSError:
        return None  # the file is gone: the card goes without it


PERSON_VALUES = (
    "pk", "first_name", "last_name", "full_name", "headline", "notes", "birthday_year",
    "birthday_month", "birthday_day", "photo", *CardFields.FIELDS,
)  # fmt: skip


def person_cards(*, workspace: Workspace) -> Iterator[PersonCard]:
    """The workspace's people as cards' values, in id order.

    Cost: one streamed query, plus six per 2,000 people (contact points, tags, current
    affiliations, details, UIDs of the people and of their organizations), reading plain
    values; photos are read from storage one by one.
    """
    people = (
        Person.objects.for_workspace(workspace)
        .order_by("pk")
        .values_list(*PERSON_VALUES)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for chunk in chunked(people, CHUNK_SIZE):
        ids = [row[0] for row in chunk]
        # The chunk is every person of the workspace from its first id to its last (they
        # come in id order): a range, which costs the query nothing to build or parse,
        # where `IN` with 2,000 ids cost milliseconds per query.
        these = (ids[0], ids[-1])
        ours = {"person_id__gte": these[0], "person_id__lte": these[1]}
        points = grouped(
            ContactPoint.objects.for_workspace(workspace)
            .filter(**ours)
            .order_by("person_id", "kind", "position", "pk"),
            "person_id", "kind", "value", "label", "address_parts",
        )  # fmt: skip
        details = grouped(
            PersonDetail.objects.for_workspace(workspace)
            .filter(**ours)
            .order_by("person_id", "kind", "position", "pk"),
            "person_id", "kind", "label", "params", "value",
        )  # fmt: skip
        tags = grouped(
            Person.tags.through.objects.filter(**ours, tag__workspace=workspace)
            .order_by("person_id", Lower("tag__name"), "tag_id"),
            "person_id", "tag__name",
        )  # fmt: skip
        # The current affiliation: the latest started of those not ended (the profile's).
        affiliations = grouped(
            Affiliation.objects.for_workspace(workspace)
            .filter(**ours, ended_on__isnull=True)
            .order_by("person_id", NEWEST_STARTED, "pk"),
            "person_id", "organization_id", "organization__name", "role", "department",
            "function",
        )  # fmt: skip
        external = ExternalId.objects.for_workspace(workspace)
        uids = _uids(external, "person_id", these)
        org_ids = sorted({values[0][0] for values in affiliations.values()})
        org_uids = _uids(external, "organization_id", org_ids)
        for pk, first, last, full, headline, notes, year, month, day, photo, *values in chunk:
            org_id, organization, role, department, function = affiliations.get(
                pk, [(None, None, "", "", "")]
            )[0]
            yield PersonCard(
                uid=uids.get(pk) or f"followthrough-{workspace.slug}-{pk}",
                first_name=first,
                last_name=last,
                full_name=full,
                headline=headline,
                notes=notes,
                birthday=(year, month, day),
                contacts=[c for c in points.get(pk, []) if _is_kept(c[0], c[1])],
                organization=organization,
                organization_uid=_organization_uid(workspace, org_id, org_uids),
                role=role,
                tags=[name for (name,) in tags.get(pk, ())],
                photo=_photo(photo),
                card=CardFields(*values),
                department=department,
                function=function,
                details=details.get(pk, []),
            )


def _organization_uid(workspace: Workspace, pk: int | None, uids: dict[int, str]) -> str:
    """The UID of organization `pk`'s card (see the module); "" for no organization."""
    if pk is None:
        return ""
    return uids.get(pk) or f"followthrough-{workspace.slug}-org-{pk}"


def organization_cards(*, workspace: Workspace) -> Iterator[OrganizationCard]:
    """The workspace's organizations (its own profile included) as cards' values, in id
    order. Cost: one streamed query, plus two per 2,000 (focus areas, UIDs)."""
    organizations = (
        Organization.objects.for_workspace(workspace)
        .order_by("pk")
        .values_list("pk", "name", "website", "location", "notes")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for chunk in chunked(organizations, CHUNK_SIZE):
        ids = [row[0] for row in chunk]
        tags = grouped(
            Organization.focus_areas.through.objects.filter(
                organization_id__in=ids, tag__workspace=workspace
            ).order_by("organization_id", Lower("tag__name"), "tag_id"),
            "organization_id", "tag__name",
        )  # fmt: skip
        uids = _uids(ExternalId.objects.for_workspace(workspace), "organization_id", ids)
        for pk, name, website, location, notes in chunk:
            yield OrganizationCard(
                uid=_organization_uid(workspace, pk, uids),
                name=name,
                website=website if web_link(website) else "",  # never a script link
                location=location,
                notes=notes,
                tags=[tag for (tag,) in tags.get(pk, ())],
            )


def _cards(workspace: Workspace, version: str) -> Iterator[str]:
    for organization in organization_cards(workspace=workspace):
        yield organization_card(organization, version)
    for person in person_cards(workspace=workspace):
        yield person_card(person, version)


def vcards(*, workspace: Workspace, version: str = "4.0") -> Iterator[str]:
    """All the workspace's organizations, then all its people, as one .vcf stream."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version must be one of {', '.join(VERSIONS)}, not “{version}”.")
    return buffered(_cards(workspace, version))
