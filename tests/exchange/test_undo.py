"""Undoing an import as a unit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from followthrough.events.models import Attendance, Event
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import AttendeeRecord, EventRecord, Photo
from followthrough.exchange.imports.result import ImportSource
from followthrough.exchange.imports.undo import ImportUndoRefused, import_undo, import_undo_plan
from followthrough.exchange.models import ExternalId, ImportBatch, ImportedObject, ImportStatus
from followthrough.people.models import Affiliation, ContactPoint, Organization, Person, Tag
from followthrough.relationships.models import Interaction, Relationship, Stage
from tests.exchange.helpers import load, people, person, png
from tests.factories import make_person


def _batch(result) -> ImportBatch:
    return ImportBatch.objects.get(pk=result.batch_id)


def test_undo_deletes_what_the_import_created(workspace):
    orgs_before = Organization.objects.count()
    result = load(workspace, people(25, organization="New Org", tags=["New tag"]), batch_size=10)
    assert Person.objects.count() == 25
    # Created rows are kept as runs of ids, not one provenance row each.
    assert ImportedObject.objects.filter(batch_id=result.batch_id).count() < 25
    undone = import_undo(batch=_batch(result))
    assert undone.deleted["people.person"] == 25
    assert Person.objects.count() == 0
    assert Relationship.objects.count() == 0
    assert ContactPoint.objects.count() == 0
    assert Organization.objects.count() == orgs_before
    assert not Tag.objects.filter(name="New tag").exists()
    batch = _batch(result)
    assert batch.status == ImportStatus.UNDONE and batch.undone_at is not None
    assert batch.counts["undo"]["deleted"]["people.person"] == 25


def test_undo_gives_changed_people_their_old_values_back(workspace):
    dev = make_person(workspace, first_name="Dev", emails=["dev@example.org"], notes="Old note.")
    stamp = dev.updated_at
    record = person(
        2,
        "Dev",
        emails=["dev@example.org", "dev@home.example"],
        headline="Director",
        notes="New note.",
        tags=["Donor"],
        organization="Literacy Now",
        external_ids={"linkedin": "linkedin.com/in/dev"},
    )
    result = load(workspace, [record])
    dev.refresh_from_db()
    assert dev.headline == "Director"
    import_undo(batch=_batch(result))
    dev.refresh_from_db()
    assert (dev.headline, dev.notes, dev.updated_at) == ("", "Old note.", stamp)
    assert list(dev.contact_points.values_list("normalized", flat=True)) == ["dev@example.org"]
    assert not dev.tags.exists()
    assert not Affiliation.objects.filter(person=dev).exists()
    assert not ExternalId.objects.exists()


def test_undo_of_a_person_changed_by_several_batches_restores_the_first_values(workspace):
    ada = make_person(workspace, first_name="Ada", emails=["ada@example.org"])
    records = [person(2, "Ada", emails=["ada@example.org"], headline="First")]
    records += people(12, start_line=3)
    records += [person(20, "Ada", emails=["ada@example.org"], notes="Later.")]
    result = load(workspace, records, batch_size=5)
    ada.refresh_from_db()
    assert (ada.headline, ada.notes) == ("First", "Later.")
    import_undo(batch=_batch(result))
    ada.refresh_from_db()
    assert (ada.headline, ada.notes) == ("", "")


def test_changed_people_are_recorded_once_per_batch_and_all_restored(workspace):
    found = [
        make_person(workspace, first_name=f"Found{n}", emails=[f"found{n}@example.org"])
        for n in range(25)
    ]
    records = [
        person(n + 2, f"Found{n}", emails=[f"found{n}@example.org"], headline=f"Role {n}")
        for n in range(25)
    ]
    result = load(workspace, records, batch_size=10)
    assert result.updated == 25
    changed = ImportedObject.objects.filter(batch_id=result.batch_id, created=False)
    assert changed.filter(model="people.person").count() == 3  # one per batch of 10
    plan = import_undo_plan(batch=_batch(result))
    assert plan.restored["people.person"] == 25
    undone = import_undo(batch=_batch(result))
    assert undone.restored["people.person"] == 25
    for original in found:
        original_stamp = original.updated_at
        original.refresh_from_db()
        assert (original.headline, original.updated_at) == ("", original_stamp)


def test_undo_reads_changed_rows_recorded_one_per_row_by_older_imports(workspace):
    dev = make_person(workspace, first_name="Dev", emails=["dev@example.org"], headline="Old")
    result = load(workspace, [person(2, "Dev", emails=["dev@example.org"], notes="New")])
    changed = ImportedObject.objects.get(batch_id=result.batch_id, created=False)
    # How imports before per-batch entries kept it: the row's id and its old values.
    changed.object_id, changed.before = dev.pk, changed.before["rows"][str(dev.pk)]
    changed.save()
    assert import_undo_plan(batch=_batch(result)).restored["people.person"] == 1
    import_undo(batch=_batch(result))
    dev.refresh_from_db()
    assert (dev.headline, dev.notes) == ("Old", "")


def test_undoing_twice_is_refused(workspace):
    result = load(workspace, people(2))
    import_undo(batch=_batch(result))
    with pytest.raises(ImportUndoRefused, match="already undone") as refused:
        import_undo(batch=_batch(result))
    batch = _batch(result)
    assert f"({batch.filename}, {registry.label(batch.format)})" in str(refused.value)
    assert registry.label(batch.format) != batch.format  # its name, not its code


def test_undo_leaves_other_imports_alone(workspace):
    load(workspace, people(3))
    kept = set(Person.objects.values_list("id", flat=True))
    # The same e-mails again: the people are found and only gain the organization.
    second = load(workspace, people(2, organization="Newly Named Org"))
    assert (second.created, second.updated) == (0, 2)
    import_undo(batch=_batch(second))
    assert set(Person.objects.values_list("id", flat=True)) == kept
    assert not Organization.objects.filter(name="Newly Named Org").exists()
    assert not Affiliation.objects.exists()


def test_undo_removes_an_imported_event_its_attendance_and_meetings(workspace):
    dev = make_person(workspace, first_name="Dev", emails=["dev@example.org"])
    start = timezone.now() - timedelta(days=2)
    record = EventRecord(
        line=1,
        title="Breakfast",
        starts_at=start,
        uid="b-1",
        attendees=[
            AttendeeRecord(line=4, name="Dev", email="dev@example.org", rsvp="accepted"),
            AttendeeRecord(line=5, name="New Person", email="new@example.org", rsvp="accepted"),
        ],
    )
    result = load(workspace, [record])
    assert Relationship.objects.get(person=dev).stage == Stage.MET
    plan = import_undo_plan(batch=_batch(result)).describe()
    assert plan.startswith("Remove the 1 person, 1 event, 2 event attendances and 2 interact")
    assert "put back what it changed on 1 relationship." in plan  # Dev's stage
    import_undo(batch=_batch(result))
    assert not Event.objects.exists()
    assert not Attendance.objects.exists()
    assert not Interaction.objects.exists()
    relationship = Relationship.objects.get(person=dev)
    assert (relationship.stage, relationship.last_interaction_at) == (Stage.NOTICED, None)
    assert list(Person.objects.all()) == [dev]


def test_undo_deletes_the_photos_the_import_stored(workspace, django_capture_on_commit_callbacks):
    sam = make_person(workspace, first_name="Sam", emails=["sam@example.org"])
    records = [
        person(2, "Sam", emails=["sam@example.org"], photo=Photo(png(), "image/png")),
        person(3, "Lee", emails=["lee@example.org"], photo=Photo(png(), "image/png")),
    ]
    result = load(workspace, records)
    sam.refresh_from_db()
    names = [sam.photo.name, Person.objects.get(first_name="Lee").photo.name]
    assert all(default_storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        import_undo(batch=_batch(result))
    sam.refresh_from_db()
    assert not sam.photo
    assert not any(default_storage.exists(n) for n in names)


def test_the_command_undoes_an_import_once(workspace, capsys):
    result = load(workspace, people(2))
    call_command("import_undo", str(result.batch_id), yes=True)
    assert "undone: removed 2 people." in capsys.readouterr().out
    assert Person.objects.count() == 0
    with pytest.raises(CommandError, match="already undone"):
        call_command("import_undo", str(result.batch_id), yes=True)
    with pytest.raises(CommandError, match="No import #999"):
        call_command("import_undo", "999")


def test_the_command_says_what_it_will_undo_and_asks_first(workspace, capsys, monkeypatch):
    result = load(workspace, people(2, organization="Harbor Arts"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "n")
    call_command("import_undo", str(result.batch_id))
    out = capsys.readouterr().out
    assert "Remove the 2 people and 1 organization this import added." in out
    assert f"Import #{result.batch_id} was not undone." in out
    assert asked == ["Undo it? [y/N] "] and Person.objects.count() == 2
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    call_command("import_undo", str(result.batch_id))
    assert "undone: removed 2 people and 1 organization." in capsys.readouterr().out
    assert Person.objects.count() == 0


def test_the_command_will_not_undo_unasked_without_a_terminal(workspace, monkeypatch):
    result = load(workspace, people(1))
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="add --yes to undo it"):
        call_command("import_undo", str(result.batch_id))
    assert Person.objects.count() == 1


def test_staff_can_browse_imports_and_undo_them_in_the_admin(client, workspace):
    from django.urls import reverse

    from tests.factories import make_user

    result = load(workspace, people(2))
    client.force_login(make_user("staff@example.org", is_staff=True, is_superuser=True))
    for name in ("importbatch", "externalid", "columnmapping"):
        assert client.get(reverse(f"admin:exchange_{name}_changelist")).status_code == 200
    change = reverse("admin:exchange_importbatch_change", args=[result.batch_id])
    assert client.get(change).status_code == 200
    response = client.post(
        reverse("admin:exchange_importbatch_changelist"),
        {"action": "undo_imports", "_selected_action": [result.batch_id]},
        follow=True,
    )
    assert "rows deleted (2 people)" in response.content.decode()
    assert _batch(result).status == ImportStatus.UNDONE
    assert Person.objects.count() == 0


def test_an_import_that_only_added_focus_areas_says_so_and_asks(workspace, capsys, monkeypatch):
    from followthrough.exchange.formats.records import OrganizationRecord

    first = load(workspace, [OrganizationRecord(line=2, name="Harbor Arts", tags=["arts"])])
    again = load(workspace, [OrganizationRecord(line=2, name="Harbor Arts", tags=["housing"])])
    plan = import_undo_plan(batch=_batch(again))
    assert plan.describe().startswith("Remove the 1 tag and 1 focus area this import added")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    call_command("import_undo", str(again.batch_id))
    assert "was not undone" in capsys.readouterr().out
    harbor = Organization.objects.get(name="Harbor Arts")
    assert sorted(t.name for t in harbor.focus_areas.all()) == ["arts", "housing"]
    assert first.batch_id != again.batch_id


def test_undo_counts_only_the_changed_rows_still_there(workspace):
    first = load(workspace, [person(2, "Ada", emails=["ada@example.org"])])
    second = load(workspace, [person(2, "Ada", emails=["ada@example.org"], headline="Director")])
    assert second.updated == 1
    import_undo(batch=_batch(first))  # Ada goes, with what the second import gave her
    assert import_undo_plan(batch=_batch(second)).empty
    undone = import_undo(batch=_batch(second))
    assert undone.restored["people.person"] == 0
    assert undone.plain_summary().endswith("It had nothing left to remove or put back.")


def test_the_plan_names_later_imports_that_changed_or_added_to_what_it_would_remove(workspace):
    first = load(
        workspace, [person(2, "Maria", emails=["maria@example.org"], organization="Harbor")]
    )
    changed = load(
        workspace,
        [person(2, "Maria", emails=["maria@example.org"], headline="Director")],
        source=ImportSource("google", "google.csv"),
    )
    joined = load(
        workspace,
        [person(2, "Dev", emails=["dev@example.org"], organization="Harbor")],
        source=ImportSource("csv", "members.csv"),
    )
    unrelated = load(workspace, [person(2, "Bo", emails=["bo@example.org"])])
    plan = import_undo_plan(batch=_batch(first))
    assert plan.later == ((changed.batch_id, "google.csv"), (joined.batch_id, "members.csv"))
    assert plan.describe().endswith(
        f"Imports #{changed.batch_id} (google.csv) and #{joined.batch_id} (members.csv), made "
        "since, changed or added to some of them: what they did to them goes too."
    )
    import_undo(batch=_batch(changed))
    assert import_undo_plan(batch=_batch(first)).later == ((joined.batch_id, "members.csv"),)
    assert import_undo_plan(batch=_batch(unrelated)).later == ()
