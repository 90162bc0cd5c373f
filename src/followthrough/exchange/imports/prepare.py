"""The half of an import that needs no database: records read and cleaned, in batches.

`prepared_batches` turns the parser's records into `Prepared` batches — the records
sorted by kind and each person or attendee cleaned into an `Incoming` with its dedupe
keys, and the warnings cleaning gave. The loader (`exchange.imports.loader`) writes them.

A long file is read by a second process: the machine's other CPU parses and cleans the
next batch while this one writes the current batch, which takes about a fifth off a
large import (bench/README.md). The first batch is always prepared here, so a file of up to one
batch never starts a process; the rest moves to a forked reader only when

- the platform forks (Linux) and this is the main thread, so no lock of another
  thread's work can be caught mid-way in the copy: the web server's request threads
  prepare in-line; the CLI and the worker (whose only other thread just watches its
  parent) fork, and
- the first batch carried no events: an event's time zone may be one only its parser
  knows, which cannot be sent between processes (calendars are read in-line).

The reader only parses and cleans: it never touches the database connection it was
forked with, and leaves with `os._exit`. It dies with the importing process, even one
killed outright (SIGKILL): on Linux the kernel sends it SIGKILL when its parent goes
(`PR_SET_PDEATHSIG`); elsewhere it stops at the next batch, when the pipe is gone.
Errors come back as they are: a `ParseError` with its line and field (the parser's: a
record's own problems travel in its batch), anything else re-raised here.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from followthrough.exchange.formats.own_uids import pop_own_id
from followthrough.exchange.formats.records import (
    AttendeeRecord,
    EventRecord,
    OrganizationRecord,
    ParseError,
    PersonRecord,
    Record,
    RowProblem,
    SkippedRecord,
)
from followthrough.exchange.imports.clean import clean_attendee, clean_person
from followthrough.exchange.imports.dedupe import record_keys
from followthrough.exchange.imports.incoming import Incoming

# Whether long imports may use a reader process at all (tests switch it off and on).
READER_PROCESS = hasattr(os, "fork")


@dataclass(frozen=True)
class Target:
    """What the batches are prepared for: the workspace's slug (its own export's UIDs
    name rows by id, `own_uids`) and whether the import was given an event (attendee
    rows need one; person rows attend it)."""

    slug: str
    has_event: bool = False


# A record's problem: (line, field, message), as `ParseError` has them.
Problem = tuple[int | None, str, str]


@dataclass(slots=True)
class Prepared:
    """One batch, cleaned: what the loader writes — unless a record of it could not be
    read (`problems`), when the import will fail and the loader only collects them."""

    read: int = 0  # records read, an event's attendees included
    lines: tuple[int | None, int | None] = (None, None)
    organizations: list[OrganizationRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    incomings: list[Incoming] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)  # by the parser, on purpose
    cancels: list[SkippedRecord] = field(default_factory=list)  # iTIP cancellations by UID


def prepare(records: list[Record], target: Target) -> Prepared:
    """Sort a batch's records by kind, clean its people and attendees and work out
    their dedupe keys (`dedupe.record_keys`). A record that cannot be imported (a bad
    e-mail address, say) is a problem of the batch, and the rest are still read, so one
    failed import names every bad record of the file, not only the first."""
    batch = Prepared(lines=(records[0].line, records[-1].line))
    warn = _collector(batch.warnings)
    for record in records:
        batch.read += 1
        if isinstance(record, RowProblem):  # a row the parser could not read
            batch.problems.append((record.line, record.field, record.message))
            continue
        if isinstance(record, SkippedRecord):  # left out on purpose: said, not failed
            if record.cancels:
                batch.cancels.append(record)  # the loader says what it cancelled
            else:
                warn(record.line, record.message)
                batch.skipped.append(record)
            continue
        try:
            _sort(batch, record, warn, target.has_event)
        except ParseError as error:
            batch.problems.append((error.line, error.field, error.message))
    for incoming in batch.incomings:
        if incoming.external_ids:
            incoming.own_id = pop_own_id(incoming.external_ids, target.slug)
        record_keys(incoming)
    return batch


def _collector(warnings: list[tuple[int | None, str]]) -> Any:
    def warn(line: int | None, message: str) -> None:
        warnings.append((line, message))

    return warn


def _sort(batch: Prepared, record: Record, warn: Any, has_event: bool) -> None:
    if isinstance(record, PersonRecord):
        incoming = clean_person(record, warn)
        if has_event:
            incoming.event_slot, incoming.rsvp = -1, "unknown"
        batch.incomings.append(incoming)
    elif isinstance(record, OrganizationRecord):
        batch.organizations.append(record)
    elif isinstance(record, EventRecord):
        batch.events.append(record)
        batch.read += len(record.attendees)
        slot = len(batch.events) - 1
        batch.incomings += [clean_attendee(a, warn, event_slot=slot) for a in record.attendees]
    elif isinstance(record, AttendeeRecord):
        if not has_event:
            raise ParseError(
                "attendee rows need an event to attend: choose one (--event ID)",
                line=record.line,
                field="event",
            )
        batch.incomings.append(clean_attendee(record, warn, event_slot=-1))
    else:
        raise ParseError(f"not a record the loader knows: {type(record).__name__}")


@contextlib.contextmanager
def prepared_batches(
    records: Iterable[Record], size: int, target: Target
) -> Iterator[Iterator[Prepared]]:
    """The records as prepared batches of `size`; the first prepared here, the rest by a
    reader process when worth it (see the module's docstring). Leaving the block stops
    the reader, whatever happened."""
    iterator = iter(records)
    reader: _Reader | None = None

    def batches() -> Iterator[Prepared]:
        nonlocal reader
        first = list(itertools.islice(iterator, size))
        if not first:
            return
        batch = prepare(first, target)
        try:
            following = list(itertools.islice(iterator, 1))
        except Exception:
            yield batch  # the parser's error after the first batch: raised once it loads
            raise
        if not following:
            yield batch
            return
        rest = itertools.chain(following, iterator)
        if _may_fork() and not batch.events:
            # Forked before the first batch loads: the reader starts on the second at
            # once, and copies less of this process's memory (it grows as batches load).
            reader = _Reader(rest, size, target)
            yield batch
            yield from reader
        else:
            yield batch
            yield from _inline(rest, size, target)

    try:
        yield batches()
    finally:
        if reader is not None:
            reader.stop()


def _inline(iterator: Iterator[Record], size: int, target: Target) -> Iterator[Prepared]:
    while records := list(itertools.islice(iterator, size)):
        yield prepare(records, target)


def _may_fork() -> bool:
    return READER_PROCESS and threading.current_thread() is threading.main_thread()


class _Reader:
    """A forked process that prepares the batches after the first and sends them here.
    The pipe holds about one batch, so the reader stays at most a batch or two ahead
    and memory stays flat."""

    def __init__(self, iterator: Iterator[Record], size: int, target: Target) -> None:
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_read,
            args=(iterator, size, target, send, self.receive, os.getpid()),
            daemon=True,
        )
        self.process.start()
        send.close()  # ours is the reading end only: EOF when the reader is gone

    def __iter__(self) -> Iterator[Prepared]:
        while True:
            try:
                kind, payload = self.receive.recv()
            except EOFError:
                raise RuntimeError("the process reading the file stopped unexpectedly") from None
            if kind == "done":
                return
            if kind == "batch":
                yield payload
            elif kind == "parse-error":
                message, line, field_name = payload
                raise ParseError(message, line=line, field=field_name)
            else:
                raise payload

    def stop(self) -> None:
        self.receive.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.process.close()


def _read(
    iterator: Iterator[Record],
    size: int,
    target: Target,
    send: Connection,
    receive: Connection,
    parent: int,
) -> None:
    """The reader process: prepare and send every batch, then "done" (or the error)."""
    die_with_parent(parent)
    # The reading end is the importing process's alone: held here too, the pipe would
    # never break, and a reader whose importer is gone would wait on it for ever.
    receive.close()
    # The importing process answers Ctrl-C itself and stops the reader with SIGTERM; the
    # handlers it was forked with (the worker's graceful shutdown) are not the reader's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        for batch in _inline(iterator, size, target):
            send.send(("batch", batch))
        send.send(("done", None))
    except ParseError as error:  # raised by the parser: the file cannot be read on
        send.send(("parse-error", (error.message, error.line, error.field)))
    except BrokenPipeError:
        pass  # the import stopped reading: nothing to tell
    except Exception as error:  # any other failure is re-raised by the importing process
        send.send(("error", _sendable(error)))


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this (forked) process when its parent dies (Linux), and
    leave at once if the parent is already gone — it may have died between the fork
    and the request, when the request no longer applies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the broken pipe stops it instead
            pass
    if os.getppid() != parent:
        os._exit(1)


def _sendable(error: Exception) -> Exception:
    """The error itself when it survives pickling, else a RuntimeError naming it; with
    the reader's traceback as a note, since the importing process re-raises it."""
    where = "".join(traceback.format_tb(error.__traceback__))
    error.add_note(f"Raised in the import's reader process:\n{where.rstrip()}")
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes, just made)
    except Exception:
        plain = RuntimeError(f"{type(error).__name__}: {error}")
        plain.add_note(error.__notes__[-1])
        return plain
    return error
