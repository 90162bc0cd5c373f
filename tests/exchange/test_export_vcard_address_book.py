"""The vCard export of what address books hold (issue 13, "Export rules"): every new
field of a person, affiliation, contact point and detail, in 3.0 and 4.0 cards, and
vobject reads the cards back. The people are made through the ORM: the importer's side
of the round trip is tested with the parser."""

from __future__ import annotations

import pytest
import vobject
from django.core.files.base import ContentFile

from followthrough.exchange.exports.vcard_export import vcards
from followthrough.people.models import DetailKind, Person, PersonDetail
from tests.exchange.address_book import address_book_person
from tests.factories import make_person, make_workspace
from tests.people.helpers import image_bytes


def _export(workspace, version: str) -> str:
    text = "".join(vcards(workspace=workspace, version=version))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "lines are folded"
    return text


def _card_lines(text: str) -> list[str]:
    """The unfolded lines of the last card (the person's: organizations come first)."""
    unfolded = text.replace("\r\n ", "")
    last = unfolded.split("BEGIN:VCARD\r\n")[-1]
    return last.split("\r\n")


def _person_card(text: str):
    return list(vobject.readComponents(text))[-1]


@pytest.fixture
def jane(db):
    workspace = make_workspace()
    return address_book_person(workspace)


def test_a_40_card_writes_every_address_book_value(jane):
    text = _export(jane.workspace, "4.0")
    lines = _card_lines(text)
    org_uid = f"followthrough-{jane.workspace.slug}-org-{jane.affiliations.get().organization_id}"
    for expected in [
        "N:Doe;Jane;Quinn Ann;Dr.;PhD",
        "FN:Dr. Jane Quinn Ann Doe\\, PhD",
        "NICKNAME:Jay,JJ",
        "ORG:IBM;Accounting;Payroll",
        "TITLE:Engineer",
        "ROLE:Project lead",
        "GENDER:F;woman",
        "ANNIVERSARY:20010615",
        "TZ:Europe/Berlin",
        "GEO:geo:52.52,13.405",
        "PHOTO:https://photos.example/jane.jpg",
        "EMAIL;PREF=1;TYPE=work:jane@work.example",
        "ft1.EMAIL:jane@home.example",
        "ft1.X-ABLABEL:Summer house",
        "TEL;TYPE=work,cell:+1 555 0100",
        "TEL:+1 555 0199",
        "ADR;TYPE=home:PO 7;;1 Main St\\; Rear;Springfield;IL;62701;USA",
        "IMPP:xmpp:jane@chat.example",
        "IMPP;TYPE=work:skype:jane.doe",
        f"RELATED:{org_uid}",
        "RELATED;TYPE=spouse;VALUE=text:John Doe",
        "ft2.RELATED:urn:uuid:1234-abcd",  # a relation in the user's words: the label
        "ft2.X-ABLABEL:best friend",
        "RELATED;VALUE=text:Sam\\; the neighbour",
    ]:
        assert expected in lines, expected
    # the kept properties: as stored, after the card's own, in their order
    assert lines[-5:-2] == [
        "item3.X-ABDATE;type=pref:2010-05-01",
        "item3.X-ABLabel:_$!<Other>!$_",
        "X-CUSTOM-NOTE;TYPE=home;PREF=1:line one\\nline two\\, " + "long " * 20,
    ]
    assert lines[-2:] == ["END:VCARD", ""]
    assert not any(
        line.startswith(("X-GENDER", "X-ANNIVERSARY", "X-ABRELATEDNAMES")) for line in lines
    )


def test_a_30_card_writes_them_as_30_readers_know_them(jane):
    lines = _card_lines(_export(jane.workspace, "3.0"))
    for expected in [
        "N:Doe;Jane;Quinn Ann;Dr.;PhD",
        "ORG:IBM;Accounting;Payroll",
        "ROLE:Project lead",
        "GENDER:F;woman",  # X-GENDER cannot say the identity
        "X-ANNIVERSARY:2001-06-15",
        "TZ;VALUE=text:Europe/Berlin",
        "GEO:52.52;13.405",
        "PHOTO;VALUE=uri:https://photos.example/jane.jpg",
        "EMAIL;TYPE=work,pref:jane@work.example",
        "ft1.EMAIL:jane@home.example",
        "ft1.X-ABLABEL:Summer house",
        "IMPP:xmpp:jane@chat.example",
        # related people: Apple's X-ABRELATEDNAMES, Apple's label for a relation it knows
        "ft2.X-ABRELATEDNAMES:John Doe",
        "ft2.X-ABLABEL:_$!<Spouse>!$_",
        "ft3.X-ABRELATEDNAMES:urn:uuid:1234-abcd",
        "ft3.X-ABLABEL:best friend",
        "X-ABRELATEDNAMES:Sam\\; the neighbour",
        "item3.X-ABDATE;type=pref:2010-05-01",
    ]:
        assert expected in lines, expected
    assert not any(line.startswith(("RELATED", "ANNIVERSARY", "X-GENDER")) for line in lines)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vobject_reads_the_cards_back(jane, version):
    card = _person_card(_export(jane.workspace, version))
    name = card.n.value
    assert (name.family, name.given, name.additional, name.prefix, name.suffix) == (
        "Doe", "Jane", "Quinn Ann", "Dr.", "PhD",
    )  # fmt: skip
    assert card.fn.value == "Dr. Jane Quinn Ann Doe, PhD"
    assert card.org.value == ["IBM", "Accounting", "Payroll"]
    assert card.role.value == "Project lead"
    address = card.adr.value
    assert (address.box, address.street, address.city, address.region, address.code) == (
        "PO 7", "1 Main St; Rear", "Springfield", "IL", "62701",
    )  # fmt: skip
    assert address.country == "USA"
    assert card.adr.params["TYPE"] == ["home"]
    tel = next(t for t in card.contents["tel"] if t.value == "+1 555 0100")
    assert tel.params["TYPE"] == ["work", "cell"]
    grouped = {(line.group, line.name) for line in card.getChildren() if line.group}
    assert {("ft1", "EMAIL"), ("ft1", "X-ABLABEL"), ("item3", "X-ABDATE")} <= grouped
    assert [line.value for line in card.contents["impp"]] == [
        "xmpp:jane@chat.example", "skype:jane.doe",
    ]  # fmt: skip
    assert card.contents["x-custom-note"][0].params == {"TYPE": ["home"], "PREF": ["1"]}


