"""The shared loader: all or nothing, idempotent, updates only with what is new."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followthrough.exchange.formats.records import (
    AttendeeRecord,
    EventRecord,
    OrganizationRecord,
    ParseError,
    PartialDate,
    PersonRecord,
    Photo,
)
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportFailed, ImportSource
from followthrough.exchange.imports.undo import import_undo
from followthrough.exchange.models import ExternalId, ImportBatch, ImportedObject, ImportStatus
from followthrough.people.models import Affiliation, ContactPoint, Organization, Person, Tag
from followthrough.relationships.models import Relationship, Stage
from tests.exchange.helpers import load, people, person, png, totals
from tests.factories import make_event, make_org, make_person


def _rows() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "contacts": ContactPoint.objects.count(),
        "organizations": Organization.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "relationships": Relationship.objects.count(),
        "external ids": ExternalId.objects.count(),
        "tags": Tag.objects.count(),
    }


def test_a_role_without_an_organization_becomes_the_headline(workspace):
    load(workspace, [person(2, "Dev", "Raman", role="Freelance grant writer")])
    assert Person.objects.get(workspace=workspace).headline == "Freelance grant writer"


def test_it_creates_people_with_everything_a_person_needs(workspace, owner):
    record = person(
        2,
        "Maria",
        "Okafor",
        emails=["Maria.Okafor@Example.org"],
        phones=["+1 (555) 010-2000"],
        organization="Riverside Food Bank",
        role="Volunteer Coordinator",
        tags=["Food"],
        external_ids={"linkedin": "https://www.linkedin.com/in/maria-okafor/"},
        connected_on=date(2024, 3, 5),
    )
    result = load(workspace, [record], actor=owner)
    assert totals(result) == (1, 1, 0, 0, 0, 0)
    maria = Person.objects.get(workspace=workspace)
    assert maria.full_name == "Maria Okafor"
    assert maria.headline == ""  # the role is the affiliation's, shown once
    contacts = {(c.kind, c.normalized) for c in maria.contact_points.all()}
    assert contacts == {
        ("email", "maria.okafor@example.org"),
        ("phone", "+15550102000"),
        ("url", "https://www.linkedin.com/in/maria-okafor"),
    }
    assert [t.name for t in maria.tags.all()] == ["Food"]
    affiliation = maria.affiliations.get()
    assert (affiliation.organization.name, affiliation.role) == (
        "Riverside Food Bank",
        "Volunteer Coordinator",
    )
    relationship = maria.relationship
    assert relationship.stage == Stage.NOTICED
    assert relationship.next_touch_due is None
    assert relationship.organization == affiliation.organization
    assert relationship.owner == owner
    profile = maria.contact_points.get(kind="url")
    assert (profile.value, profile.connected_on) == (
        "https://www.linkedin.com/in/maria-okafor/",
        date(2024, 3, 5),
    )
    assert not ExternalId.objects.filter(person=maria).exists()


def test_it_records_the_batch_with_its_counts(workspace, owner):
    result = load(workspace, people(3), actor=owner, source=ImportSource("google", "g.csv"))
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert (batch.format, batch.filename, batch.created_by, batch.status) == (
        "google",
        "g.csv",
        owner,
        ImportStatus.DONE,
    )
    assert batch.counts["created"] == 3
    assert batch.counts["rows_created"]["people.person"] == 3


def test_every_record_counts_once(workspace):
    make_person(workspace, first_name="Old", last_name="Friend", emails=["old@example.org"])
    records = [
        person(2, "New", emails=["new@example.org"]),
        person(3, "Old", "Friend", emails=["OLD@example.org"], phones=["555 0100"]),
        person(4, "New", emails=["new@example.org"]),
        person(5, "Old", "Friend", emails=["old@example.org"]),
        PersonRecord(line=6),
    ]
    result = load(workspace, records)
    assert totals(result) == (5, 1, 1, 2, 0, 1)
    assert result.warnings == ["line 6: no name and no e-mail address: left out"]


def test_a_bad_record_in_the_middle_saves_nothing_and_names_its_line(workspace):
    records = people(100)
    records[56].emails = ["not-an-address"]  # line 58
    with pytest.raises(ImportFailed) as failure:
        load(workspace, records, batch_size=10)
    assert (failure.value.line, failure.value.field) == (58, "email")
    assert "not a valid e-mail address" in str(failure.value)
    assert str(failure.value).startswith("line 58, field “email”")
    assert Person.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert ImportedObject.objects.count() == 0
    assert failure.value.result is not None
    assert failure.value.result.errors == [(58, "email", failure.value.message)]


def test_every_bad_record_of_the_file_is_named_not_only_the_first(workspace):
    records = people(30)
    for n in (3, 14, 15, 16, 17, 18, 29):
        records[n].emails = [f"bad-{n}"]
    with pytest.raises(ImportFailed) as failure:
        load(workspace, records, batch_size=10)
    error = failure.value
    assert (error.line, error.field) == (5, "email")
    assert error.message == (
        "“bad-3” is not a valid e-mail address. 6 more records have problems too: "
        "line 16, field “email”: “bad-14” is not a valid e-mail address; "
        "line 17, field “email”: “bad-15” is not a valid e-mail address; "
        "line 18, field “email”: “bad-16” is not a valid e-mail address; "
        "line 19, field “email”: “bad-17” is not a valid e-mail address; "
        "line 20, field “email”: “bad-18” is not a valid e-mail address; and 1 more."
    )
    assert [line for line, _, _ in error.result.errors] == [5, 16, 17, 18, 19, 20, 31]
    assert error.result.errors_total == 7
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


def test_one_more_bad_record_is_named_in_the_singular(workspace):
    records = people(3)
    records[0].emails, records[2].emails = ["x"], ["y"]
    with pytest.raises(ImportFailed) as failure:
        load(workspace, records)
    assert failure.value.message.endswith(
        "1 more record has a problem too: line 4, field “email”: “y” is not a valid e-mail address."
    )


def test_a_parse_error_mid_stream_saves_nothing(workspace):
    def records():
        yield from people(57)
        raise ParseError("unclosed quote", line=59, field="Company")

    with pytest.raises(ImportFailed) as failure:
        import_records(
            workspace=workspace,
            records=records(),
            source=ImportSource("linkedin", "c.csv"),
            batch_size=20,
        )
    assert (failure.value.line, failure.value.field) == (59, "Company")
    assert Person.objects.count() == 0


def test_a_file_without_records_is_an_error(workspace):
    with pytest.raises(ImportFailed, match="holds no records"):
        load(workspace, [])
    assert ImportBatch.objects.count() == 0


def test_a_file_whose_records_hold_nothing_is_an_error(workspace):
    # LifeOS#814: a preamble read as the header gives rows with no usable field.
    with pytest.raises(ImportFailed, match="none of the file's 3 records"):
        load(workspace, [PersonRecord(line=n, notes="x") for n in (2, 3, 4)])
    assert Person.objects.count() == 0


def test_reimporting_the_same_records_changes_nothing(workspace):
    make_person(workspace, first_name="Dev", last_name="Raman", emails=["dev@example.org"])
    records = [
        *people(5, organization="Literacy Now", tags=["Readers"], role="Tutor"),
        person(
            9,
            "Dev",
            "Raman",
            emails=["dev@example.org"],
            notes="Met at the fair.",
            birthday=PartialDate(7, 2),
            external_ids={"linkedin": "linkedin.com/in/devraman"},
        ),
    ]
    load(workspace, records)
    before = _rows()
    stamps = dict(Person.objects.values_list("id", "updated_at"))
    again = load(workspace, records)
    assert totals(again) == (6, 0, 0, 0, 6, 0)
    assert _rows() == before
    assert dict(Person.objects.values_list("id", "updated_at")) == stamps
    assert not ImportedObject.objects.filter(batch_id=again.batch_id).exists()


def test_a_found_person_gains_only_what_is_new(workspace):
    dev = make_person(
        workspace,
        first_name="Dev",
        last_name="Raman",
        headline="Director",
        notes="Knows everyone.",
        emails=["dev@example.org"],
        tags=["Board"],
    )
    stamp = dev.updated_at
    record = person(
        3,
        "Devendra",
        "Raman",
        emails=["DEV@example.org", "dev@home.example"],
        headline="Executive Director",
        notes="Met at the fair.",
        tags=["board", "Donor"],
        organization="Literacy Now",
        role="Executive Director",
        birthday=PartialDate(11, 17, 1970),
    )
    result = load(workspace, [record])
    assert totals(result) == (1, 0, 1, 0, 0, 0)
    dev.refresh_from_db()
    assert (dev.first_name, dev.headline) == ("Dev", "Director")  # kept, not overwritten
    assert dev.notes == "Knows everyone.\n\nMet at the fair."
    assert (dev.birthday_month, dev.birthday_day, dev.birthday_year) == (11, 17, 1970)
    assert sorted(dev.contact_points.values_list("normalized", flat=True)) == [
        "dev@example.org",
        "dev@home.example",
    ]
    assert sorted(t.name for t in dev.tags.all()) == ["Board", "Donor"]
    assert dev.affiliations.get().organization.name == "Literacy Now"
    assert dev.updated_at > stamp
    again = load(workspace, [record])
    assert totals(again) == (1, 0, 0, 0, 1, 0)
    dev.refresh_from_db()
    assert dev.notes == "Knows everyone.\n\nMet at the fair."


def test_a_found_person_gaining_only_an_e_mail_keeps_every_field(workspace):
    # No record of the batch brings a headline, notes, birthday or photo, so those are
    # neither read nor written; the person's own values must stay whole.
    dev = make_person(
        workspace,
        first_name="Dev",
        headline="Director",
        notes="Knows everyone.",
        emails=["dev@example.org"],
        birthday_month=4,
        birthday_day=15,
        photo="photos/dev.jpg",
    )
    stamp = dev.updated_at
    records = [
        person(2, "Dev", emails=["dev@example.org", "dev@home.example"]),
        person(3, "Ada", emails=["ada@example.org"]),
    ]
    result = load(workspace, records)
    assert totals(result) == (2, 1, 1, 0, 0, 0)
    dev.refresh_from_db()
    assert (dev.headline, dev.notes, dev.photo.name) == (
        "Director",
        "Knows everyone.",
        "photos/dev.jpg",
    )
    assert (dev.birthday_month, dev.birthday_day) == (4, 15)
    assert dev.updated_at > stamp
    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))
    dev.refresh_from_db()
    assert (dev.headline, dev.notes, dev.updated_at) == ("Director", "Knows everyone.", stamp)


def test_a_role_fills_an_affiliation_that_had_none(workspace):
    org = make_org(workspace, name="Habitat Lyon")
    emile = make_person(workspace, first_name="Émile", emails=["emile@example.org"])
    Affiliation.objects.create(workspace=workspace, person=emile, organization=org)
    record = person(
        2, "Émile", emails=["emile@example.org"], organization="habitat lyon", role="Partnerships"
    )
    load(workspace, [record])
    assert emile.affiliations.get().role == "Partnerships"
    assert Organization.objects.filter(name__iexact="habitat lyon").count() == 1


def test_a_dry_run_counts_the_same_and_saves_nothing(workspace):
    records = people(30)
    dry = load(workspace, records, dry_run=True, batch_size=7)
    assert dry.dry_run and dry.batch_id is None
    assert totals(dry) == (30, 30, 0, 0, 0, 0)
    assert [row.line for row in dry.preview] == list(range(2, 22))
    assert {row.action for row in dry.preview} == {"created"}
    assert Person.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    real = load(workspace, records)
    assert totals(real) == totals(dry)


def test_progress_is_reported_after_each_batch(workspace):
    seen: list[int] = []
    load(workspace, people(25), batch_size=10, progress=lambda r: seen.append(r.read))
    assert seen == [10, 20, 25]


def test_queries_per_batch_do_not_grow_with_the_batch(workspace):
    make_person(workspace, first_name="Existing", emails=["person3@example.org"])

    def queries(count: int, start: int) -> int:
        records = people(count, start_line=start, organization="Org", tags=["t"])
        for r in records:
            r.emails = [f"{start}-{e}" for e in r.emails]
        records[0].emails = ["person3@example.org"]  # one found person per batch
        with CaptureQueriesContext(connection) as context:
            load(workspace, records, batch_size=1_000)
        return len(context.captured_queries)

    small, large = queries(5, 100), queries(300, 1_000)
    assert large <= small + 2  # a constant per batch, not per record
    # Each batch is its own transaction: its savepoint, the batch's progress on the
    # ImportBatch and the read-back of the values it wrote (for undo) cost a few more.
    assert large < 48


def test_a_new_person_with_a_cadence_tag_is_due_for_a_touch(workspace):
    Tag.objects.create(workspace=workspace, name="Donors", cadence_days=30)
    load(workspace, [person(2, "Ada", emails=["ada@example.org"], tags=["donors"])])
    relationship = Relationship.objects.get(person__first_name="Ada")
    assert relationship.stage == Stage.NOTICED
    assert relationship.next_touch_due == relationship.created_at + timedelta(days=30)


def test_tagging_a_found_person_with_a_cadence_recomputes_their_next_touch(workspace):
    ada = make_person(workspace, first_name="Ada", emails=["ada@example.org"])
    Tag.objects.create(workspace=workspace, name="Donors", cadence_days=10)
    load(workspace, [person(2, "Ada", emails=["ada@example.org"], tags=["Donors"])])
    relationship = Relationship.objects.get(person=ada)
    assert relationship.next_touch_due == relationship.created_at + timedelta(days=10)


def test_a_bad_photo_is_left_out_not_the_person(workspace):
    record = person(4, "Sam", emails=["sam@example.org"], photo=Photo(b"GIF89a junk", "image/gif"))
    result = load(workspace, [record])
    sam = Person.objects.get()
    assert not sam.photo
    assert result.warnings == [
        "line 4: photo left out: not a JPEG, PNG, GIF or WebP image (or over 10 MB)"
    ]


def test_a_photo_is_stored_and_removed_again_when_the_import_fails(workspace):
    good = person(2, "Sam", emails=["sam@example.org"], photo=Photo(png(), "image/png"))
    stored = load(workspace, [good])
    name = Person.objects.get().photo.name
    assert name.endswith(".png") and default_storage.exists(name)
    assert stored.created == 1
    bad = [
        person(3, "Lee", emails=["lee@example.org"], photo=Photo(png(), "image/png")),
        person(4, "Kim", emails=["@"]),
    ]
    files_before = set(default_storage.listdir(f"photos/{workspace.pk}")[1])
    with pytest.raises(ImportFailed):
        load(workspace, bad)
    assert set(default_storage.listdir(f"photos/{workspace.pk}")[1]) == files_before


def test_long_display_text_is_cut_with_a_warning(workspace):
    result = load(workspace, [person(2, "Jo", emails=["jo@example.org"], headline="x" * 250)])
    assert Person.objects.get().headline == "x" * 200
    assert result.warnings == ["line 2: headline cut to 200 characters"]


def test_organization_records_are_found_by_id_then_by_name(workspace):
    make_org(workspace, name="Literacy Now, Inc.")
    records = [
        OrganizationRecord(
            line=1,
            name="LITERACY NOW, INC.",
            website="https://literacy.example",
            external_ids={"vcard-uid": "org-1"},
        ),
        OrganizationRecord(
            line=9,
            name="Renamed Literacy",
            external_ids={"vcard-uid": "org-1"},
            notes="Our partner.",
            tags=["Reading"],
        ),
        OrganizationRecord(line=20, name="Harbor Refugee Services"),
    ]
    result = load(workspace, records)
    assert totals(result) == (3, 1, 1, 1, 0, 0)
    literacy = Organization.objects.get(name="Literacy Now, Inc.")
    assert literacy.website == "https://literacy.example"
    assert literacy.notes == "Our partner."
    assert [t.name for t in literacy.focus_areas.all()] == ["Reading"]
    assert totals(load(workspace, records)) == (3, 0, 0, 0, 3, 0)


def test_a_person_follows_a_reference_to_an_organization_of_the_file(workspace):
    records = [
        OrganizationRecord(line=1, name="Fonds Bon", external_ids={"vcard-uid": "urn:uuid:org"}),
        PersonRecord(
            line=8,
            full_name="Ana Lopez",
            emails=["ana@example.org"],
            organization_ref="urn:uuid:org",
            role="Chair",
        ),
    ]
    load(workspace, records)
    ana = Person.objects.get()
    assert (ana.first_name, ana.last_name) == ("Ana Lopez", "")
    affiliation = ana.affiliations.get()
    assert (affiliation.organization.name, affiliation.role) == ("Fonds Bon", "Chair")


# -- events and attendance ------------------------------------------------------------


def _event_record(**kwargs) -> EventRecord:
    start = timezone.now().replace(microsecond=0) - timedelta(days=3)
    kwargs.setdefault("uid", "breakfast-1@calendar.example")
    kwargs.setdefault("time_zone", "America/Chicago")
    return EventRecord(
        line=1,
        title="Nonprofit breakfast",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        **kwargs,
    )


def test_an_events_attendees_become_people_with_their_rsvp(workspace):
    record = _event_record(
        attendees=[
            AttendeeRecord(line=5, name="Maria Okafor", email="maria@example.org", rsvp="accepted"),
            AttendeeRecord(line=6, name="Dev Raman", email="dev@example.org", rsvp="declined"),
        ]
    )
    result = load(workspace, [record])
    assert totals(result) == (3, 3, 0, 0, 0, 0)
    maria = Person.objects.get(first_name="Maria Okafor")
    dev = Person.objects.get(first_name="Dev Raman")
    event = maria.attendances.get().event
    assert (event.source_uid, event.time_zone) == (
        "breakfast-1@calendar.example",
        "America/Chicago",
    )
    assert maria.attendances.get().rsvp == "accepted"
    assert maria.interactions.get().kind == "met"
    assert maria.relationship.stage == Stage.MET
    assert maria.relationship.last_interaction_at == event.starts_at
    assert maria.relationship.next_touch_due == event.starts_at + timedelta(days=14)
    # A declined attendee is on the list as declined, never as met.
    assert dev.attendances.get().rsvp == "declined"
    assert not dev.interactions.exists()
    assert dev.relationship.stage == Stage.NOTICED


def test_an_event_is_found_again_by_its_uid(workspace):
    load(workspace, [_event_record(location="Town hall")])
    moved = _event_record(location="Library")
    moved.starts_at += timedelta(hours=1)
    moved.ends_at += timedelta(hours=1)
    result = load(workspace, [moved])
    assert totals(result) == (1, 0, 1, 0, 0, 0)
    event = workspace_event(workspace)
    assert event.starts_at == moved.starts_at  # times follow the calendar
    assert event.location == "Town hall"  # text only fills gaps
    assert totals(load(workspace, [moved])) == (1, 0, 0, 0, 1, 0)


def workspace_event(workspace):
    from followthrough.events.models import Event

    return Event.objects.get(workspace=workspace)


def test_an_all_day_event_starts_at_midnight_in_its_zone(workspace):
    record = EventRecord(
        line=3,
        title="Volunteer day",
        starts_at=date(2026, 5, 1),
        all_day=True,
        time_zone="Europe/Berlin",
    )
    load(workspace, [record])
    event = workspace_event(workspace)
    assert event.all_day
    assert timezone.localtime(event.starts_at, timezone=_zone("Europe/Berlin")).hour == 0


def _zone(name):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def test_an_event_ending_before_it_starts_is_refused(workspace):
    record = _event_record()
    record.ends_at = record.starts_at - timedelta(hours=1)
    with pytest.raises(ImportFailed) as failure:
        load(workspace, [record])
    assert (failure.value.line, failure.value.field) == (1, "ends_at")


def test_a_name_given_last_name_first_is_split_at_its_comma(workspace):
    # As calendars write a sortable name (CN="Raman, Dev"); other whole names stay whole.
    record = _event_record(
        attendees=[
            AttendeeRecord(line=5, name="Raman, Dev", email="dev@example.org"),
            AttendeeRecord(line=6, name="Maria de la Cruz", email="maria@example.org"),
        ]
    )
    load(workspace, [record, person(9, "", "", full_name="Okafor, Ngozi A.")])
    names = set(Person.objects.values_list("first_name", "last_name"))
    assert names == {("Dev", "Raman"), ("Maria de la Cruz", ""), ("Ngozi A.", "Okafor")}


def test_an_attendees_job_title_at_a_company_is_the_role_not_the_headline(workspace, owner):
    event = make_event(workspace, title="Gala")
    attendee = AttendeeRecord(
        line=2,
        name="Ada Obi",
        email="ada@example.org",
        organization="Harbor Arts",
        role="Volunteer",
    )
    alone = AttendeeRecord(line=3, name="Bo Lin", email="bo@example.org", role="Freelance writer")
    load(workspace, [attendee, alone], event=event)
    ada = Person.objects.get(first_name="Ada Obi")
    assert (ada.headline, ada.affiliations.get().role) == ("", "Volunteer")
    assert Person.objects.get(first_name="Bo Lin").headline == "Freelance writer"


def test_a_person_known_only_by_an_e_mail_takes_the_first_real_name_brought(workspace):
    # A calendar invitation with CN=kwame@… made him; an attendee list then names him.
    invited = _event_record(attendees=[AttendeeRecord(line=5, email="kwame@youthbuild.example")])
    load(workspace, [invited])
    kwame = Person.objects.get(workspace=workspace)
    assert (kwame.first_name, kwame.last_name) == ("kwame@youthbuild.example", "")
    named = person(2, "Kwame", "Mensah", emails=["Kwame@YouthBuild.example"])
    result = load(workspace, [named, person(3, "Ada", "Obi", emails=["ada@example.org"])])
    kwame.refresh_from_db()
    assert (kwame.first_name, kwame.last_name, kwame.full_name) == (
        "Kwame",
        "Mensah",
        "Kwame Mensah",
    )
    assert result.updated == 1
    # A real name stays: a later record's other spelling does not replace it.
    load(workspace, [person(2, "Kwame A.", "Mensah", emails=["kwame@youthbuild.example"])])
    kwame.refresh_from_db()
    assert kwame.first_name == "Kwame"
    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))
    kwame.refresh_from_db()
    assert (kwame.first_name, kwame.full_name) == ("kwame@youthbuild.example",) * 2


def test_a_nameless_record_and_a_named_one_in_one_batch_make_one_named_person(workspace):
    records = [
        person(2, "", "", emails=["lena@example.org"]),
        person(3, "Lena", "Fischer", emails=["lena@example.org"]),
    ]
    load(workspace, records)
    lena = Person.objects.get(workspace=workspace)
    assert (lena.first_name, lena.last_name) == ("Lena", "Fischer")


def test_attendee_rows_need_an_event(workspace):
    with pytest.raises(ImportFailed) as failure:
        load(workspace, [AttendeeRecord(line=2, name="Kwame Mensah", email="k@example.org")])
    assert (failure.value.line, failure.value.field) == (2, "event")


def test_attendee_rows_join_the_event_given(workspace):
    event = make_event(workspace, title="Gala")
    rows = [
        AttendeeRecord(
            line=2,
            first_name="Kwame",
            last_name="Mensah",
            email="k@example.org",
            rsvp="accepted",
            checked_in=True,
            organization="YouthBuild",
        ),
        AttendeeRecord(line=3, first_name="Lena", last_name="Fischer", rsvp="accepted"),
        AttendeeRecord(
            line=4, first_name="Tom", last_name="Nguyen", email="tom@example.org", rsvp="declined"
        ),
    ]
    result = load(workspace, rows, event=event)
    assert totals(result) == (3, 3, 0, 0, 0, 0)
    attendance = {a.person.full_name: (a.rsvp, a.checked_in) for a in event.attendances.all()}
    assert attendance == {
        "Kwame Mensah": ("accepted", True),
        "Lena Fischer": ("accepted", False),
        "Tom Nguyen": ("declined", False),
    }
    assert event.attendances.get(person__first_name="Kwame").person.affiliations.exists()
    assert totals(load(workspace, rows, event=event)) == (3, 0, 0, 0, 3, 0)


def test_a_found_attendee_gains_the_attendance(workspace):
    event = make_event(workspace)
    kwame = make_person(workspace, first_name="Kwame", emails=["k@example.org"])
    row = AttendeeRecord(line=2, name="Kwame", email="K@example.org", rsvp="accepted")
    assert totals(load(workspace, [row], event=event)) == (1, 0, 1, 0, 0, 0)
    assert kwame.attendances.get().event == event
    assert kwame.relationship.__class__.objects.get(person=kwame).stage == Stage.MET


def test_an_event_from_another_workspace_is_refused(workspace, other_workspace):
    event = make_event(other_workspace)
    with pytest.raises(ImportFailed, match="not in this workspace"):
        load(workspace, [AttendeeRecord(line=2, name="X", email="x@example.org")], event=event)


def test_a_row_the_database_refuses_names_the_batch_and_saves_nothing(workspace, monkeypatch):
    from django.db import IntegrityError

    from followthrough.exchange.imports.row_writer import RowWriter

    insert = RowWriter.insert

    def refuse_people(self, model, columns, rows):
        if model is Person:
            raise IntegrityError("NOT NULL constraint failed")
        insert(self, model, columns, rows)

    monkeypatch.setattr(RowWriter, "insert", refuse_people)
    with pytest.raises(ImportFailed, match="database refused a row in lines 2 to 4") as failure:
        load(workspace, people(3))
    assert failure.value.line == 2
    assert Person.objects.count() == 0


def test_a_tag_with_non_ascii_capitals_is_found_again_not_duplicated(workspace):
    records = [person(2, "Иван", "Петров", emails=["ivan@example.org"], tags=["Жизнь"])]
    load(workspace, records)
    again = load(
        workspace, [person(2, "Иван", "Петров", emails=["ivan@example.org"], tags=["ЖИЗНЬ"])]
    )
    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
    assert list(Tag.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["Жизнь"]


def test_an_organization_reference_not_in_the_file_falls_back_to_its_name(workspace):
    # A 4.0 card's RELATED names an organization card the file no longer holds (the
    # organizations were cut out of an export): its ORG name still places the person.
    records = [
        person(2, "Ada", "Okafor", emails=["ada@example.org"], organization="Harbor Arts",
               organization_ref="urn:uuid:gone"),
        person(3, "Bo", "Lee", emails=["bo@example.org"], organization_ref="urn:uuid:gone"),
    ]  # fmt: skip
    result = load(workspace, records)
    ada = Person.objects.get(first_name="Ada")
    assert ada.affiliations.get().organization.name == "Harbor Arts"
    assert not Person.objects.get(first_name="Bo").affiliations.exists()
    assert result.warnings == ["line 3: its organization is not in the file; left out"]
