"""Full backups prepared in the background for download from the Export page.

Streaming a large workspace's backup from a web request held a server thread and a read
transaction for minutes per download; ten at once starved the server. Instead a member
asks for a backup, a background task writes it once to
`DATA_DIR/backups/<workspace id>/<token>.json` (the same bytes `followthrough backup`
writes: the same writer, snapshot and `write_output`), and the file is then served as
a file — with byte ranges — by `exchange.exports.backup_views`.

One backup is prepared at a time per workspace: the partial unique constraint on
`BackupDownload` turns a second request into the one already under way. A new backup
replaces the workspace's previous one when it is ready; a backup is kept `BACKUP_TTL`,
then deleted by `backup_files_discard` (run on every request for a backup, by
`followthrough serve` at start and hourly by the worker).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from followthrough.exchange.backup.writer import backup_chunks
from followthrough.exchange.exports.output import write_output
from followthrough.exchange.exports.streaming import snapshot_chunks
from followthrough.exchange.models import BackupDownload, BackupStatus
from followthrough.workspaces.models import Workspace

logger = logging.getLogger(__name__)

BACKUP_TTL = timedelta(hours=24)
# A preparation whose file has not grown for this long lost its worker (killed, restarted):
# it no longer blocks the next request.
STALLED_AFTER = timedelta(minutes=10)


def backups_root() -> Path:
    return Path(settings.DATA_DIR) / "backups"


def backup_path(download: BackupDownload) -> Path:
    return backups_root() / str(download.workspace_id) / f"{download.token}.json"


def expires_at(download: BackupDownload) -> datetime | None:
    return download.finished_at + BACKUP_TTL if download.finished_at else None


def _partial_files(download: BackupDownload) -> list[Path]:
    """The file `write_output` is writing (`.<token>.json.<random>.partial`), if any."""
    final = backup_path(download)
    return list(final.parent.glob(f".{final.name}.*.partial"))


def bytes_written(download: BackupDownload) -> int:
    """How much of a backup being prepared is written so far (its partial file's size)."""
    sizes = []
    for path in _partial_files(download):
        with contextlib.suppress(OSError):
            sizes.append(path.stat().st_size)
    return max(sizes, default=0)


def _stalled(download: BackupDownload, now: datetime) -> bool:
    if download.started_at is None:  # still queued: the worker may be busy with an import
        return now - download.created_at > BACKUP_TTL
    last = download.started_at.timestamp()
    for path in _partial_files(download):
        with contextlib.suppress(OSError):
            last = max(last, path.stat().st_mtime)
    return now.timestamp() - last > STALLED_AFTER.total_seconds()


def backup_download_request(*, workspace: Workspace, user: Any) -> tuple[BackupDownload, bool]:
    """Ask for a fresh backup of the workspace: (the backup being prepared, True when this
    call queued it). While one is being prepared, that one is returned (False), whoever
    asked for it. The task is queued when the caller's transaction commits."""
    backup_files_discard()
    now = timezone.now()
    with transaction.atomic():
        current = _preparing(workspace)
        if current is not None and _stalled(current, now):
            _fail(current, "The backup stopped before it was finished (the worker ended).")
        try:
            with transaction.atomic():
                download = BackupDownload.objects.create(
                    workspace=workspace,
                    token=secrets.token_urlsafe(24),
                    requested_by=user if getattr(user, "is_authenticated", False) else None,
                )
        except IntegrityError:
            # Another request won the race since our read: show the one it queued.
            existing = _preparing(workspace)
            if existing is None:
                raise
            return existing, False
    transaction.on_commit(lambda: prepare_backup_task.enqueue(download.pk))
    return download, True


def _preparing(workspace: Workspace) -> BackupDownload | None:
    return BackupDownload.objects.filter(workspace=workspace, status=BackupStatus.PREPARING).first()


def _fail(download: BackupDownload, error: str) -> None:
    BackupDownload.objects.filter(pk=download.pk).update(
        status=BackupStatus.FAILED, error=error, finished_at=timezone.now()
    )
    for path in _partial_files(download):
        path.unlink(missing_ok=True)


def backup_download_prepare(download_id: int) -> None:
    """Write the backup a queued `BackupDownload` stands for, then mark it ready and
    delete the workspace's older backups. Quiet when the row is gone or not queued."""
    download = (
        BackupDownload.objects.select_related("workspace")
        .filter(pk=download_id, status=BackupStatus.PREPARING)
        .first()
    )
    if download is None:
        return
    BackupDownload.objects.filter(pk=download.pk).update(started_at=timezone.now())
    target = backup_path(download)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        chunks = snapshot_chunks(backup_chunks(workspace=download.workspace))
        written = write_output(chunks, path=str(target))
    except Exception:
        logger.exception("Preparing backup %s failed", download.pk)
        _fail(download, "The backup could not be written; try again, or ask your administrator.")
        return
    finished = BackupDownload.objects.filter(pk=download.pk, status=BackupStatus.PREPARING).update(
        status=BackupStatus.READY, size=written.size, finished_at=timezone.now()
    )
    if not finished:  # given up as stalled meanwhile: nobody will ask for this file
        target.unlink(missing_ok=True)
        return
    older = BackupDownload.objects.filter(
        workspace_id=download.workspace_id, created_at__lt=download.created_at
    ).exclude(status=BackupStatus.PREPARING)
    _delete(list(older))


@task()
def prepare_backup_task(download_id: int) -> None:
    """The background half: write the queued backup; quiet when it is gone or done."""
    backup_download_prepare(download_id)


def _delete(downloads: list[BackupDownload]) -> None:
    # Rows first: a download under way keeps its open file (POSIX), a new one finds no row.
    BackupDownload.objects.filter(pk__in=[d.pk for d in downloads]).delete()
    for download in downloads:
        backup_path(download).unlink(missing_ok=True)


def backup_download_current(*, workspace: Workspace) -> BackupDownload | None:
    """The workspace's newest backup for the Export page: being prepared, ready (and not
    expired) or failed; None when there is none."""
    download = BackupDownload.objects.filter(workspace=workspace).order_by("-created_at").first()
    if download is None:
        return None
    if download.status == BackupStatus.READY and not _downloadable(download):
        return None
    return download


def backup_download_ready(*, workspace: Workspace, token: str) -> BackupDownload | None:
    """The workspace's ready, unexpired backup with this token whose file is there."""
    download = BackupDownload.objects.filter(
        workspace=workspace, token=token, status=BackupStatus.READY
    ).first()
    return download if download is not None and _downloadable(download) else None


def _downloadable(download: BackupDownload) -> bool:
    expiry = expires_at(download)
    return expiry is not None and expiry > timezone.now() and backup_path(download).is_file()


@dataclass(frozen=True)
class BackupCleanup:
    backups: int = 0  # backups forgotten (row and file)
    files: int = 0  # files deleted, leftovers with no backup to go with included


def backup_files_discard(*, now: datetime | None = None) -> BackupCleanup:
    """Delete backups older than `BACKUP_TTL` (and failed ones as old), then any file under
    the backups folder that belongs to no backup still kept (a worker killed mid-way
    leaves a partial file). Cost: one query, one directory listing per workspace."""
    cutoff = (now or timezone.now()) - BACKUP_TTL
    expired = list(
        BackupDownload.objects.filter(
            Q(status=BackupStatus.READY, finished_at__lt=cutoff)
            | Q(status=BackupStatus.FAILED, created_at__lt=cutoff)
        )
    )
    _delete(expired)
    kept = set(BackupDownload.objects.values_list("token", flat=True))
    files = 0
    for folder in _workspace_folders():
        for entry in _entries(folder):
            token = entry.name.lstrip(".").partition(".")[0]
            if token in kept:
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                files += 1
    return BackupCleanup(len(expired), files)


def _workspace_folders() -> list[str]:
    try:
        return [e.path for e in os.scandir(backups_root()) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _entries(folder: str) -> list[os.DirEntry]:
    try:
        return [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except OSError:
        return []


def backup_files_tick(previous: Any) -> Any:
    """The worker's periodic job: `backup_files_discard` about once an hour. `previous` is
    when it last ran (monotonic seconds), which the worker hands back each tick."""
    if previous is not None and time.monotonic() - previous < 3600:
        return previous
    backup_files_discard()
    return time.monotonic()
