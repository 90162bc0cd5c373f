"""Imports whose process is gone: found, marked failed and undone, never "running" for
ever.

A worker or an `import` command killed mid-import (SIGKILL, a crash, the machine
stopping) cannot undo what its committed batches wrote; its `ImportBatch` stays
"running", naming the process (`runner`). `imports_recover_interrupted` finds those
whose process is gone, undoes what they wrote (`revert`, in short transactions) and
marks them failed, so the member sees what happened and imports the file again. It
also fails a waiting import whose queued task is gone, and finishes an undo whose
process was killed. `serve` calls it at start-up and the worker on its heartbeat; it
is safe to call from several processes at once (each batch is claimed in a
transaction first) and as often as wanted (one indexed query when there is nothing to
recover).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followthrough.exchange.imports.revert import UndoResult, abandon_batch, revert_rows
from followthrough.exchange.imports.runner import RUNNER, runner_gone, this_runner
from followthrough.exchange.imports.tasks import TOKEN, discard_upload
from followthrough.exchange.imports.undo import UNDOING, finish_undo
from followthrough.exchange.models import ImportBatch, ImportStatus

logger = logging.getLogger(__name__)

INTERRUPTED = (
    "The import was interrupted (the worker stopped) and has been undone; nothing was "
    "imported. Import the file again."
)
MAIL_INTERRUPTED = (
    "The import was interrupted (the worker stopped). The messages logged before it stay "
    "on their timelines; importing the file again skips them and logs the rest."
)
NEVER_STARTED = (
    "The import never started: its place in the worker's queue was lost. Nothing was "
    "imported. Import the file again."
)
MAIL_FORMATS = ("mbox", "eml")  # their imports keep what they logged (exchange.mailbox)
IMPORT_TASKS = (
    "followthrough.exchange.imports.tasks.import_file_task",
    "followthrough.exchange.mailbox.tasks.import_mail_task",
)
# A waiting import is given this long to be queued and picked up before its task is
# looked for (the task is queued once the request's transaction commits).
PENDING_GRACE = timedelta(minutes=5)


@dataclass
class Recovered:
    """What one recovery did: ids of the imports marked failed (and undone), of the
    waiting imports failed for a lost task, and of the undos finished."""

    failed: list[int] = field(default_factory=list)
    never_started: list[int] = field(default_factory=list)
    undone: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.failed or self.never_started or self.undone)


def imports_recover_interrupted(*, now: datetime | None = None) -> Recovered:
    """Recover every workspace's interrupted imports (see the module's docstring).
    Cost: one query for the running batches (and, with the database task queue, one
    for the waiting ones and their tasks), then an undo per batch recovered."""
    now = now or timezone.now()
    recovered = Recovered()
    running = ImportBatch.objects.filter(status=ImportStatus.RUNNING).values_list("pk", "counts")
    for pk, counts in running:
        if runner_gone(counts or {}, now=now) and _claim(pk, ImportStatus.RUNNING, RUNNER):
            _fail_interrupted(pk)
            recovered.failed.append(pk)
    undoing = ImportBatch.objects.filter(
        status=ImportStatus.DONE, counts__has_key=UNDOING
    ).values_list("pk", "counts")
    for pk, counts in undoing:
        if runner_gone({RUNNER: counts.get(UNDOING)}, now=now) and _claim(
            pk, ImportStatus.DONE, UNDOING
        ):
            _finish_undo(pk)
            recovered.undone.append(pk)
    for pk in _pending_without_task(now):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().filter(pk=pk).first()
            if batch is None or batch.status != ImportStatus.PENDING:
                continue
            batch.status, batch.error = ImportStatus.FAILED, NEVER_STARTED
            batch.save(update_fields=["status", "error"])
        _discard_upload(batch.workspace_id, batch.counts)
        recovered.never_started.append(pk)
    if recovered:
        logger.warning(
            "Recovered interrupted imports: failed %s, never started %s, undo finished %s",
            recovered.failed,
            recovered.never_started,
            recovered.undone,
        )
    return recovered


def _claim(pk: int, status: str, key: str) -> bool:
    """Make this process the batch's runner (or undoer), if it is still as found and its
    process still gone: two recoveries at once never undo one batch both."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=pk).first()
        if batch is None or batch.status != status:
            return False
        counts = batch.counts or {}
        if not runner_gone({**counts, RUNNER: counts.get(key)}):
            return False
        ImportBatch.objects.filter(pk=pk).update(counts={**counts, key: this_runner()})
    return True


def _fail_interrupted(pk: int) -> None:
    batch = ImportBatch.objects.get(pk=pk)
    counts = dict(batch.counts or {})
    if batch.format in MAIL_FORMATS:
        for key in (RUNNER, "beat"):
            counts.pop(key, None)
        ImportBatch.objects.filter(pk=pk).update(
            status=ImportStatus.FAILED, error=MAIL_INTERRUPTED, counts=counts
        )
    else:
        progress = counts.pop("progress", None) or {}
        abandon_batch(pk, error=INTERRUPTED, counts={**counts, **progress})
    _discard_upload(batch.workspace_id, counts)


def _finish_undo(pk: int) -> None:
    batch = ImportBatch.objects.get(pk=pk)
    result = UndoResult(batch_id=pk)
    revert_rows(batch, result)
    finish_undo(pk, result, by=None)


def _discard_upload(workspace_id: int, counts: dict[str, Any]) -> None:
    token = str(((counts or {}).get("job") or {}).get("token", ""))
    if TOKEN.match(token):
        discard_upload(workspace_id, token)


def _pending_without_task(now: datetime) -> list[int]:
    """Waiting imports older than `PENDING_GRACE` whose task is neither queued nor
    running (tasks the database queue holds; with another backend, none are checked).
    A task running for longer than the grace while its import still waits was taken by
    a worker that died before it began."""
    backend = str(settings.TASKS["default"]["BACKEND"])
    if not backend.startswith("django_tasks_db."):
        return []
    waiting = list(
        ImportBatch.objects.filter(
            status=ImportStatus.PENDING, created_at__lt=now - PENDING_GRACE
        ).values_list("pk", flat=True)
    )
    if not waiting:
        return []
    from django_tasks_db.models import DBTaskResult

    alive = DBTaskResult.objects.filter(task_path__in=IMPORT_TASKS).filter(
        status="READY"
    ) | DBTaskResult.objects.filter(
        task_path__in=IMPORT_TASKS, status="RUNNING", started_at__gte=now - PENDING_GRACE
    )
    queued = {
        args[0]
        for args_kwargs in alive.values_list("args_kwargs", flat=True)
        if (args := (args_kwargs or {}).get("args"))
    }
    return [pk for pk in waiting if pk not in queued]
