"""vCard 3.0 and 4.0 export: what vobject reads back is what the workspace holds."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date

import pytest
import vobject
from django.db.models import Prefetch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.vcard_export import PersonCard, person_cards, vcards
from followthrough.exchange.exports.vcard_fields import CardFields
from followthrough.exchange.models import ExternalId
from followthrough.people.models import CARD_FIELDS, Organization, Person
from followthrough.people.selectors import person_profile
from followthrough.people.services import affiliation_add
from tests.exchange.test_backup import rich_workspace
from tests.factories import make_org, make_person, make_workspace
from tests.people.helpers import image_bytes

pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test


def cards(workspace, version: str) -> list:
    text = "".join(vcards(workspace=workspace, version=version))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n")), "lines are folded"
    return list(vobject.readComponents(text))


def values(card, name: str) -> list:
    return [line.value for line in card.contents.get(name, [])]


def by_fn(parsed: list, name: str):
    return next(card for card in parsed if card.fn.value == name)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_person_card_reads_back_with_every_field(db, version):
    ws = rich_workspace()
    maria = by_fn(cards(ws, version), 'María O\'Kafor "Alpha"')
    assert maria.version.value == version
    assert (maria.n.value.family, maria.n.value.given) == ('O\'Kafor "Alpha"', "María")
    assert values(maria, "email") == ["maria@Alpha.example", "M@x.example"]
    assert values(maria, "tel") == ["+49 30 1234"]  # no apostrophe: that is for CSV only
    assert values(maria, "url") == ["https://linkedin.com/in/maria"]
    assert maria.adr.value.street == "12 River St\nSpringfield"
    assert maria.adr.params["TYPE"] == ["work"]
    assert values(maria, "org") == [["Alpha Food Bank, Inc."]]  # the current affiliation
    assert maria.title.value == "Volunteer lead"
    assert maria.note.value == "Line one\nline two, =cmd|' /C calc'!A0"
    assert maria.categories.value == ["Donors", "Food"]
    assert maria.uid.value == "uid-Alpha"  # the UID it was imported with


def test_birthdays_and_photos_follow_each_version(db):
    ws = rich_workspace()
    photo = image_bytes("PNG")
    three = by_fn(cards(ws, "3.0"), 'María O\'Kafor "Alpha"')
    assert three.bday.value == "--07-02"
    assert three.photo.value == photo
    assert three.photo.params == {"ENCODING": ["b"], "TYPE": ["PNG"]}
    four = by_fn(cards(ws, "4.0"), 'María O\'Kafor "Alpha"')
    assert four.bday.value == "--0702"
    # vobject cuts a data: URI at its comma (a known gap of its reader), so read the line
    unfolded = "".join(vcards(workspace=ws, version="4.0")).replace("\r\n ", "")
    (line,) = [line for line in unfolded.split("\r\n") if line.startswith("PHOTO")]
    assert line == "PHOTO:data:image/png;base64," + base64.b64encode(photo).decode()
    assert by_fn(cards(ws, "3.0"), "Dev Alpha").bday.value == "1980-02-29"
    assert by_fn(cards(ws, "4.0"), "Dev Alpha").bday.value == "19800229"


def test_without_an_imported_uid_the_uid_is_stable(db):
    ws = rich_workspace()
    dev = Person.objects.get(workspace=ws, first_name="Dev")
    for version in ("3.0", "4.0"):
        assert by_fn(cards(ws, version), "Dev Alpha").uid.value == (
            f"followthrough-{ws.slug}-{dev.pk}"
        )


def test_organizations_are_company_cards(db):
    ws = rich_workspace()
    four = by_fn(cards(ws, "4.0"), "Alpha Food Bank, Inc.")
    assert four.kind.value == "org"
    assert four.uid.value == "org-Alpha"
    assert four.url.value == "https://fb.example"
    assert four.categories.value == ["Donors", "Food"]
    three = by_fn(cards(ws, "3.0"), "Alpha Food Bank, Inc.")
    assert three.x_abshowas.value == "COMPANY"
    assert "kind" not in three.contents
    assert three.org.value == ["Alpha Food Bank, Inc."]


def test_a_4_0_person_card_points_at_its_organization_card_by_uid(db):
    # Regression (vCard round trip): ORG is a name, and two organizations can share one
    # or differ only in case; RELATED names the very card the person belongs to.
    ws = make_workspace()
    imported, local = make_org(ws, name="Acme"), make_org(ws, name="ACME")
    ExternalId.objects.create(
        workspace=ws, system="vcard-uid", value="u,1;x", organization=imported
    )
    make_person(ws, first_name="Ada", organization=local)
    make_person(ws, first_name="Bo", organization=imported)
    make_person(ws, first_name="Cy")
    four = cards(ws, "4.0")
    org_uids = {card.org.value[0]: card.uid.value for card in four if "kind" in card.contents}
    assert org_uids == {
        ws.name: f"followthrough-{ws.slug}-org-{ws.organization_id}",
        "Acme": "u,1;x",
        "ACME": f"followthrough-{ws.slug}-org-{local.pk}",
    }
    assert values(by_fn(four, "Ada Example"), "related") == [org_uids["ACME"]]
    assert values(by_fn(four, "Bo Example"), "related") == ["u,1;x"]
    assert values(by_fn(four, "Cy Example"), "related") == []
    # 3.0 has no RELATED: the organization is named only
    assert all("related" not in card.contents for card in cards(ws, "3.0"))
    assert values(by_fn(cards(ws, "3.0"), "Ada Example"), "org") == [["ACME"]]


def test_a_missing_photo_file_leaves_the_photo_out(db, media_root):
    ws = rich_workspace()
    for path in media_root.rglob("*.png"):
        path.unlink()
    assert "photo" not in by_fn(cards(ws, "4.0"), 'María O\'Kafor "Alpha"').contents


def test_an_unknown_version_is_refused(workspace):
    with pytest.raises(ValueError, match=r"3\.0, 4\.0"):
        vcards(workspace=workspace, version="2.1")


awkward = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from([",", ";", ":", '"', "\\", "\n", "é", "Ж", "😀"]),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=awkward, last=awkward, note=awkward, tag=awkward, org=awkward,
       version=st.sampled_from(["3.0", "4.0"]))  # fmt: skip
def test_any_text_survives_the_round_trip(db, first, last, note, tag, org, version):
    workspace = make_workspace()
    organization = make_org(workspace, name=org)
    make_person(workspace, first_name=first, last_name=last, notes=note, tags=[tag[:60]],
                organization=organization, role=note, emails=["x@example.org"])  # fmt: skip
    card = next(c for c in cards(workspace, version) if "n" in c.contents and c.n.value.given)
    assert (card.n.value.given, card.n.value.family) == (first, last)
    assert card.fn.value == f"{first} {last}"
    assert card.note.value == note
    assert card.title.value == note
    assert card.categories.value == [tag[:60]]
    assert card.org.value == [org]


def _profile_cards(workspace) -> list[tuple[PersonCard, str]]:
    """The cards' values (and photo file names) as the person page's selector reads them:
    model instances, prefetched. The exporter's bulk queries must read the same."""
    uids = ExternalId.objects.for_workspace(workspace).filter(system="vcard-uid").order_by("pk")
    people = person_profile(workspace=workspace).prefetch_related(
        Prefetch("external_ids", queryset=uids, to_attr="uids")
    )
    slug = workspace.slug

    def organization_uid(organization) -> str:
        first = uids.filter(organization=organization).first()
        return first.value if first else f"followthrough-{slug}-org-{organization.pk}"

    cards = []
    for person in people.order_by("pk"):
        current = next((a for a in person.affiliations.all() if a.ended_on is None), None)
        values = PersonCard(
            uid=person.uids[0].value if person.uids else f"followthrough-{slug}-{person.pk}",
            first_name=person.first_name,
            last_name=person.last_name,
            full_name=person.full_name,
            headline=person.headline,
            notes=person.notes,
            birthday=(person.birthday_year, person.birthday_month, person.birthday_day),
            contacts=[
                (c.kind, c.value, c.label, c.address_parts) for c in person.contact_points.all()
            ],
            organization=current.organization.name if current else None,
            organization_uid=organization_uid(current.organization) if current else "",
            role=current.role if current else "",
            tags=[tag.name for tag in person.tags.all()],
            card=CardFields(*(getattr(person, name) for name in CARD_FIELDS)),
            department=current.department if current else "",
            function=current.function if current else "",
            details=[(d.kind, d.label, d.params, d.value) for d in person.details.all()],
        )
        cards.append((values, person.photo.name))
    return cards


