"""What an address book holds beyond a name (issue 13): the loader stores every field of
a person record (name parts, nickname, the name as written, gender, anniversary, time
zone, position, photo link, department and function, types and address structure of
contact points, messaging handles, related people, other properties), a person found
again only gains what they lack, and undoing or reverting the import puts it all back.

Records are built by hand here: the vCard parser has tests of its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followthrough.exchange.formats.records import (
    CardProperty,
    ContactDetail,
    PartialDate,
    PersonRecord,
)
from followthrough.exchange.imports import loader
from followthrough.exchange.imports.recovery import imports_recover_interrupted
from followthrough.exchange.imports.result import ImportSource
from followthrough.exchange.imports.runner import RUNNER
from followthrough.exchange.imports.undo import import_undo, import_undo_plan
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.people.models import (
    Affiliation,
    ContactPoint,
    Person,
    PersonDetail,
)
from followthrough.people.services import affiliation_add, person_update
from tests.exchange.helpers import load, people, person
from tests.factories import make_org, make_person

VCARD = ImportSource("vcard", "contacts.vcf")


def _card(line: int = 2, first: str = "Jane", last: str = "Doe", **kwargs: Any) -> PersonRecord:
    """A record with everything an address book may say about a person."""
    fields: dict[str, Any] = {
        "full_name": f"Dr. {first} Q. {last}, PhD",
        "emails": ["jane@example.org"],
        "phones": ["+1 555 0100"],
        "addresses": ["PO Box 7, 1 Main St, Springfield, IL 62701, USA"],
        "organization": "IBM",
        "role": "Accountant",
        "name_prefix": "Dr.",
        "middle_name": "Quinn",
        "name_suffix": "PhD",
        "nickname": "JJ, Janie",
        "gender": "F",
        "gender_identity": "woman",
        "anniversary": PartialDate(6, 12, 2010),
        "time_zone": "Europe/Berlin",
        "geo": "52.52,13.405",
        "photo_url": "https://example.org/jane.jpg",
        "department": "Accounting; Payroll",
        "function": "Project lead",
        "ims": ["xmpp:jane@example.org", "skype:janedoe"],
        "contact_details": {
            ("email", "jane@example.org"): ContactDetail("work, pref"),
            ("phone", "+1 555 0100"): ContactDetail("Summer house"),
            ("address", "PO Box 7, 1 Main St, Springfield, IL 62701, USA"): ContactDetail(
                "home",
                (
                    ("box", "PO Box 7"),
                    ("street", "1 Main St"),
                    ("locality", "Springfield"),
                    ("region", "IL"),
                    ("code", "62701"),
                    ("country", "USA"),
                ),
            ),
            ("im", "skype:janedoe"): ContactDetail("work"),
        },
        "related": [("spouse", "John Doe"), ("", "urn:uuid:1234")],
        "other": [
            CardProperty("item3.X-ABDATE", "TYPE=pref", "2001-01-01"),
            CardProperty("X-CUSTOM", "", "a\\, b"),
        ],
    }
    fields.update(kwargs)
    return PersonRecord(line=line, first_name=first, last_name=last, **fields)


def _batch(result) -> ImportBatch:
    return ImportBatch.objects.get(pk=result.batch_id)


def _contacts(who: Person) -> set[tuple[str, str, str]]:
    return set(who.contact_points.values_list("kind", "value", "label"))


def _details(who: Person) -> list[tuple[str, str, str, str, int]]:
    return list(who.details.values_list("kind", "label", "params", "value", "position"))


def test_every_field_of_an_address_book_record_is_stored(workspace):
    result = load(workspace, [_card()], source=VCARD)

    assert result.warnings == []
    jane = Person.objects.get(workspace=workspace)
    assert (jane.first_name, jane.last_name) == ("Jane", "Doe")
    assert (jane.name_prefix, jane.middle_name, jane.name_suffix) == ("Dr.", "Quinn", "PhD")
    assert jane.nickname == "JJ, Janie"
    assert jane.formatted_name == "Dr. Jane Q. Doe, PhD"
    assert jane.notes == ""  # the name as written is no longer a note
    assert (jane.gender, jane.gender_identity) == ("F", "woman")
    assert (jane.anniversary_month, jane.anniversary_day, jane.anniversary_year) == (6, 12, 2010)
    assert (jane.time_zone, jane.geo) == ("Europe/Berlin", "52.52,13.405")
    assert jane.photo_url == "https://example.org/jane.jpg"
    assert not jane.photo
    affiliation = jane.affiliations.get()
    assert (affiliation.organization.name, affiliation.role) == ("IBM", "Accountant")
    assert (affiliation.department, affiliation.function) == ("Accounting; Payroll", "Project lead")
    assert _contacts(jane) == {
        ("email", "jane@example.org", "work, pref"),
        ("phone", "+1 555 0100", "Summer house"),
        ("address", "PO Box 7, 1 Main St, Springfield, IL 62701, USA", "home"),
        ("im", "xmpp:jane@example.org", ""),
        ("im", "skype:janedoe", "work"),
    }
    address = jane.contact_points.get(kind="address")
    assert address.address_parts == {
        "box": "PO Box 7",
        "street": "1 Main St",
        "locality": "Springfield",
        "region": "IL",
        "code": "62701",
        "country": "USA",
    }
    assert jane.contact_points.get(kind="phone").address_parts == {}
    assert jane.contact_points.get(value="skype:janedoe").normalized == "skype:janedoe"
    assert _details(jane) == [
        ("other", "item3.X-ABDATE", "TYPE=pref", "2001-01-01", 0),
        ("other", "X-CUSTOM", "", "a\\, b", 1),
        ("related", "spouse", "", "John Doe", 0),
        ("related", "", "", "urn:uuid:1234", 1),
    ]
    assert PersonDetail.objects.filter(workspace=workspace).count() == 4


def test_the_name_as_written_is_kept_only_when_it_says_more(workspace):
    records = [
        person(2, "Иван", "Петров", full_name="Иван Петров (Фонд)", notes="Met in May."),
        person(3, "Dev", "Raman", full_name="Raman, Dev"),
        PersonRecord(line=4, full_name="Aisha Bello"),
    ]
    load(workspace, records, source=VCARD)

    ivan = Person.objects.get(first_name="Иван")
    assert (ivan.formatted_name, ivan.notes) == ("Иван Петров (Фонд)", "Met in May.")
    assert Person.objects.get(first_name="Dev").formatted_name == ""
    assert Person.objects.get(first_name="Aisha Bello").formatted_name == ""


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("52.52,13.405", "52.52,13.405"),
        (" +52.52 , -13.405 ", "52.52,-13.405"),
        ("-90,180", "-90,180"),
        ("91,0", ""),
        ("0,181", ""),
        ("52.52;13.405", ""),
    ],
)
def test_a_position_is_kept_only_when_it_is_one(workspace, given, kept):
    result = load(workspace, [person(2, "Geo", geo=given)], source=VCARD)
    assert Person.objects.get().geo == kept
    assert bool(result.warnings) == (not kept)


def test_a_record_without_card_fields_reads_and_writes_none_of_them(workspace):
    make_person(workspace, first_name="Old", emails=["old@example.org"])
    records = [person(2, "Old", emails=["old@example.org"], headline="Director"), *people(3)]

    with CaptureQueriesContext(connection) as queries:
        load(workspace, records)

    reads = " ".join(
        q["sql"].lower() for q in queries.captured_queries if q["sql"].startswith("SELECT")
    )
    assert "people_persondetail" not in reads
    for column in ("nickname", "formatted_name", "department", "address_parts", "label"):
        assert column not in reads, column


def test_a_batch_with_card_fields_reads_only_those_it_brings(workspace):
    make_person(workspace, first_name="Old", emails=["old@example.org"])

    with CaptureQueriesContext(connection) as queries:
        load(workspace, [person(2, "Old", emails=["old@example.org"], nickname="Oldie")])

    reads = [
        q["sql"].lower()
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT id, workspace_id, first_name")
    ]
    assert len(reads) == 1
    assert "nickname" in reads[0]
    assert "gender" not in reads[0] and "headline" not in reads[0]
    assert Person.objects.get(first_name="Old").nickname == "Oldie"


def _existing(workspace) -> Person:
    """Jane as a member keeps her: a nickname, a home e-mail, a spouse, IBM with a role."""
    jane = make_person(workspace, first_name="Jane", last_name="Doe", emails=["jane@example.org"])
    person_update(person=jane, nickname="Jay", time_zone="America/Chicago")
    ContactPoint.objects.filter(person=jane).update(label="home")
    PersonDetail.objects.create(
        workspace=workspace, person=jane, kind="related", label="spouse", value="John Doe"
    )
    affiliation_add(person=jane, organization=make_org(workspace, name="IBM"), role="Auditor")
    jane.refresh_from_db()
    return jane


def test_a_person_found_again_only_gains_what_they_lack(workspace):
    jane = _existing(workspace)

    result = load(workspace, [_card()], source=VCARD)

    assert (result.created, result.updated) == (0, 1)
    jane.refresh_from_db()
    assert (jane.nickname, jane.time_zone) == ("Jay", "America/Chicago")  # theirs are kept
    assert (jane.gender, jane.name_prefix, jane.anniversary_month) == ("F", "Dr.", 6)
    assert jane.formatted_name == "Dr. Jane Q. Doe, PhD"
    assert jane.contact_points.get(kind="email").label == "home"  # keeps its label
    assert ("im", "skype:janedoe", "work") in _contacts(jane)
    affiliation = jane.affiliations.get()
    assert affiliation.role == "Auditor"
    assert (affiliation.department, affiliation.function) == ("Accounting; Payroll", "Project lead")
    # The spouse was theirs already; the rest follow theirs.
    assert [(k, label, v, p) for k, label, _, v, p in _details(jane)] == [
        ("other", "item3.X-ABDATE", "2001-01-01", 0),
        ("other", "X-CUSTOM", "a\\, b", 1),
        ("related", "spouse", "John Doe", 0),
        ("related", "", "urn:uuid:1234", 1),
    ]

    again = load(workspace, [_card()], source=VCARD)
    assert (again.updated, again.skipped) == (0, 1)
    assert jane.details.count() == 4
    assert jane.contact_points.count() == 5


def test_a_second_record_of_the_same_person_in_one_batch_completes_the_first(workspace):
    records = [
        person(2, "Jane", "Doe", emails=["jane@example.org"], organization="IBM"),
        person(
            3,
            "Jane",
            "Doe",
            emails=["jane@example.org"],
            organization="IBM",
            role="Accountant",
            department="Payroll",
            nickname="JJ",
            related=[("spouse", "John Doe")],
        ),
    ]
    load(workspace, records, source=VCARD)

    jane = Person.objects.get()
    assert jane.nickname == "JJ"
    affiliation = jane.affiliations.get()
    assert (affiliation.role, affiliation.department) == ("Accountant", "Payroll")
    assert _details(jane) == [("related", "spouse", "", "John Doe", 0)]


def test_undo_deletes_what_it_added_and_puts_back_what_it_filled_in(workspace):
    jane = _existing(workspace)
    stamp = jane.updated_at
    result = load(
        workspace, [_card(), _card(3, "Sam", "Lee", emails=["sam@example.org"])], source=VCARD
    )
    assert PersonDetail.objects.count() == 1 + 3 + 4  # Jane had the spouse already

    plan = import_undo_plan(batch=_batch(result))
    assert plan.removed["people.persondetail"] == 7
    undone = import_undo(batch=_batch(result))

    assert undone.deleted["people.persondetail"] == 7
    assert not Person.objects.filter(first_name="Sam").exists()
    jane.refresh_from_db()
    assert jane.updated_at == stamp
    for name in (
        "name_prefix",
        "middle_name",
        "name_suffix",
        "formatted_name",
        "gender",
        "gender_identity",
        "geo",
        "photo_url",
    ):
        assert getattr(jane, name) == "", name
    assert (jane.anniversary_month, jane.anniversary_day, jane.anniversary_year) == (
        None,
        None,
        None,
    )
    assert (jane.nickname, jane.time_zone) == ("Jay", "America/Chicago")
    assert _contacts(jane) == {("email", "jane@example.org", "home")}
    assert _details(jane) == [("related", "spouse", "", "John Doe", 0)]
    affiliation = jane.affiliations.get()
    assert (affiliation.role, affiliation.department, affiliation.function) == ("Auditor", "", "")


def test_undo_keeps_what_a_member_edited_since(workspace):
    jane = _existing(workspace)
    result = load(workspace, [_card()], source=VCARD)
    jane.refresh_from_db()
    person_update(person=jane, gender="M", geo="1.5,2.5")
    Affiliation.objects.filter(person=jane).update(department="Audit")

    import_undo(batch=_batch(result))

    jane.refresh_from_db()
    assert (jane.gender, jane.geo) == ("M", "1.5,2.5")  # edited since: kept
    assert (jane.middle_name, jane.anniversary_month, jane.photo_url) == ("", None, "")
    affiliation = jane.affiliations.get()
    assert (affiliation.department, affiliation.function) == ("Audit", "")


def test_an_interrupted_import_is_reverted_with_its_card_fields(workspace, monkeypatch):
    jane = _existing(workspace)
    records = [_card(), *people(29, start_line=3)]
    records[5].related = [("friend", "Someone")]
    monkeypatch.setattr(loader, "abandon_batch", lambda *a, **k: None)

    def killed(result) -> None:
        if result.read >= 20:
            raise KeyboardInterrupt  # stands for SIGKILL: nothing after it runs

    with pytest.raises(KeyboardInterrupt):
        load(workspace, records, source=VCARD, batch_size=10, progress=killed)
    monkeypatch.undo()
    batch = ImportBatch.objects.get(status=ImportStatus.RUNNING)
    batch.counts = {**batch.counts, RUNNER: {}}  # names no process: gone
    batch.save()
    jane.refresh_from_db()
    assert jane.gender == "F" and PersonDetail.objects.count() == 5

    assert imports_recover_interrupted().failed == [batch.pk]

    jane.refresh_from_db()
    assert (jane.gender, jane.formatted_name, jane.nickname) == ("", "", "Jay")
    assert _details(jane) == [("related", "spouse", "", "John Doe", 0)]
    assert _contacts(jane) == {("email", "jane@example.org", "home")}
    assert jane.affiliations.get().department == ""
    assert Person.objects.count() == 1


def test_what_does_not_fit_is_cut_or_left_out_with_a_warning(workspace):
    record = PersonRecord(
        line=7,
        first_name="Long",
        last_name="Card",
        emails=["long@example.org"],
        nickname="N" * 250,
        middle_name="M" * 120,
        gender="X",
        time_zone="T" * 70,
        geo="north of here",
        photo_url="javascript:alert(1)",
        department="Audit",  # no organization to go with it
        ims=["xmpp:" + "a" * 400],
        contact_details={("email", "long@example.org"): ContactDetail("l" * 50)},
        related=[("r" * 120, "Someone")],
        other=[
            CardProperty("X-" + "A" * 120, "", "v"),
            CardProperty("X-KEY", "", "k" * 16_001),
            *(CardProperty(f"X-N{n}", "", str(n)) for n in range(101)),
        ],
    )
    result = load(workspace, [record], source=VCARD)

    assert result.warnings == [
        "line 7: a messaging handle longer than 400 characters was left out",
        "line 7: middle name cut to 100 characters",
        "line 7: nickname cut to 200 characters",
        "line 7: gender “X” is not one of M, F, O, N, U: kept as the identity",
        "line 7: time zone longer than 64 characters left out",
        "line 7: “north of here” is not a position (latitude,longitude): left out",
        "line 7: the photo link “javascript:alert(1)” is not a web address: left out",
        "line 7: a department or function without an organization was left out",
        "line 7: the label of “long@example.org” cut to 40 characters",
        "line 7: a relation cut to 100 characters",
        "line 7: 3 other properties beyond the first 100 left out",
        f"line 7: the property “X-{'A' * 38}” is too long to keep: left out",
        "line 7: the X-KEY longer than 16,000 characters was left out",
    ]
    card = Person.objects.get()
    assert (len(card.nickname), len(card.middle_name)) == (200, 100)
    assert (card.gender, card.gender_identity) == ("", "X")
    assert (card.time_zone, card.geo, card.photo_url) == ("", "", "")
    assert card.contact_points.get().label == "l" * 40
    assert not card.contact_points.filter(kind="im").exists()
    assert card.details.filter(kind="related").get().label == "r" * 100
    assert card.details.filter(kind="other").count() == 98
