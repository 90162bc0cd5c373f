"""The one loader every import goes through: records in, rows out, all or nothing.

`import_records` is shared by the web upload, the background task and the `import`
command. It consumes the records in batches (`BATCH_SIZE`), each loaded with a fixed
number of queries whatever its size and written in its own short transaction, so a
file of any length streams through in flat memory while the app keeps serving writes
between batches. It stays all or nothing for the user: any bad record (the error names
its line and field), or any other failure, undoes what the batches before wrote through
the import's provenance. The batches come cleaned from `prepare` (for a long
file, by a reader process on the other CPU). See `result` for what the counts mean and
`dedupe` for how records find existing rows.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection, transaction

from followthrough.exchange.formats.records import ParseError, Record
from followthrough.exchange.imports.event_writer import (
    cancel_events,
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
from followthrough.exchange.imports.revert import abandon_batch
from followthrough.exchange.imports.run import ImportRun
from followthrough.exchange.imports.runner import BEAT, RUNNER, beat, this_runner
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.matching.index import refresh as partners_refresh
from followthrough.people.search_schema import catch_up as search_catch_up

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.events.models import Event
    from followthrough.workspaces.models import Workspace

logger = logging.getLogger(__name__)
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

    All or nothing for the user, in short transactions for everyone else: each batch of
    `batch_size` records is written, with its provenance, in its own transaction, so
    other requests write between two batches; the `ImportBatch` is "running" meanwhile,
    naming the process that runs it (`runner`). On bad input (`ImportFailed`: line,
    field, message, and the counts so far in `.result`) — or any other failure,
    Ctrl-C and SIGTERM included — what the batches before wrote is undone through the
    provenance (`undo.undo_rows`, in short transactions too) and the batch is marked
    failed ("… Nothing was imported."); a batch this call created is deleted instead,
    so nothing is left, not even the `ImportBatch`. A process killed outright leaves
    its batch running: `recovery.imports_recover_interrupted` finds and undoes it.
    A file that yields no person, organization or event to create, update or match is
    refused the same way. `dry_run` does everything, each batch's transaction rolled
    back: the preview (see `_DRY_RUN`). `event` is the event attendee rows (and, when
    given, person rows) are attendees of. `progress` is called after each batch with
    the counts so far. `batch`: an existing pending ImportBatch (a web import queued
    earlier) to record the import on, instead of a new one.
    Cost: per batch of `batch_size` records, a fixed number of queries; memory holds
    one batch plus ids of the rows created.
    """
    result = ImportResult(source=source, dry_run=dry_run)
    if event is not None and event.workspace_id != workspace.pk:
        raise ImportFailed("That event is not in this workspace.", result=result)
    with one_import_at_a_time(workspace):
        _import(workspace, records, result, actor, event, progress, batch_size, batch)
    if dry_run:
        result.batch_id = None
    else:
        # The partner scores of new or changed organizations, computed here (in the
        # worker or the command) rather than by whoever opens a page next.
        partners_refresh(workspace=workspace)
    return result


def _import(
    workspace: Workspace,
    records: Iterable[Record],
    result: ImportResult,
    actor: User | None,
    event: Event | None,
    progress: Progress | None,
    batch_size: int,
    batch: ImportBatch | None,
) -> None:
    """`import_records` once it holds the workspace's import lock: the batches, and on
    any failure the undo of what they wrote."""
    source, dry_run = result.source, result.dry_run
    run: ImportRun | None = None
    try:
        with (
            collector_paused(),
            prepared_batches(
                records, batch_size, Target(workspace.slug, event is not None)
            ) as batches,
        ):
            run = _start(workspace, source, actor, event, dry_run, result, batch)
            for prepared in batches:
                _write_batch(run, prepared)
                if progress is not None:
                    progress(result)
            if result.errors:
                raise _refused(result)
            _finish(run)
    except ParseError as error:  # the parser's: the rest of the file cannot be read
        _note_problems(result, [(error.line, error.field, error.message)])
        failure = _refused(result)
        _abandon(run, str(failure), own=batch is None)
        raise failure from error
    except DatabaseError as error:
        first, last = run.lines if run is not None else (None, None)
        where = f" in lines {first} to {last}" if first is not None else ""
        result.errors.append((first, "", str(error)))
        failure = ImportFailed(
            f"the database refused a row{where} ({error})", line=first, result=result
        )
        _abandon(run, str(failure), own=batch is None)
        raise failure from error
    except ImportFailed as error:
        if not result.errors:
            result.errors.append((error.line, error.field, error.message))
        _abandon(run, str(error), own=batch is None)
        raise
    except BaseException:
        _abandon(run, UNEXPECTED, own=batch is None)
        raise


