"""The one loader every import goes through: records in, rows out, all or nothing.

`import_records` is shared by the web upload, the background task and the `import`
command. It runs in one transaction — any bad record rolls everything back and the
error names its line and field — and consumes the records in batches (`BATCH_SIZE`),
each loaded with a fixed number of queries whatever its size, so a file of any length
streams through in flat memory. The batches come cleaned from `prepare` (for a long
file, by a reader process on the other CPU). See `result` for what the counts mean and
`dedupe` for how records find existing rows.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection, transaction

from followthrough.exchange.formats.records import ParseError, Record
from followthrough.exchange.imports.event_writer import (
    load_attendances,
    load_events,
    refresh_relationships,
)
from followthrough.exchange.imports.organization_writer import load_organization_records
from followthrough.exchange.imports.person_writer import PeopleBatch
from followthrough.exchange.imports.prepare import Prepared, Problem, Target, prepared_batches
from followthrough.exchange.imports.result import (
    PREVIEW_ROWS,
    Action,
    ImportFailed,
    ImportResult,
    ImportSource,
    PreviewRow,
)
from followthrough.exchange.imports.run import ImportRun
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.matching.index import refresh as partners_refresh
from followthrough.people.search_schema import catch_up as search_catch_up

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.events.models import Event
    from followthrough.workspaces.models import Workspace

BATCH_SIZE = 1_000
KEPT_PROBLEMS = 50  # problems of a failed import kept in its result (all are counted)
SHOWN_PROBLEMS = 5  # named in its message after the first
IMPORT_LOCK = 0x1F0E  # the advisory lock class of imports on PostgreSQL
Progress = Callable[[ImportResult], None]


def import_records(
    *,
    workspace: Workspace,
    records: Iterable[Record],
    source: ImportSource,
    actor: User | None = None,
    event: Event | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import records into `workspace` and return what happened.

    All or nothing: on bad input raises `ImportFailed` (line, field, message, and the
    counts so far in `.result`) and nothing is saved — not even the `ImportBatch`. A
    file that yields no person, organization or event to create, update or match is
    refused the same way. `dry_run` does everything, then rolls back: the preview.
    `event` is the event attendee rows (and, when given, person rows) are attendees of.
    `progress` is called after each batch with the counts so far. `batch`: an existing
    pending ImportBatch (a web import queued earlier) to record the import on, instead
    of a new one.
    Cost: per batch of `batch_size` records, a fixed number of queries; memory holds
    one batch plus ids of the rows created.
    """
    result = ImportResult(source=source, dry_run=dry_run)
    if event is not None and event.workspace_id != workspace.pk:
        raise ImportFailed("That event is not in this workspace.", result=result)
    run: ImportRun | None = None
    try:
        with (
            transaction.atomic(),
            collector_paused(),
            prepared_batches(
                records, batch_size, Target(workspace.slug, event is not None)
            ) as batches,
        ):
            run = _start(workspace, source, actor, event, dry_run, result, batch)
            for prepared in batches:
                _load_batch(run, prepared)
                if progress is not None:
                    progress(result)
            if result.errors:
                raise _refused(result)
            _finish(run)
            if dry_run:
                transaction.set_rollback(True)
            else:  # the rows just written, searchable from the commit on
                search_catch_up(connection)
    except ParseError as error:  # the parser's: the rest of the file cannot be read
        _discard(run)
        _note_problems(result, [(error.line, error.field, error.message)])
        raise _refused(result) from error
    except DatabaseError as error:
        _discard(run)
        first, last = run.lines if run is not None else (None, None)
        where = f" in lines {first} to {last}" if first is not None else ""
        result.errors.append((first, "", str(error)))
        raise ImportFailed(
            f"the database refused a row{where} ({error})", line=first, result=result
        ) from error
    except ImportFailed as error:
        _discard(run)
        if not result.errors:
            result.errors.append((error.line, error.field, error.message))
        raise
    except BaseException:
        _discard(run)
        raise
    if dry_run:
        result.batch_id = None
    else:
        # The partner scores of new or changed organizations, computed here (in the
        # worker or the command) rather than by whoever opens a page next.
        partners_refresh(workspace=workspace)
    return result


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while an import runs.

    An import allocates millions of small objects that live until their batch is
    written, so the collector's generation-2 passes walk an ever larger heap for nothing
    (it found no cycles to free): measured, a third of the CPU of a 100,000-row import.
    Reference counting still frees everything as usual; the collector resumes after.
    Process-wide, so concurrent imports in one process each re-enable only what they
    found enabled.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _start(
    workspace: Workspace,
    source: ImportSource,
    actor: User | None,
    event: Event | None,
    dry_run: bool,
    result: ImportResult,
    pending: ImportBatch | None = None,
) -> ImportRun:
    if connection.vendor == "postgresql":
        # One import at a time per workspace (SQLite has one writer anyway): two imports
        # of the same file at once would otherwise both create its new people.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, workspace.pk])
    # The first write of the transaction: from here on SQLite's write lock is ours.
    if pending is not None:
        ImportBatch.objects.filter(pk=pending.pk).update(status=ImportStatus.RUNNING)
        batch = pending
    else:
        batch = ImportBatch.objects.create(
            workspace=workspace,
            format=source.format[:20],
            filename=source.filename[:255],
            created_by=actor,
            status=ImportStatus.RUNNING,
        )
    result.batch_id = batch.pk
    return ImportRun(
        workspace=workspace,
        batch_id=batch.pk,
        result=result,
        actor_id=actor.pk if actor is not None else None,
        event=event,
        dry_run=dry_run,
        now=batch.created_at,
    )


