"""The preview of a web import: a dry run of a kept upload, saying what the import would
do before anything is saved.

A file up to `IMPORT_PREVIEW_INLINE_BYTES` is previewed inside the request that asks for
it; a larger one by `preview_file_task`, so that no request's time grows with the file
(up to the 50 MB upload limit). The task writes its progress where an import writes its
own (`tasks.progress_writer`) and its outcome beside the upload, in `<token>.preview.json`:
the counts, the first warnings and rows, or the error. Each background preview gets a run
id, kept in the upload's options and in its outcome, so the outcome of an earlier run
(the columns were chosen again meanwhile) is never shown for a later one. Both ways end
in a `PreviewOutcome`, which the preview page is drawn from.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from followthrough.exchange.imports import column_mapping, tasks
from followthrough.exchange.imports.result import ImportFailed, ImportResult, PreviewRow
from followthrough.workspaces.models import Workspace

logger = logging.getLogger(__name__)
SHOWN_WARNINGS = 10
STALLED_AFTER_SECONDS = 30  # a queued preview not started by then: the page says why
TOTALS = ("read", "created", "updated", "merged", "skipped", "ignored")


@dataclass(frozen=True)
class PreviewSummary:
    """What the import would do, as the preview page shows it: the totals, the first
    warnings and rows. Made from an `ImportResult` in the request, or read back from
    the stored outcome of a background preview (`as_json` / `from_json`)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    skipped: int = 0
    ignored: int = 0
    warnings: tuple[str, ...] = ()
    warnings_total: int = 0
    suggestions_total: int = 0
    preview: tuple[PreviewRow, ...] = ()

    @classmethod
    def of(cls, result: ImportResult) -> PreviewSummary:
        return cls(
            **result.totals(),
            warnings=tuple(result.warnings[:SHOWN_WARNINGS]),
            warnings_total=result.warnings_total,
            suggestions_total=result.suggestions_total,
            preview=tuple(
                PreviewRow(row.line, row.kind, row.label, str(row.action)) for row in result.preview
            ),
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PreviewSummary:
        totals = data.get("totals") or {}
        return cls(
            **{name: int(totals.get(name) or 0) for name in TOTALS},
            warnings=tuple(str(w) for w in data.get("warnings") or ()),
            warnings_total=int(data.get("warnings_total") or 0),
            suggestions_total=int(data.get("suggestions_total") or 0),
            preview=tuple(
                PreviewRow(int(row["line"]), row["kind"], row["label"], row["action"])
                for row in data.get("rows") or ()
            ),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "totals": {name: getattr(self, name) for name in TOTALS},
            "warnings": list(self.warnings),
            "warnings_total": self.warnings_total,
            "suggestions_total": self.suggestions_total,
            "rows": [
                {"line": r.line, "kind": r.kind, "label": r.label, "action": r.action}
                for r in self.preview
            ],
        }


@dataclass(frozen=True)
class PreviewOutcome:
    """How a preview stands. Done: `summary` (and `saved_mapping`, the name the chosen
    columns were saved under, if asked). Refused: `error`, nothing saved. Neither while
    it waits or runs in the background: `progress` holds the task's counts so far ({}
    until it starts), `stalled` says it has waited for the worker a while."""

    summary: PreviewSummary | None = None
    error: ImportFailed | None = None
    saved_mapping: str = ""
    progress: dict[str, Any] = field(default_factory=dict)
    stalled: bool = False

    @property
    def pending(self) -> bool:
        return self.summary is None and self.error is None


def upload_preview(
    *, workspace: Workspace, token: str, save_mapping_as: str = ""
) -> PreviewOutcome:
    """Preview a kept upload of `workspace`: in this request when the file is at most
    `IMPORT_PREVIEW_INLINE_BYTES`, else in the background (enqueued on commit; the
    outcome is pending, see `upload_preview_state`). `save_mapping_as`: once the dry
    run succeeds, save the upload's column mapping under this name. Raises `OSError`
    when the upload is gone."""
    size = tasks.upload_path(workspace.pk, token).stat().st_size
    if size <= settings.IMPORT_PREVIEW_INLINE_BYTES:
        try:
            result = tasks.run_import(workspace, token, dry_run=True)
        except ImportFailed as error:
            return PreviewOutcome(error=error)
        saved = _save_mapping(workspace, token, save_mapping_as)
        return PreviewOutcome(summary=PreviewSummary.of(result), saved_mapping=saved)
    run = secrets.token_urlsafe(12)
    tasks.update_upload_options(
        workspace,
        token,
        preview_run=run,
        preview_queued_at=time.time(),
        save_mapping_as=save_mapping_as,
    )
    # An earlier run's outcome and progress would show as this one's.
    tasks.preview_path(workspace.pk, token).unlink(missing_ok=True)
    tasks.discard_progress(workspace.pk, token)
    transaction.on_commit(partial(preview_file_task.enqueue, workspace.pk, token, run))
    return PreviewOutcome()


def upload_preview_state(*, workspace: Workspace, token: str) -> PreviewOutcome | None:
    """How the background preview of a kept upload of `workspace` stands; None when
    there is no such upload (gone, another workspace's, not a token) or no background
    preview was started for it. Reads two small files; no query."""
    options = tasks.upload_options(workspace, token)
    run = (options or {}).get("preview_run")
    if options is None or not run:
        return None
    stored = tasks.read_json(tasks.preview_path(workspace.pk, token))
    if stored.get("run") != run:  # not done yet
        progress = tasks.read_upload_progress(workspace.pk, token)
        waited = time.time() - float(options.get("preview_queued_at") or 0)
        stalled = not progress and waited > STALLED_AFTER_SECONDS
        return PreviewOutcome(progress=progress, stalled=stalled)
    if stored.get("error"):
        error = stored["error"]
        return PreviewOutcome(
            error=ImportFailed(
                str(error.get("message") or ""),
                line=error.get("line"),
                field=str(error.get("field") or ""),
            )
        )
    return PreviewOutcome(
        summary=PreviewSummary.from_json(stored),
        saved_mapping=str(stored.get("saved_mapping") or ""),
    )


@task()
def preview_file_task(workspace_id: int, token: str, run: str) -> None:
    """The background preview of a large upload: a dry run, its outcome stored for the
    page. Quiet when the workspace or upload is gone, or a later preview of the same
    upload was started (`run` is no longer the upload's)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    options = tasks.upload_options(workspace, token) if workspace is not None else None
    if workspace is None or options is None or options.get("preview_run") != run:
        return
    outcome = _dry_run(workspace, token, str(options.get("save_mapping_as") or ""))
    try:
        tasks.write_json_atomically(
            tasks.preview_path(workspace_id, token), {**outcome, "run": run}
        )
    except OSError:
        logger.exception("Could not keep the preview of an upload in workspace %s", workspace_id)
    tasks.discard_progress(workspace_id, token)


def _dry_run(workspace: Workspace, token: str, save_mapping_as: str) -> dict[str, Any]:
    """Preview the upload (and save its mapping if asked); what `preview_file_task`
    stores: the summary, or the error — never nothing, or the page would wait on."""
    try:
        result = tasks.run_import(
            workspace, token, dry_run=True, progress=tasks.progress_writer(workspace.pk, token)
        )
        saved = _save_mapping(workspace, token, save_mapping_as)
    except ImportFailed as error:
        return _error(str(error.message), line=error.line, field=error.field)
    except (OSError, ValueError) as error:
        return _error(str(error))
    except Exception:
        logger.exception("The preview of an upload in workspace %s failed", workspace.pk)
        return _error("The preview failed unexpectedly. Nothing was saved; try again.")
    return {**PreviewSummary.of(result).as_json(), "saved_mapping": saved}


def _error(message: str, *, line: int | None = None, field: str = "") -> dict[str, Any]:
    return {"error": {"message": message, "line": line, "field": field}}


def _save_mapping(workspace: Workspace, token: str, name: str) -> str:
    """Save the upload's column mapping under `name` (if given) once it has previewed
    well; the name it was saved under, or ""."""
    options = tasks.upload_options(workspace, token) if name else None
    if options is None:
        return ""
    saved = column_mapping.column_mapping_save(
        workspace=workspace, name=name, mapping=options.get("mapping") or {}
    )
    tasks.update_upload_options(workspace, token, mapping_name=saved.name, save_mapping_as="")
    return saved.name