def test_a_photo_file_goes_before_a_photo_link(jane):
    jane.photo.save("jane.png", ContentFile(image_bytes("PNG")), save=True)
    for version in ("3.0", "4.0"):
        text = _export(jane.workspace, version)
        assert "photos.example" not in text
        assert _card_lines(text).count("END:VCARD") == 1
        assert sum(line.startswith("PHOTO") for line in _card_lines(text)) == 1


def test_without_address_book_values_the_card_is_as_before(db):
    workspace = make_workspace()
    make_person(workspace, first_name="Ann", last_name="Lee", emails=["a@x.example"])
    lines = _card_lines(_export(workspace, "4.0"))
    assert {"N:Lee;Ann;;;", "FN:Ann Lee", "EMAIL:a@x.example"} <= set(lines)
    assert not any(
        line.startswith(("NICKNAME", "GENDER", "TZ", "GEO", "PHOTO", "IMPP", "ROLE", "ft"))
        for line in lines
    )


def test_a_kept_detail_can_never_break_the_card(db):
    workspace = make_workspace()
    person = make_person(workspace, first_name="Ann", last_name="Lee")
    for position, (label, params, value) in enumerate(
        [
            ("END", "", "VCARD"),  # a name every writer writes itself
            ("VERSION", "", "2.1"),
            ("bad name:", "", "x"),  # not a property name
            ("X-BROKEN", "A=1\r\nEND:VCARD", "one\nEND:VCARD\r\ntwo"),  # line breaks
        ]
    ):
        PersonDetail.objects.create(
            workspace=workspace, person=person, kind=DetailKind.OTHER, label=label,
            params=params, value=value, position=position,
        )  # fmt: skip
    for version in ("3.0", "4.0"):
        text = _export(workspace, version)
        lines = _card_lines(text)
        assert lines.count("END:VCARD") == 1 and lines.count("VERSION:" + version) == 1
        assert "X-BROKEN;A=1\\nEND:VCARD:one\\nEND:VCARD\\ntwo" in lines
        assert not any(line.startswith(("VERSION:2.1", "bad name")) for line in lines)
        assert _person_card(text).n.value.given == "Ann"


@pytest.mark.parametrize(
    ("gender", "identity", "written_40", "written_30"),
    [
        ("M", "", "GENDER:M", "X-GENDER:Male"),
        ("F", "", "GENDER:F", "X-GENDER:Female"),
        # What X-GENDER cannot say goes as 4.0's GENDER, which the importer reads.
        ("O", "", "GENDER:O", "GENDER:O"),
        ("", "non-binary", "GENDER:;non-binary", "GENDER:;non-binary"),
        ("N", "agender", "GENDER:N;agender", "GENDER:N;agender"),
    ],
)
def test_gender_in_both_versions(db, gender, identity, written_40, written_30):
    workspace = make_workspace()
    person = make_person(workspace, first_name="Ann")
    Person.objects.filter(pk=person.pk).update(gender=gender, gender_identity=identity)
    assert written_40 in _card_lines(_export(workspace, "4.0"))
    assert written_30 in _card_lines(_export(workspace, "3.0"))


def test_a_year_less_anniversary_and_an_offset_time_zone(db):
    workspace = make_workspace()
    person = make_person(workspace, first_name="Ann")
    Person.objects.filter(pk=person.pk).update(
        anniversary_month=2, anniversary_day=29, time_zone="-05:00"
    )
    assert {"ANNIVERSARY:--0229", "TZ:-05:00"} <= set(_card_lines(_export(workspace, "4.0")))
    assert {"X-ANNIVERSARY:--02-29", "TZ:-05:00"} <= set(_card_lines(_export(workspace, "3.0")))


def test_its_groups_never_meet_the_groups_of_kept_properties(db):
    from followthrough.people.models import ContactPoint

    workspace = make_workspace()
    person = make_person(workspace, first_name="Ann", phones=["+1 555"])
    ContactPoint.objects.filter(person=person).update(label="Boat phone")
    PersonDetail.objects.create(
        workspace=workspace, person=person, kind=DetailKind.OTHER, label="FT1.X-FOO", value="x"
    )
    lines = _card_lines(_export(workspace, "4.0"))
    assert {"ft2.TEL:+1 555", "ft2.X-ABLABEL:Boat phone", "FT1.X-FOO:x"} <= set(lines)
