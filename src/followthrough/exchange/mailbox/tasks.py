"""Background mail work: importing an uploaded mailbox file, and polling IMAP accounts.

Tasks take ids, reload their object and return quietly when it is gone (conventions).
The poll is enqueued by `tick`, registered with `workspaces.periodic` in
`ExchangeConfig.ready`; it needs no retry of its own: a failed account is tried again on
the next round, its error shown on its settings page meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any, BinaryIO

from django.utils import timezone
from django_tasks import task

from followthrough.exchange.formats.mail import read_eml, read_mbox
from followthrough.exchange.imports import tasks as upload_tasks
from followthrough.exchange.mailbox.files import MailImportFailed, mail_import_batch
from followthrough.exchange.models import ImportBatch, ImportStatus, MailboxAccount
from followthrough.workspaces.periodic import unfinished

logger = logging.getLogger(__name__)


def run_mail_batch(batch: ImportBatch) -> None:
    """Import the uploaded mail file a pending batch stands for; the batch records how
    it ended (`mail_import_batch`), and the upload is deleted either way."""
    job = batch.counts.get("job") or {}
    token = str(job.get("token", ""))
    workspace = batch.workspace
    options = upload_tasks.upload_options(workspace, token) or {}
    # The progress file holds `totals()` and bytes read, which a mail result has too.
    write_progress: Any = upload_tasks.progress_writer(workspace.pk, token)
    try:
        path = upload_tasks.upload_path(workspace.pk, token)
        size = path.stat().st_size
        with path.open("rb") as stream:
            read = read_mbox(stream) if batch.format == "mbox" else read_eml(stream)
            mail_import_batch(
                workspace=workspace,
                fmt=batch.format,
                filename=batch.filename,
                messages=read,
                me=options.get("me") or [],
                actor=batch.created_by,
                batch=batch,
                progress=lambda result: write_progress(result, _tell(stream), size),
            )
    except MailImportFailed:
        pass  # recorded on the batch
    except (OSError, ValueError) as error:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED, error=f"{error} Nothing was logged."
        )
    finally:
        if upload_tasks.TOKEN.match(token):
            upload_tasks.discard_upload(workspace.pk, token)


def _tell(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


@task()
def import_mail_task(batch_id: int) -> None:
    """The background half of a web mail import: quiet when the batch is gone or taken."""
    batch = (
        ImportBatch.objects.select_related("workspace", "created_by").filter(pk=batch_id).first()
    )
    if batch is None or batch.status != ImportStatus.PENDING:
        return
    run_mail_batch(batch)


@task()
def poll_mailboxes_task() -> int:
    """Poll every enabled account that is due; how many were polled."""
    from followthrough.exchange.mailbox.imap import mailboxes_poll_due

    return mailboxes_poll_due()


@task()
def poll_mailbox_task(account_id: int) -> None:
    """Poll one account now (its member asked: "Check now")."""
    from followthrough.exchange.mailbox.imap import mailbox_poll

    account = MailboxAccount.objects.select_related("workspace", "user").filter(pk=account_id)
    found = account.first()
    if found is not None:
        mailbox_poll(account=found)


def tick(previous: Any = None) -> Any:
    """Enqueue a poll of the due accounts unless the one enqueued before is still
    waiting or running, and only when one is due. Returns the task result."""
    from followthrough.exchange.mailbox.imap import due_accounts

    if (running := unfinished(previous)) is not None:
        return running
    if not due_accounts(now=timezone.now()).exists():
        return None
    return poll_mailboxes_task.enqueue()
