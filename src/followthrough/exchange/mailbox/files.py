"""A mail file imported as an import (`ImportBatch`): listed with the other imports,
its result kept, and undone like them (`imports.undo`, through `provenance`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from followthrough.exchange.formats.mail import read_eml, read_mbox
from followthrough.exchange.formats.mail.record import MessageRecord
from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.imports.runner import BEAT, RUNNER, beat, this_runner
from followthrough.exchange.mailbox.result import MailImportResult
from followthrough.exchange.mailbox.service import Progress, mail_import
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAIL_FORMATS = {"mbox": "E-mail mailbox (.mbox)", "eml": "E-mail messages (.eml)"}


class MailImportFailed(Exception):
    """The import stopped; `result` holds what it had done (chunks before are logged)."""

    def __init__(self, message: str, result: MailImportResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def read_mail_files(fmt: str, paths: Iterable[Path]) -> Iterator[MessageRecord]:
    """The messages of one .mbox file, or of .eml files one after another, streamed."""
    for path in paths:
        with path.open("rb") as stream:
            yield from (read_mbox(stream) if fmt == "mbox" else read_eml(stream))


def mail_import_batch(
    *,
    workspace: Workspace,
    fmt: str,
    filename: str,
    messages: Iterable[MessageRecord],
    me: Iterable[str] = (),
    actor: User | None = None,
    batch: ImportBatch | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MailImportResult:
    """Import mail as an `ImportBatch` (the one given, or a new one; none in a dry run)
    and record how it ended: done, with the result as its counts, or failed, with the
    error and what was logged before it (which importing again skips). Raises
    `MailImportFailed` when the source cannot be read."""
    if batch is None and not dry_run:
        batch = ImportBatch.objects.create(
            workspace=workspace, format=fmt, filename=filename[:255], created_by=actor
        )
    if batch is not None:
        # Naming this process: if it is killed, recovery marks the import failed.
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.RUNNING,
            counts={**batch.counts, RUNNER: this_runner(), BEAT: beat()},
        )
    latest: list[MailImportResult] = []

    def report(result: MailImportResult) -> None:
        latest[:] = [result]
        if progress is not None:
            progress(result)

    try:
        result = mail_import(
            workspace=workspace, messages=messages, source=fmt, filename=filename, me=me,
            actor=actor, batch=batch, dry_run=dry_run, progress=report,
        )  # fmt: skip
    except Exception as error:
        done = latest[0] if latest else None
        readable = isinstance(error, ParseError | OSError)
        message = _failure(error if readable else "The import failed unexpectedly", done)
        if batch is not None:
            counts = done.as_counts() if done else {}
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED, error=message, counts=counts
            )
        if not readable:
            raise
        raise MailImportFailed(message, done) from error
    if batch is not None:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DONE, counts=result.as_counts(), error=""
        )
    return result


def _failure(error: Exception | str, done: MailImportResult | None) -> str:
    text = str(error).rstrip(".") + "."
    if done is not None and done.logged:
        return (
            f"{text} The {done.logged:,} messages logged before it stay on their "
            "timelines; importing the file again skips them and logs the rest."
        )
    return f"{text} Nothing was logged."
