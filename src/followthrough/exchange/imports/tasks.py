"""Web imports: the uploaded file kept until it is imported, and the background task.

An upload is kept under `MEDIA_ROOT/imports/<workspace id>/<token>.upload`, with the
choices made on the form beside it in `<token>.json`; the token is random, so only the
member who uploaded it (and saw the preview) can name it. The batch created when the
member confirms keeps the token in `counts["job"]`. While the import runs, its progress
goes to `<token>.progress.json` (with the bytes read, which the database does not
know), and the status page reads it from there; the running batch shows its counts so
far too (`counts["progress"]`, written with each batch). A
large upload's preview runs in the background too (`exchange.imports.preview`): it writes its
progress to the same file and its outcome to `<token>.preview.json`.
Upload, options, progress and preview are deleted once the import has finished or
failed; an upload nobody confirmed is deleted by `discard_stale_uploads` once it is
older than `IMPORT_UPLOAD_TTL_HOURS` (on the next upload, or by
`followthrough import_cleanup`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django_tasks import task

from followthrough.events.models import Event
from followthrough.exchange.formats import registry
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportFailed, ImportResult, ImportSource
from followthrough.exchange.imports.runner import BEAT, RUNNER, beat, this_runner
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.workspaces.models import Workspace

logger = logging.getLogger(__name__)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Called after each batch of an import with its counts so far, bytes read, file size.
FileProgress = Callable[[ImportResult, int, int], None]


def _folder(workspace_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(workspace_id)


def upload_path(workspace_id: int, token: str) -> Path:
    if not TOKEN.match(token):
        raise ValueError("Not an upload token.")
    return _folder(workspace_id) / f"{token}.upload"


def _options_path(workspace_id: int, token: str) -> Path:
    return upload_path(workspace_id, token).with_suffix(".json")


def _progress_path(workspace_id: int, token: str) -> Path:
    return upload_path(workspace_id, token).with_suffix(".progress.json")


def preview_path(workspace_id: int, token: str) -> Path:
    """Where the background preview of an upload keeps its outcome (`exchange.imports.preview`)."""
    return upload_path(workspace_id, token).with_suffix(".preview.json")


def store_upload(workspace: Workspace, upload: UploadedFile, options: dict[str, Any]) -> str:
    """Keep the upload and its options; return the token that names them. Uploads left
    behind (previewed, never imported) are cleared out first, so they cannot pile up
    even where nobody runs `followthrough import_cleanup`."""
    discard_stale_uploads()
    folder = _folder(workspace.pk)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    with upload_path(workspace.pk, token).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    options = {**options, "filename": upload.name or "upload", "size": upload.size}
    _options_path(workspace.pk, token).write_text(json.dumps(options), encoding="utf-8")
    return token


def import_queue(
    *,
    workspace: Workspace,
    fmt: str,
    filename: str,
    token: str,
    size: int,
    actor: Any,
    run: Callable[[int], Any],
) -> ImportBatch:
    """Record a pending import of a kept upload and have the worker `run(batch id)` once
    this transaction commits (the import's status page follows it)."""
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format=fmt[:20],
        filename=(filename or "upload")[:255],
        created_by=actor,
        status=ImportStatus.PENDING,
        counts={"job": {"token": token, "size": size}},
    )
    transaction.on_commit(lambda: run(batch.pk))
    return batch


def upload_options(workspace: Workspace, token: str) -> dict[str, Any] | None:
    """The options of a kept upload of this workspace, or None (bad or stale token)."""
    try:
        path = _options_path(workspace.pk, token)
        if not upload_path(workspace.pk, token).is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None


def update_upload_options(workspace: Workspace, token: str, **changes: Any) -> bool:
    """Change options of a kept upload (the column mapping chosen after the upload);
    False when the upload is gone. The file is replaced whole, so a concurrent reader
    sees the old options or the new, never half of them."""
    options = upload_options(workspace, token)
    if options is None:
        return False
    write_json_atomically(_options_path(workspace.pk, token), {**options, **changes})
    return True


def discard_upload(workspace_id: int, token: str) -> None:
    for path in (
        upload_path(workspace_id, token),
        _options_path(workspace_id, token),
        _progress_path(workspace_id, token),
        preview_path(workspace_id, token),
    ):
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class UploadCleanup:
    uploads: int = 0  # kept uploads deleted (each with its options, progress, preview)
    size: int = 0  # bytes freed


def upload_ttl() -> timedelta:
    """How long an upload nobody imports is kept: `IMPORT_UPLOAD_TTL_HOURS`, but at least
    an hour, so a setting of 0 cannot delete the file a member is previewing right now."""
    return timedelta(hours=max(1, settings.IMPORT_UPLOAD_TTL_HOURS))


def discard_stale_uploads(*, older_than: timedelta | None = None) -> UploadCleanup:
    """Delete the kept uploads of every workspace whose files were all last written more
    than `older_than` ago (default `upload_ttl()`) and that no waiting or running import
    refers to: an upload's age is that of its newest file, so choosing the columns again
    keeps it. A file that vanishes meanwhile (another cleanup, an import ending) is no
    error. Cost: one directory listing per workspace that has uploads, one query."""
    cutoff = time.time() - (upload_ttl() if older_than is None else older_than).total_seconds()
    in_use = _uploads_in_use()
    uploads = size = 0
    for workspace_id, folder in _upload_folders():
        for token, files in _files_by_token(folder).items():
            if (workspace_id, token) in in_use or max(s.st_mtime for _, s in files) > cutoff:
                continue
            freed = [stat.st_size for path, stat in files if _unlink(path)]
            uploads += bool(freed)
            size += sum(freed)
    return UploadCleanup(uploads, size)


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True