def test_the_cards_values_are_what_the_person_page_shows(db):
    ws = rich_workspace()
    rich_workspace(marker="Beta")  # another workspace: none of it may show
    early, late, undated = (make_org(ws, name=n) for n in ("Early", "Late", "Undated"))
    juno = make_person(
        ws, first_name="Juno", headline="Writer", emails=["j@x.example"], phones=["+1 555"],
        links=["https://j.example"], tags=["Zeta", "alpha"],
    )  # fmt: skip
    affiliation_add(person=juno, organization=early, role="Chair", started_on=date(2019, 1, 1))
    affiliation_add(person=juno, organization=late, role="", started_on=date(2023, 5, 1))
    affiliation_add(person=juno, organization=undated, role="Advisor")
    for value in ("uid-first", "uid-second"):
        ExternalId.objects.create(workspace=ws, system="vcard-uid", value=value, person=juno)
    make_person(ws, last_name="Solo")  # nothing but a name

    read = list(person_cards(workspace=ws))
    as_shown = [(replace(card, photo=None), card.photo.name if card.photo else "") for card in read]
    assert as_shown == _profile_cards(ws)
    maria = Person.objects.get(workspace=ws, first_name="María")
    with maria.photo.open("rb") as handle:
        assert read[0].photo and read[0].photo.data == handle.read()
    assert len(read) == 4 and read[2].uid == "uid-first"


