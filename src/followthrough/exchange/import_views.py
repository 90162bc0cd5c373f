"""Web imports: upload and preview (a dry run), confirm (a background task), follow its
progress, look back at past imports and undo one. Members and owners import; viewers
may see the list of imports and their outcome but not start or undo one."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.exchange import tasks
from followthrough.exchange.forms import ImportForm
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.exchange.result import ImportFailed
from followthrough.exchange.undo import ImportUndoRefused, import_undo
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view

SHOWN_WARNINGS = 10


@require_http_methods(["GET", "POST"])
@workspace_view(write=True)
def import_page(request: WorkspaceRequest) -> HttpResponse:
    """The form; on POST, keep the file, dry-run it and show the preview."""
    workspace = request.workspace
    form = ImportForm(request.POST or None, request.FILES or None, workspace=workspace)
    context = {"nav": "import", "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "exchange/import_form.html", context)
    data = form.cleaned_data
    token = tasks.store_upload(
        workspace,
        data["file"],
        {
            "format": data["format"],
            "event_id": data["event"].pk if data["event"] else None,
            "time_zone": data["time_zone"],
            "mapping": form.mapping_dict(),
        },
    )
    try:
        result = tasks.run_import(workspace, token, dry_run=True)
    except ImportFailed as error:
        tasks.discard_upload(workspace.pk, token)
        context["import_error"] = error
        return render(request, "exchange/import_form.html", context, status=422)
    return render(
        request,
        "exchange/import_preview.html",
        {
            "nav": "import",
            "result": result,
            "token": token,
            "filename": data["file"].name,
            "format_name": dict(form.fields["format"].choices)[data["format"]],
            "warnings": result.warnings[:SHOWN_WARNINGS],
        },
    )


@require_POST
@workspace_view(write=True)
def import_run(request: WorkspaceRequest) -> HttpResponse:
    """Confirm a previewed upload: record the batch and import it in the background."""
    workspace = request.workspace
    token = request.POST.get("token", "")
    options = tasks.upload_options(workspace, token)
    if options is None:
        messages.error(request, "That upload is no longer there; please choose the file again.")
        return redirect("exchange:import", workspace.slug)
    batch = ImportBatch.objects.create(
        workspace=workspace,
        format=options["format"][:20],
        filename=str(options.get("filename", ""))[:255],
        created_by=request.user,
        status=ImportStatus.PENDING,
        counts={"job": {"token": token, "size": options.get("size", 0)}},
    )
    transaction.on_commit(lambda: tasks.import_file_task.enqueue(batch.pk))
    response = redirect("exchange:import-status", workspace.slug, batch.pk)
    response.status_code = 303
    return response


def _status_context(batch: ImportBatch) -> dict:
    running = batch.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    progress = tasks.read_progress(batch) if running else {}
    total = progress.get("total") or (batch.counts.get("job") or {}).get("size") or 0
    percent = min(100, round(100 * progress.get("done", 0) / total)) if total else 0
    counts = batch.counts
    return {
        "batch": batch,
        "running": running,
        "progress": progress,
        "percent": percent,
        "counts": counts,
        "warnings": (counts.get("warnings") or [])[:SHOWN_WARNINGS],
        "can_undo": batch.status == ImportStatus.DONE,
    }


@require_GET
@workspace_view
def import_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One import: a progress bar while it runs (the fragment polls), then its counts."""
    batch = get_for_workspace(
        ImportBatch.objects.select_related("created_by"), request.workspace, pk=pk
    )
    context = {"nav": "import", **_status_context(batch)}
    if request.headers.get("HX-Request"):
        return render(request, "exchange/_import_status.html", context)
    return render(request, "exchange/import_progress.html", context)


@require_POST
@workspace_view(write=True)
def import_undo_view(request: WorkspaceRequest, pk: int) -> HttpResponse:
    batch = get_for_workspace(ImportBatch, request.workspace, pk=pk)
    try:
        undone = import_undo(batch=batch, actor=request.user)
    except ImportUndoRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, undone.summary()[0].upper() + undone.summary()[1:] + ".")
    response = redirect(reverse("exchange:import-status", args=[request.workspace.slug, pk]))
    response.status_code = 303
    return response


@require_GET
@workspace_view
def import_list(request: WorkspaceRequest) -> HttpResponse:
    batches = (
        ImportBatch.objects.for_workspace(request.workspace)
        .select_related("created_by")
        .order_by("-created_at")[:200]
    )
    return render(request, "exchange/import_list.html", {"nav": "import", "batches": batches})
