"""Mail pages: upload a mailbox file (imported in the background, shown on the import's
status page), and a member's own IMAP mailbox with its last poll, last error and "Check
now". Members and owners only: both write to timelines."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from followthrough.exchange.imports import tasks as upload_tasks
from followthrough.exchange.imports.forms import ImportForm
from followthrough.exchange.mailbox.forms import MailboxAccountForm, MailUploadForm
from followthrough.exchange.mailbox.tasks import import_mail_task, poll_mailbox_task
from followthrough.exchange.models import MailboxAccount
from followthrough.workspaces.access import WorkspaceRequest, workspace_view
from followthrough.workspaces.responses import see_other


@require_POST
@workspace_view(write=True)
def import_mail(request: WorkspaceRequest) -> HttpResponse:
    """Keep the uploaded mail file, record its import and run it in the background; the
    import's status page follows it. A bad form is shown again on the import page."""
    workspace = request.workspace
    form = MailUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"nav": "import", "form": ImportForm(workspace=workspace), "mail_form": form}
        return render(request, "exchange/import_form.html", context, status=422)
    upload = form.cleaned_data["mail_file"]
    fmt = form.mail_format()
    options = {"format": fmt, "me": form.cleaned_data["me"]}
    token = upload_tasks.store_upload(workspace, upload, options)
    batch = upload_tasks.import_queue(
        workspace=workspace,
        fmt=fmt,
        filename=upload.name or "",
        token=token,
        size=upload.size or 0,
        actor=request.user,
        run=import_mail_task.enqueue,
    )
    return see_other("exchange:import-status", workspace.slug, batch.pk)


def _account(request: WorkspaceRequest) -> MailboxAccount | None:
    return MailboxAccount.objects.filter(workspace=request.workspace, user=request.user).first()


@require_http_methods(["GET", "POST"])
@workspace_view(write=True)
def mailbox_settings(request: WorkspaceRequest) -> HttpResponse:
    """The member's own mailbox: its settings (the password never shown), last poll and
    last error."""
    account = _account(request)
    instance = account or MailboxAccount(workspace=request.workspace, user=request.user)
    form = MailboxAccountForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Mailbox saved. It is checked every 15 minutes.")
        return see_other("exchange:mailbox", request.workspace.slug)
    status = 422 if request.method == "POST" else 200
    context = {"nav": "import", "form": form, "account": account}
    return render(request, "exchange/mailbox.html", context, status=status)


@require_POST
@workspace_view(write=True)
def mailbox_check(request: WorkspaceRequest) -> HttpResponse:
    """Check the member's mailbox now, in the background."""
    account = _account(request)
    if account is None:
        messages.error(request, "Set up the mailbox first.")
    else:
        transaction.on_commit(lambda: poll_mailbox_task.enqueue(account.pk))
        messages.success(request, "Checking the mailbox now; reload in a moment to see it.")
    return see_other("exchange:mailbox", request.workspace.slug)