def test_the_export_reads_in_a_fixed_number_of_queries(db, django_assert_num_queries):
    ws = rich_workspace()
    for number in range(5):
        make_person(ws, first_name=f"P{number}", emails=[f"p{number}@x.example"], tags=["T"])
    # organizations, their focus areas and UIDs; people, their contact points, details,
    # tags, current affiliations, UIDs and their organizations' UIDs
    with django_assert_num_queries(10):
        text = "".join(vcards(workspace=ws, version="4.0"))
    people = Person.objects.filter(workspace=ws).count()
    assert text.count("BEGIN:VCARD") == Organization.objects.filter(workspace=ws).count() + people
    assert people == 2 + 5


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_our_own_export_reimported_into_its_workspace_changes_nothing(db, version):
    import io

    from followthrough.exchange.formats import registry
    from followthrough.exchange.imports.loader import import_records
    from followthrough.exchange.imports.result import ImportSource

    workspace, elsewhere = make_workspace(), make_workspace()
    org = make_org(workspace, name="Harbor Arts")
    make_person(workspace, first_name="Dana", last_name="Lee", organization=org, role="Chair")
    make_person(workspace, first_name="Noor", last_name="Haddad")  # no e-mail: found by UID
    text = "".join(vcards(workspace=workspace, version=version))

    def reimport(into):
        records = registry.parse("vcard", io.BytesIO(text.encode()), registry.ParseOptions())
        return import_records(workspace=into, records=records, source=ImportSource("vcard", "x"))

    result = reimport(workspace)
    assert (result.created, result.updated, result.skipped) == (0, 0, 4), result.warnings
    assert not ExternalId.objects.filter(workspace=workspace).exists()
    assert "".join(vcards(workspace=workspace, version=version)) == text
    # Into another workspace the same file is someone else's: copies, with their UIDs kept.
    assert reimport(elsewhere).created == 4  # the two people, Harbor Arts, the team
    assert ExternalId.objects.filter(workspace=elsewhere).count() == 4