def _uploads_in_use() -> set[tuple[int, str]]:
    batches = ImportBatch.objects.filter(status__in=(ImportStatus.PENDING, ImportStatus.RUNNING))
    return {
        (workspace_id, str(((counts or {}).get("job") or {}).get("token", "")))
        for workspace_id, counts in batches.values_list("workspace_id", "counts")
    }


def _upload_folders() -> list[tuple[int, Path]]:
    root = Path(settings.MEDIA_ROOT) / "imports"
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    return [(int(e.name), Path(e.path)) for e in entries if e.name.isdigit() and e.is_dir()]


def _files_by_token(folder: Path) -> dict[str, list[tuple[Path, os.stat_result]]]:
    """The upload files in a folder (`<token>.upload`, `.json`, `.progress.json`,
    `.preview.json`, their `.partial` halves, …) grouped by token; anything not named
    like them is left alone."""
    groups: dict[str, list[tuple[Path, os.stat_result]]] = defaultdict(list)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return {}
    for entry in entries:
        token, dot, _ = entry.name.partition(".")
        if not dot or not TOKEN.match(token):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                groups[token].append((Path(entry.path), entry.stat(follow_symlinks=False)))
    return groups


def read_progress(batch: ImportBatch) -> dict[str, Any]:
    """What a running import has done so far: read, created, done and total bytes."""
    job = batch.counts.get("job") or {}
    return read_upload_progress(batch.workspace_id, str(job.get("token", "")))


def read_upload_progress(workspace_id: int, token: str) -> dict[str, Any]:
    """What the import or preview running on an upload has done so far (see
    `progress_writer`); {} before its first batch, or for a bad token."""
    try:
        return read_json(_progress_path(workspace_id, token))
    except ValueError:  # not a token
        return {}


def read_json(path: Path) -> dict[str, Any]:
    """The object a small JSON file of ours holds; {} when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def progress_writer(workspace_id: int, token: str) -> FileProgress:
    """A `run_import` progress callback writing the counts so far, with the bytes read
    (`done`) of the file's size (`total`), where `read_upload_progress` finds them."""
    path = _progress_path(workspace_id, token) if TOKEN.match(token) else None

    def progress(result: ImportResult, done: int, total: int) -> None:
        if path is None:
            return
        data = {**result.totals(), "done": done, "total": total}
        with contextlib.suppress(OSError):
            write_json_atomically(path, data)

    return progress


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` whole: a reader polling it sees the old content or the new."""
    partial = path.with_name(f"{path.name}.partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    os.replace(partial, path)


def discard_progress(workspace_id: int, token: str) -> None:
    _progress_path(workspace_id, token).unlink(missing_ok=True)


def run_import(
    workspace: Workspace,
    token: str,
    *,
    dry_run: bool,
    actor: Any = None,
    progress: FileProgress | None = None,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import (or preview) a kept upload. Raises `ImportFailed` on bad input, `OSError`
    when the upload is gone."""
    options = upload_options(workspace, token)
    if options is None:
        raise FileNotFoundError("The uploaded file is no longer there; upload it again.")
    event = None
    if options.get("event_id"):
        event = Event.objects.for_workspace(workspace).filter(pk=options["event_id"]).first()
        if event is None:
            raise ImportFailed("The event chosen for this import no longer exists.")
    parse_options = registry.ParseOptions(
        time_zone=options.get("time_zone") or workspace.timezone or "UTC",
        mapping=options.get("mapping") or {},
    )
    path = upload_path(workspace.pk, token)
    size = path.stat().st_size
    with path.open("rb") as stream:

        def report(result: ImportResult) -> None:
            if progress is not None:
                try:
                    done = stream.tell()
                except (OSError, ValueError):
                    done = 0
                progress(result, done, size)

        return import_records(
            workspace=workspace,
            records=registry.parse(options["format"], stream, parse_options),
            source=ImportSource(options["format"], options["filename"]),
            actor=actor,
            event=event,
            dry_run=dry_run,
            progress=report,
            batch=batch,
        )


def run_batch(batch: ImportBatch) -> None:
    """Run the import a pending batch stands for, and record how it ended."""
    job = batch.counts.get("job") or {}
    token = job.get("token", "")
    workspace = batch.workspace
    # Running from here, and naming this process, so that recovery can tell when a
    # worker killed before the first batch left it behind (`recovery`).
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, counts={**batch.counts, RUNNER: this_runner(), BEAT: beat()}
    )
    try:
        result = run_import(
            workspace,
            token,
            dry_run=False,
            actor=batch.created_by,
            progress=progress_writer(workspace.pk, token),
            batch=batch,
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            counts={**result.as_counts(), "job": job}, error=""
        )
    except ImportFailed as error:
        counts = {**(error.result.totals() if error.result else {}), "job": job}
        message = str(error).rstrip(".") + ". Nothing was imported."
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, counts=counts, error=message
        )
    except (OSError, ValueError) as error:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, error=f"{error} Nothing was imported."
        )
    except Exception:
        logger.exception("Import #%s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            error="The import failed unexpectedly; nothing was imported.",
        )
    finally:
        if TOKEN.match(token):
            discard_upload(workspace.pk, token)


@task()
def import_file_task(batch_id: int) -> None:
    """The background half of a web import: quiet when the batch is gone or taken."""
    batch = (
        ImportBatch.objects.select_related("workspace", "created_by").filter(pk=batch_id).first()
    )
    if batch is None or batch.status != ImportStatus.PENDING:
        return
    run_batch(batch)
