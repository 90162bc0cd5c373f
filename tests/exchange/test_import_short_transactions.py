"""Imports write batch by batch in short transactions, and stay all or nothing: a failure
after the first batch undoes what the batches before committed."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from django.db import DatabaseError, connection

from followthrough.exchange.imports import person_writer
from followthrough.exchange.imports.result import ImportFailed
from followthrough.exchange.imports.undo import import_undo
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.people.models import Person
from tests.exchange.helpers import load, people, person
from tests.exchange.snapshot import differences, snapshot
from tests.factories import make_org, make_person


def _dev(workspace):
    return make_person(
        workspace, first_name="Dev", notes="Knows everyone.", emails=["dev@example.org"]
    )


def _file() -> list:
    """25 records in three batches of 10: the first updates Dev (a new e-mail, a note, a
    role at a new organization, a tag, a phone), the others are new people."""
    dev = person(
        2,
        "Dev",
        emails=["dev@example.org", "dev@home.example"],
        phones=["+1 555 010 2000"],
        notes="Met at the fair.",
        organization="Riverside Food Bank",
        role="Volunteer",
        tags=["Food"],
        external_ids={"linkedin": "https://www.linkedin.com/in/dev-example/"},
    )
    return [dev, *people(24, start_line=3, organization="Habitat Lyon", tags=["Housing"])]


def _fail_in_batch(monkeypatch, number: int, error: BaseException) -> None:
    """Make the people of batch `number` raise `error` as they load."""
    real = person_writer.PeopleBatch.load
    calls = {"n": 0}

    def load(self: Any) -> None:
        calls["n"] += 1
        if calls["n"] == number:
            raise error
        real(self)

    monkeypatch.setattr(person_writer.PeopleBatch, "load", load)


@pytest.mark.parametrize("failure", ["bad row", "database", "interrupt", "sigterm"])
def test_a_failure_in_the_last_batch_leaves_every_table_as_it_was(workspace, monkeypatch, failure):
    _dev(workspace)
    make_org(workspace, name="Habitat Lyon")
    before = snapshot()
    records = _file()
    expected: type[BaseException] = ImportFailed
    if failure == "bad row":
        records[-1].emails = ["not an address"]
    elif failure == "database":
        _fail_in_batch(monkeypatch, 3, DatabaseError("disk I/O error"))
    elif failure == "interrupt":
        _fail_in_batch(monkeypatch, 3, KeyboardInterrupt())
        expected = KeyboardInterrupt
    else:  # the worker's SIGTERM handler raises SystemExit
        _fail_in_batch(monkeypatch, 3, SystemExit(143))
        expected = SystemExit
    seen: list[int] = []
    with pytest.raises(expected):
        load(workspace, records, batch_size=10, progress=lambda r: seen.append(r.created))
    assert seen[:2] == [9, 19]  # two batches were written (and committed) before it failed
    assert differences(before, snapshot()) == {}


def test_a_queued_import_failing_late_is_marked_failed_and_undone(workspace):
    dev = _dev(workspace)
    pending = ImportBatch.objects.create(
        workspace=workspace, format="linkedin", filename="Connections.csv", counts={"job": {}}
    )
    records = _file()
    records[-1].emails = ["not an address"]
    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=10, batch=pending)
    pending.refresh_from_db()
    assert pending.status == ImportStatus.FAILED
    assert pending.error.endswith("Nothing was imported.")
    assert "line 26" in pending.error
    assert list(Person.objects.filter(workspace=workspace)) == [dev]
    dev.refresh_from_db()
    assert dev.notes == "Knows everyone."


def test_an_edit_made_between_batches_is_kept_when_the_import_is_undone(workspace):
    dev = _dev(workspace)
    records = _file()
    records[-1].emails = ["not an address"]

    def edit_after_the_first_batch(result) -> None:
        if result.read == 10:  # the import appended its note to Dev's; a member edits it
            member_view = Person.objects.get(pk=dev.pk)
            assert member_view.notes == "Knows everyone.\n\nMet at the fair."
            member_view.notes = "Call back in May."
            member_view.save()

    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=10, progress=edit_after_the_first_batch)
    dev.refresh_from_db()
    assert dev.notes == "Call back in May."  # the member's, not the import's old value
    assert list(dev.contact_points.values_list("value", flat=True)) == ["dev@example.org"]


def test_an_edit_between_two_batches_that_both_change_a_row_is_what_undo_restores(workspace):
    dev = _dev(workspace)
    records = _file()
    records[21] = person(23, "Dev", emails=["dev@example.org"], notes="Second note.")
    records += people(5, start_line=27, organization="Habitat Lyon")
    records.append(person(32, "Late", emails=["not an address"]))  # in a fourth batch

    def edit_after_the_first_batch(result) -> None:
        if result.read == 10:
            Person.objects.filter(pk=dev.pk).update(notes="Call back in May.")

    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=10, progress=edit_after_the_first_batch)
    dev.refresh_from_db()
    assert dev.notes == "Call back in May."


def test_the_undo_of_a_finished_import_keeps_an_edit_made_since(workspace):
    dev = _dev(workspace)
    result = load(workspace, _file(), batch_size=10)
    edited = Person.objects.get(pk=dev.pk)
    edited.notes = "Call back in May."
    edited.save()
    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))
    dev.refresh_from_db()
    assert dev.notes == "Call back in May."
    assert Person.objects.filter(workspace=workspace).count() == 1


def test_a_row_someone_adds_between_batches_is_left_alone(workspace):
    """Between two batches another writer takes the next ids: the import must count on
    from them (not collide), and its undo must not take that row with it."""
    added: list[Person] = []

    def someone_adds_a_person(result) -> None:
        if result.read == 10:
            added.append(make_person(workspace, first_name="Walk-in"))

    records = people(25)
    records[-1].emails = ["not an address"]
    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=10, progress=someone_adds_a_person)
    assert list(Person.objects.filter(workspace=workspace)) == added
    result = load(workspace, people(25), batch_size=10, progress=someone_adds_a_person)
    assert Person.objects.filter(workspace=workspace).count() == 27
    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))
    assert set(Person.objects.filter(workspace=workspace)) == set(added)


def _other_writer() -> sqlite3.Connection:
    """A second connection to the database file, waiting at most 0.2 s for the lock."""
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.2)
    other.isolation_level = None
    return other


def _write_from_elsewhere(other: sqlite3.Connection) -> str:
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE workspaces_workspace SET name = name")
        other.execute("COMMIT")
    except sqlite3.OperationalError as error:
        return str(error)
    return "written"


SQLITE_LOCK = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's one write lock; PostgreSQL locks rows"
)


@SQLITE_LOCK
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("dry_run", [False, True])
def test_other_writers_get_the_lock_between_batches(workspace, dry_run):
    other = _other_writer()
    seen: list[tuple[str, Any]] = []

    def between_batches(result) -> None:
        row = other.execute(
            "SELECT status, counts FROM exchange_importbatch ORDER BY id DESC LIMIT 1"
        ).fetchone()
        seen.append((_write_from_elsewhere(other), row))

    load(workspace, people(30), batch_size=10, dry_run=dry_run, progress=between_batches)
    other.close()
    assert [written for written, _ in seen] == ["written"] * 3
    if dry_run:
        assert not ImportBatch.objects.exists() and not Person.objects.exists()
    else:  # seen from elsewhere: running, with its progress and its process
        status, counts = seen[1][1]
        assert status == "running"
        assert '"read": 20' in counts and '"runner"' in counts


@SQLITE_LOCK
@pytest.mark.django_db(transaction=True)
def test_a_failed_import_releases_the_lock_between_its_undo_chunks(workspace, monkeypatch):
    from followthrough.exchange.imports import revert

    monkeypatch.setattr(revert, "CHUNK", 5)
    other = _other_writer()
    between: list[str] = []
    real = revert._delete_files

    def after_each_chunk(names: list[str]) -> None:
        between.append(_write_from_elsewhere(other))
        real(names)

    monkeypatch.setattr(revert, "_delete_files", after_each_chunk)
    records = people(25)
    records[-1].emails = ["not an address"]
    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=10)
    other.close()
    assert len(between) > 4 and set(between) == {"written"}
    assert not Person.objects.exists() and not ImportBatch.objects.exists()
