"""Every address book of the real-world corpus survives a round trip: import the file,
export the workspace as vCard 4.0, import that into a fresh workspace, and every
property of the first import is present after the second, compared as normalized values
(not as text): names and their parts, the name as written, nickname, headline, notes,
birthday and anniversary, gender, time zone, geo position, photo (file or link), tags,
every e-mail, phone, link, address and messaging handle with its types and an address's
structure, the current organization with title, department and function, related people
and the details kept verbatim ("other details"). Organizations keep their names.

Each person of the first workspace is found in the second by the UID the export gave
their card (the UID they were imported with, else `followthrough-<slug>-<id>`).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from followthrough.exchange.exports.vcard_export import vcards
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.own_uids import UID_SYSTEM
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from followthrough.exchange.models import ExternalId
from followthrough.people.models import CARD_FIELDS, Affiliation, Organization, Person
from tests.factories import make_user, make_workspace

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())
BOOKS = sorted(
    name
    for name, found in EXPECTED.items()
    if name.endswith(".vcf") and found["outcome"] == "imported"
)
SCALARS = (
    "first_name",
    "last_name",
    "full_name",
    "headline",
    "notes",
    "birthday_year",
    "birthday_month",
    "birthday_day",
    *CARD_FIELDS,
)


def _import(workspace, data: bytes, name: str) -> None:
    import_records(
        workspace=workspace,
        records=registry.parse("vcard", io.BytesIO(data), registry.ParseOptions(time_zone="UTC")),
        source=ImportSource("vcard", name),
    )


def _photo(person: Person) -> str:
    if not person.photo:
        return ""
    with person.photo.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _person(person: Person) -> dict[str, Any]:
    """What a person holds, normalized: scalars as they are (text stripped), lists as
    sets of tuples."""
    values: dict[str, Any] = {name: getattr(person, name) for name in SCALARS}
    values["photo"] = _photo(person)
    values["tags"] = {tag.name.casefold() for tag in person.tags.all()}
    # Labels compare without case: a type is one in any case ("Spouse" is TYPE=spouse).
    values["contacts"] = {
        (c.kind, c.normalized, c.label.casefold(), tuple(sorted(c.address_parts.items())))
        for c in person.contact_points.all()
    }
    current = (
        Affiliation.objects.filter(person=person, ended_on__isnull=True)
        .select_related("organization")
        .order_by("pk")
    )
    values["organizations"] = {
        (a.organization.name, a.role, a.department, a.function) for a in current
    }
    values["details"] = {
        (d.kind, d.label.casefold() if d.kind == "related" else d.label, d.params, d.value)
        for d in person.details.all()
    }
    return values


def _snapshot(workspace) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Each person's values by the UID of their exported card, and the organizations'
    names."""
    uids = dict(
        ExternalId.objects.filter(workspace=workspace, system=UID_SYSTEM, person__isnull=False)
        .order_by("-pk")
        .values_list("person_id", "value")
    )
    people = {
        uids.get(p.pk) or f"followthrough-{workspace.slug}-{p.pk}": _person(p)
        for p in Person.objects.filter(workspace=workspace).prefetch_related(
            "tags", "contact_points", "details"
        )
    }
    organizations = set(
        Organization.objects.filter(workspace=workspace).values_list("name", flat=True)
    )
    return people, organizations


def _lost(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """What `first` holds that `second` does not: a set's missing members, a scalar that
    differs (an empty one holds nothing to lose)."""
    lost: dict[str, Any] = {}
    for name, value in first.items():
        if isinstance(value, set):
            missing = value - second[name]
            if missing:
                lost[name] = (sorted(missing, key=repr), sorted(second[name], key=repr))
        elif value not in ("", None) and value != second[name]:
            lost[name] = (value, second[name])
    return lost


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["4.0", "3.0"])
@pytest.mark.parametrize("name", BOOKS)
def test_an_address_book_survives_export_and_import(name, version, media_root):
    owner = make_user("roundtrip@example.org")
    first = make_workspace("First", owner=owner)
    _import(first, (CORPUS / name).read_bytes(), name)
    exported = "".join(vcards(workspace=first, version=version)).encode("utf-8")
    second = make_workspace("Second", owner=owner)
    _import(second, exported, "export.vcf")

    people, organizations = _snapshot(first)
    again, organizations_again = _snapshot(second)
    assert organizations <= organizations_again
    assert set(people) <= set(again), sorted(set(people) - set(again))
    lost = {uid: found for uid in people if (found := _lost(people[uid], again[uid]))}
    assert lost == {}