# The dry run (the preview) writes each batch as the import would and rolls it back at
# once, so it never holds SQLite's write lock for longer than one batch either. What it
# cannot see is what an earlier batch of the same file would have written: a record
# repeating one a batch or more before it is previewed as a new row, where the import
# merges it (the counts of such files differ by those repeats; problems, warnings and
# the first rows are the import's own).
_DRY_RUN = "per batch, rolled back"
UNEXPECTED = "The import failed unexpectedly; nothing was imported."


def _write_batch(run: ImportRun, prepared: Prepared) -> None:
    """One batch in its own short transaction (rolled back in a dry run), the search
    index caught up with it in the same one; then a pause that lets waiting writers in."""
    with run.gaps.turn():
        if not run.dry_run:
            run.writer.fresh_ids()
        _load_batch(run, prepared)
        if run.dry_run:
            transaction.set_rollback(True)
        else:
            _beat(run)
            search_catch_up(connection)


@contextlib.contextmanager
def one_import_at_a_time(workspace: Workspace) -> Iterator[None]:
    """On PostgreSQL, one import at a time per workspace (SQLite has one writer anyway):
    two imports of the same file at once would otherwise both create its new people.
    A session lock, held from the first batch to the last (and the undo of a failed
    import) without holding a transaction open."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [IMPORT_LOCK, workspace.pk])
    try:
        yield
    finally:
        # A connection lost meanwhile took the lock with it.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [IMPORT_LOCK, workspace.pk])


def _beat(run: ImportRun) -> None:
    """Show the batch's progress on the running `ImportBatch` (and that its runner is
    alive): in the same transaction as the batch's rows."""
    ImportBatch.objects.filter(pk=run.batch_id).update(
        counts={**run.counts, "progress": run.result.totals(), BEAT: beat()}
    )


def _abandon(run: ImportRun | None, message: str, *, own: bool) -> None:
    """Undo what a failed import wrote and record it failed (or, for a batch this call
    created, delete it): the user sees nothing imported. If this is itself interrupted,
    the batch stays running and recovery finishes the job; if the undo fails (the
    database unreachable, say), the batch is left to recovery at once, which tries
    again on the worker's next heartbeat."""
    if run is None:
        return
    run.discard_files()
    if run.dry_run:
        return
    error = message if message == UNEXPECTED else message.rstrip(".") + ". Nothing was imported."
    counts = {**run.counts, **run.result.totals()}
    try:
        abandon_batch(run.batch_id, error=error, counts=counts, delete=own)
    except Exception:
        logger.exception("Undoing the failed import #%s failed; recovery will", run.batch_id)
        with contextlib.suppress(Exception):
            ImportBatch.objects.filter(pk=run.batch_id).update(
                counts={k: v for k, v in run.counts.items() if k != RUNNER}
            )


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
    """The batch the import is recorded on, "running" and naming this process, in a
    transaction of its own (none in a dry run: nothing of it is kept)."""
    counts: dict[str, Any] = {}
    with transaction.atomic():
        if pending is not None:
            counts = {**(pending.counts or {}), RUNNER: this_runner(), BEAT: beat()}
            ImportBatch.objects.filter(pk=pending.pk).update(
                status=ImportStatus.RUNNING, counts=counts
            )
            batch = pending
        else:
            counts = {RUNNER: this_runner(), BEAT: beat()}
            batch = ImportBatch.objects.create(
                workspace=workspace,
                format=source.format[:20],
                filename=source.filename[:255],
                created_by=actor,
                status=ImportStatus.RUNNING,
                counts=counts,
            )
        if dry_run:
            transaction.set_rollback(True)
    result.batch_id = batch.pk
    return ImportRun(
        workspace=workspace,
        batch_id=batch.pk,
        result=result,
        actor_id=actor.pk if actor is not None else None,
        event=event,
        dry_run=dry_run,
        now=batch.created_at,
        counts=counts,
    )


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
    rows += [PreviewRow(s.line, s.kind, s.label, Action.SKIPPED) for s in batch.skipped]
    rows += cancel_events(run, batch.cancels) if batch.cancels else []
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
    with transaction.atomic():
        counts = result.as_counts()
        if "job" in run.counts:
            counts["job"] = run.counts["job"]
        ImportBatch.objects.filter(pk=run.batch_id).update(status=ImportStatus.DONE, counts=counts)