def _discard(run: ImportRun | None) -> None:
    if run is not None:
        run.discard_files()


def _load_batch(run: ImportRun, batch: Prepared) -> None:
    """Load one prepared batch: organizations first (people may point at them), then
    events, then people and attendees, then attendance and the relationships it moves."""
    run.lines = batch.lines
    result = run.result
    result.read += batch.read
    if batch.problems or result.errors:
        # The import will fail: nothing more is written, the rest of the file is only
        # read for its problems, so the failure names them all.
        _note_problems(result, batch.problems)
        return
    for line, message in batch.warnings:
        run.warn(line, message)
    incomings = batch.incomings
    rows = load_organization_records(run, batch.organizations)
    event_ids, event_rows = load_events(run, batch.events)
    rows += event_rows
    people = PeopleBatch(run, incomings, event_ids)
    people.load()
    met = load_attendances(run, [i for i in incomings if i.event_slot is not None], event_ids)
    refresh_relationships(run, met, people.retag)
    for action in [row.action for row in rows] + [i.action for i in incomings]:
        result.count(Action(action))
    if len(result.preview) < PREVIEW_ROWS:
        rows += [PreviewRow(i.line, i.kind, i.label, i.action, i.person_id) for i in incomings]
        result.preview += sorted(rows, key=lambda r: r.line)[: PREVIEW_ROWS - len(result.preview)]
    run.flush_provenance()


def _note_problems(result: ImportResult, problems: list[Problem]) -> None:
    """Keep the first `KEPT_PROBLEMS` problems of the file, and count them all."""
    result.errors_total += len(problems)
    result.errors += problems[: max(KEPT_PROBLEMS - len(result.errors), 0)]


def _refused(result: ImportResult) -> ImportFailed:
    """The failure of an import whose records had problems: the first one, with its
    line and field, then how many more there are and where (the first few)."""
    line, field, message = result.errors[0]
    more = result.errors_total - 1
    if more:
        shown = "; ".join(_located(*problem) for problem in result.errors[1 : SHOWN_PROBLEMS + 1])
        rest = more - min(SHOWN_PROBLEMS, len(result.errors) - 1)
        records = "record has a problem" if more == 1 else "records have problems"
        tail = f"; and {rest:,} more" if rest else ""
        message = f"{message.rstrip('.')}. {more:,} more {records} too: {shown}{tail}."
    return ImportFailed(message, line=line, field=field, result=result)


def _located(line: int | None, field: str, message: str) -> str:
    """A problem in the words a `ParseError` uses ("line 9, field “Email”: …")."""
    return str(ParseError(message, line=line, field=field)).rstrip(".")


def _finish(run: ImportRun) -> None:
    """Refuse a file that gave nothing, then record the batch as done."""
    result = run.result
    if not (result.created or result.updated or result.merged or result.skipped):
        if result.read:
            message = (
                f"none of the file's {result.read:,} records had anything to import "
                "(each lacked a name and an e-mail address)"
            )
        else:
            message = "the file holds no records to import"
        raise ImportFailed(message, result=result)
    ImportBatch.objects.filter(pk=run.batch_id).update(
        status=ImportStatus.DONE, counts=result.as_counts()
    )
