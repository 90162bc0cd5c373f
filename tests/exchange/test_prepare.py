"""Batches prepared by a reader process import exactly as batches prepared in-line."""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection

from followthrough.exchange.formats.records import EventRecord, ParseError, PersonRecord
from followthrough.exchange.imports import prepare
from followthrough.exchange.imports.clean import clean_person
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportFailed, ImportSource
from followthrough.exchange.models import ImportBatch
from followthrough.people.models import Person
from tests.exchange.helpers import load, people, person


@pytest.fixture
def readers(monkeypatch) -> list[object]:
    """The reader processes started (the class is wrapped to count them)."""
    started: list[object] = []
    original = prepare._Reader

    def counted(*args, **kwargs):
        reader = original(*args, **kwargs)
        started.append(reader)
        return reader

    monkeypatch.setattr(prepare, "_Reader", counted)
    return started


def _mixed(count: int) -> list[PersonRecord]:
    """People, some repeated across batches, some with warnings (a name cut to fit)."""
    records = people(count)
    for n in range(0, count, 7):
        records[n].first_name = "W" * 130  # cut to 100 characters, with a warning
    records += [person(count + 2 + i, "Again", emails=[f"person{i}@example.org"]) for i in (3, 9)]
    return records


def _outcome(result) -> tuple:
    return (
        result.totals(),
        result.warnings,
        result.warnings_total,
        [(r.line, r.label, r.action) for r in result.preview],
        sorted(Person.objects.values_list("first_name", flat=True)),
    )


@pytest.mark.django_db(transaction=True)
def test_a_reader_process_gives_the_same_import_as_in_line(workspace, readers, monkeypatch):
    with_reader = load(workspace, _mixed(45), batch_size=10)
    assert len(readers) == 1
    outcome = _outcome(with_reader)
    ImportBatch.objects.all().delete()
    Person.objects.all().delete()

    monkeypatch.setattr(prepare, "READER_PROCESS", False)
    in_line = load(workspace, _mixed(45), batch_size=10)
    assert len(readers) == 1  # no second reader
    assert _outcome(in_line) == outcome
    assert outcome[0]["created"] == 45 and outcome[0]["merged"] == 2
    assert outcome[2] == 7  # lines 2, 9, 16 … had their names cut, in order
    assert outcome[1][0].startswith("line 2: first name cut")
    assert not multiprocessing.active_children()


def test_a_file_of_one_batch_starts_no_reader(workspace, readers):
    load(workspace, people(10), batch_size=10)
    assert readers == []


def test_a_bad_record_in_a_later_batch_names_its_line_and_saves_nothing(workspace, readers):
    records = people(35)
    records[27].emails = ["not-an-address"]
    with pytest.raises(ImportFailed) as failure:
        load(workspace, records, batch_size=10)
    assert len(readers) == 1
    error = failure.value
    assert (error.line, error.field) == (29, "email")
    assert "not a valid e-mail address" in error.message
    assert error.result.read == 35  # the rest of the file is read for more problems
    assert not Person.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not multiprocessing.active_children()


def _then_failing(records: list[PersonRecord], error: Exception) -> Iterator[PersonRecord]:
    yield from records
    raise error


def _stream(workspace, records: Iterator[PersonRecord]):
    """Import records as a parser yields them (the helpers' `load` lists them first)."""
    source = ImportSource("linkedin", "Connections.csv")
    return import_records(workspace=workspace, records=records, source=source, batch_size=10)


def test_a_parser_error_between_batches_comes_back_with_its_line(workspace, readers):
    records = _then_failing(people(25), ParseError("unclosed quote", line=40, field="Notes"))
    with pytest.raises(ImportFailed) as failure:
        _stream(workspace, records)
    assert (failure.value.line, failure.value.field) == (40, "Notes")
    assert len(readers) == 1
    assert not Person.objects.exists()


def test_a_parser_error_just_after_the_first_batch_counts_that_batch(workspace, readers):
    records = _then_failing(people(10), ParseError("unclosed quote", line=12, field="Notes"))
    with pytest.raises(ImportFailed) as failure:
        _stream(workspace, records)
    assert (failure.value.line, failure.value.result.read) == (12, 10)
    assert readers == []
    assert not Person.objects.exists()


def test_any_other_error_of_the_reader_is_raised_here(workspace, readers):
    with pytest.raises(UnicodeDecodeError) as raised:
        _stream(
            workspace, _then_failing(people(15), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"))
        )
    assert not Person.objects.exists()
    # Where it happened travels with it, for the worker's log.
    assert "reader process" in raised.value.__notes__[-1]
    assert "_then_failing" in raised.value.__notes__[-1]


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def test_an_error_that_cannot_travel_is_named(workspace):
    with pytest.raises(RuntimeError, match="_Unpicklable: odd") as raised:
        _stream(workspace, _then_failing(people(15), _Unpicklable("odd")))
    assert "_then_failing" in raised.value.__notes__[-1]


def test_the_reader_stops_when_the_import_fails_while_it_reads(workspace, readers):
    records = people(60)
    records[12].emails = ["bad"]  # fails in the second batch, which this process loads
    with pytest.raises(ImportFailed):
        load(workspace, records, batch_size=5)
    assert len(readers) == 1
    assert not multiprocessing.active_children()


@pytest.mark.django_db(transaction=True)
def test_other_threads_prepare_in_line(workspace, readers):
    # The web server's request threads: forking there could copy another thread's lock.
    outcome: list[object] = []

    def request() -> None:
        try:
            outcome.append(load(workspace, people(25), batch_size=10))
        finally:
            connection.close()

    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
    assert readers == []
    assert outcome[0].created == 25


def test_calendars_are_read_in_line(workspace, readers):
    events = [
        EventRecord(line=n, title=f"Meetup {n}", starts_at=datetime(2026, 5, n, 18, tzinfo=UTC))
        for n in range(1, 26)
    ]
    result = load(workspace, events, batch_size=10)
    assert readers == []
    assert result.created == 25


def test_a_cleaned_record_travels_whole():
    record = person(
        7,
        "Ana",
        emails=["ana@example.org"],
        tags=["Donor"],
        external_ids={"linkedin": "https://www.linkedin.com/in/ana/", "vcard-uid": "u-1"},
    )
    incoming = clean_person(record, lambda line, message: None)
    incoming.event_slot, incoming.person_id, incoming.keys = -1, 4, [("e", "", "ana@example.org")]
    assert pickle.loads(pickle.dumps(incoming)) == incoming  # noqa: S301 (made just above)


def test_the_reader_leaves_ctrl_c_to_the_import_and_stops_when_told(workspace, tmp_path):
    # Forked from the worker, the reader inherits its graceful-shutdown handlers; they
    # must not run there (the import stops the reader with SIGTERM).
    seen = tmp_path / "signals"

    def records() -> Iterator[PersonRecord]:
        for n, record in enumerate(people(15)):
            if n == 12:  # read in the reader process
                handlers = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
                seen.write_text(repr(handlers == (signal.SIG_IGN, signal.SIG_DFL)))
            yield record

    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        _stream(workspace, records())
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen.read_text() == "True"
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN  # this process's own


def test_problems_found_before_the_parser_gives_up_are_named_with_its_error(workspace):
    records = people(25)
    records[12].emails = ["not-an-address"]
    stream = _then_failing(records, ParseError("unclosed quote", line=40, field="Notes"))
    with pytest.raises(ImportFailed) as failure:
        _stream(workspace, stream)
    error = failure.value
    assert (error.line, error.field) == (14, "email")
    assert error.message.endswith(
        "1 more record has a problem too: line 40, field “Notes”: unclosed quote."
    )
