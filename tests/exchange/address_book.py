"""A person with every field an address book fills (issue 13), made through the ORM: for
the export and backup tests, which must not depend on the vCard importer."""

from __future__ import annotations

from followthrough.people.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    DetailKind,
    Person,
    PersonDetail,
)
from followthrough.people.services import normalize_contact
from followthrough.workspaces.models import Workspace
from tests.factories import make_org, make_person

CARD_VALUES = {
    "name_prefix": "Dr.",
    "middle_name": "Quinn Ann",
    "name_suffix": "PhD",
    "nickname": "Jay, JJ",
    "formatted_name": "Dr. Jane Quinn Ann Doe, PhD",
    "gender": "F",
    "gender_identity": "woman",
    "anniversary_month": 6,
    "anniversary_day": 15,
    "anniversary_year": 2001,
    "time_zone": "Europe/Berlin",
    "geo": "52.52,13.405",
    "photo_url": "https://photos.example/jane.jpg",
}
ADDRESS_PARTS = {
    "box": "PO 7",
    "street": "1 Main St; Rear",
    "locality": "Springfield",
    "region": "IL",
    "code": "62701",
    "country": "USA",
}


def _point(person: Person, kind: str, value: str, label: str, position: int, **extra) -> None:
    ContactPoint.objects.create(
        workspace=person.workspace,
        person=person,
        kind=kind,
        value=value,
        normalized=normalize_contact(kind, value),
        label=label,
        position=position,
        **extra,
    )


def address_book_person(workspace: Workspace, first_name: str = "Jane") -> Person:
    """Jane Doe with name parts, nickname, gender, anniversary, time zone, geo, a photo
    link, typed and custom-labelled contact points, a structured address, messaging
    handles, an affiliation with department and function, related people and kept
    properties."""
    organization = make_org(workspace, name="IBM")
    person = make_person(
        workspace, first_name=first_name, last_name="Doe", organization=organization,
        role="Engineer",
    )  # fmt: skip
    Person.objects.filter(pk=person.pk).update(**CARD_VALUES)
    Affiliation.objects.filter(person=person).update(
        department="Accounting; Payroll", function="Project lead"
    )
    _point(person, ContactKind.EMAIL, f"{first_name.lower()}@work.example", "work, pref", 0)
    _point(person, ContactKind.EMAIL, f"{first_name.lower()}@home.example", "Summer house", 1)
    _point(person, ContactKind.PHONE, "+1 555 0100", "work, cell", 0)
    _point(person, ContactKind.PHONE, "+1 555 0199", "", 1)
    _point(
        person, ContactKind.ADDRESS, "PO 7, 1 Main St; Rear, Springfield, IL 62701, USA",
        "home", 0, address_parts=ADDRESS_PARTS,
    )  # fmt: skip
    _point(person, ContactKind.IM, "xmpp:jane@chat.example", "", 0)
    _point(person, ContactKind.IM, "skype:jane.doe", "work", 1)
    for position, (kind, label, params, value) in enumerate(
        [
            (DetailKind.RELATED, "spouse", "", "John Doe"),
            (DetailKind.RELATED, "best friend", "", "urn:uuid:1234-abcd"),
            (DetailKind.RELATED, "", "", "Sam; the neighbour"),
            (DetailKind.OTHER, "item3.X-ABDATE", "type=pref", "2010-05-01"),
            (DetailKind.OTHER, "item3.X-ABLabel", "", "_$!<Other>!$_"),
            (
                DetailKind.OTHER,
                "X-CUSTOM-NOTE",
                "TYPE=home;PREF=1",
                "line one\\nline two\\, " + "long " * 20,
            ),
        ]
    ):
        PersonDetail.objects.create(
            workspace=workspace, person=person, kind=kind, label=label, params=params,
            value=value, position=position,
        )  # fmt: skip
    person.refresh_from_db()
    return person
