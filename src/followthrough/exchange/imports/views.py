"""Web imports: upload and preview (a dry run), confirm (a background task), follow its
progress, look back at past imports and undo one (a page saying what the undo would
remove and put back, then a POST that does it). An "any CSV" file goes through the
column-mapping screen before its preview, unless a saved mapping is chosen. A large
file's preview runs in the background too, with its own progress page (`preview`).
Members and owners import; viewers may see the list of imports and their outcome but not
start or undo one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.imports import column_mapping, preview, tasks
from followthrough.exchange.imports.forms import ColumnMappingForm, ImportForm
from followthrough.exchange.imports.result import ImportFailed
from followthrough.exchange.imports.undo import (
    ImportUndoRefused,
    import_touched_anything,
    import_undo,
    import_undo_plan,
)
from followthrough.exchange.models import ImportBatch, ImportStatus
from followthrough.workspaces.access import WorkspaceRequest, get_for_workspace, workspace_view
from followthrough.workspaces.responses import (
    is_partial,
    render_page_or_partial,
    see_other,
    vary_on_htmx,
)

SHOWN_WARNINGS = preview.SHOWN_WARNINGS
UPLOAD_GONE = "That upload is no longer there; please choose the file again."


@require_http_methods(["GET", "POST"])
@workspace_view(write=True)
def import_page(request: WorkspaceRequest) -> HttpResponse:
    """The form; on POST, keep the file, then show the column-mapping screen (any CSV
    without a saved mapping) or preview it: here, or in the background for a large
    file (then its progress page)."""
    workspace = request.workspace
    form = ImportForm(request.POST or None, request.FILES or None, workspace=workspace)
    if request.method != "POST" or not form.is_valid():
        return render(request, "exchange/import_form.html", {"nav": "import", "form": form})
    data = form.cleaned_data
    saved_mapping = form.mapping_dict()
    token = tasks.store_upload(
        workspace,
        data["file"],
        {
            "format": data["format"],
            "event_id": data["event"].pk if data["event"] else None,
            "time_zone": data["time_zone"],
            "mapping": saved_mapping,
            "mapping_name": data["mapping"] if saved_mapping else "",
        },
    )
    if data["format"] == "csv" and (data["edit_mapping"] or not saved_mapping):
        # A file that is no CSV at all is refused here, on the form as it was filled in.
        loaded = _upload_columns(request, token, form)
        if isinstance(loaded, HttpResponse):
            return loaded
        return see_other(_columns_url(request, token))
    outcome = preview.upload_preview(workspace=workspace, token=token)
    return _preview_response(request, token, outcome, form)


@require_http_methods(["GET", "POST"])
@workspace_view(write=True)
def import_columns(request: WorkspaceRequest) -> HttpResponse:
    """Which person field each column of an uploaded "any CSV" file holds. On POST:
    check the mapping, keep it with the upload, preview it (here, or in the background
    for a large file) — or show this screen again, with the choices made and what is
    wrong — and save it if asked, once the preview has succeeded."""
    workspace = request.workspace
    token = request.POST.get("token") or request.GET.get("token") or ""
    if request.method != "POST":
        return _columns_screen(request, token)
    loaded = _upload_columns(request, token)
    if isinstance(loaded, HttpResponse):
        return loaded
    options, columns = loaded
    start, _ = column_mapping.initial_mapping(columns, options.get("mapping"))
    form = ColumnMappingForm(request.POST, columns=columns, start=start)
    if not form.is_valid():
        return _render_columns(request, form, token, options, status=422)
    tasks.update_upload_options(workspace, token, mapping=form.mapping())
    save_as = form.cleaned_data["name"] if form.cleaned_data["save"] else ""
    outcome = preview.upload_preview(workspace=workspace, token=token, save_mapping_as=save_as)
    if outcome.error is not None:
        error = outcome.error
        form.show_import_error(error.field, error.message)
        return _render_columns(request, form, token, options, import_error=error, status=422)
    return _preview_response(request, token, outcome)


def _columns_screen(
    request: WorkspaceRequest,
    token: str,
    *,
    import_error: ImportFailed | None = None,
    form: ImportForm | None = None,
) -> HttpResponse:
    """The mapping screen as it starts: the upload's mapping, else the suggested one
    (`form`: the import form as filled in, should the file prove unreadable)."""
    loaded = _upload_columns(request, token, form)
    if isinstance(loaded, HttpResponse):
        return loaded
    options, columns = loaded
    start, missing = column_mapping.initial_mapping(columns, options.get("mapping"))
    save_as = options.get("save_mapping_as", "")  # asked for by a refused background preview
    columns_form = ColumnMappingForm(
        columns=columns,
        start=start,
        saved_name=save_as or options.get("mapping_name", ""),
        initial={"save": bool(save_as)},
    )
    status = 422 if import_error else 200
    return _render_columns(
        request,
        columns_form,
        token,
        options,
        import_error=import_error,
        missing=missing,
        status=status,
    )


def _upload_columns(
    request: WorkspaceRequest, token: str, form: ImportForm | None = None
) -> tuple[dict, column_mapping.FileColumns] | HttpResponse:
    """The options and columns of a kept "any CSV" upload, or the response saying why
    there are none: gone (back to the form), not CSV (404), unreadable (the form as it
    was filled in, with the reason beside the file; the upload is dropped)."""
    options = tasks.upload_options(request.workspace, token)
    if options is None:
        messages.error(request, UPLOAD_GONE)
        return redirect("exchange:import", request.workspace.slug)
    if options.get("format") != "csv":
        raise Http404("Only “any CSV” uploads have columns to choose.")
    try:
        columns = column_mapping.read_columns(tasks.upload_path(request.workspace.pk, token))
    except ParseError as error:
        return _refuse_upload(request, token, error, form or _filled_form(request, options))
    return options, columns


def _render_columns(
    request: WorkspaceRequest,
    form: ColumnMappingForm,
    token: str,
    options: dict,
    *,
    import_error: ImportFailed | None = None,
    missing: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "import",
        "form": form,
        "token": token,
        "filename": options.get("filename", ""),
        "mapping_name": options.get("mapping_name", ""),
        "missing": missing or [],
        "import_error": import_error,
        "fields": column_mapping.field_help(),
    }
    return render(request, "exchange/import_columns.html", context, status=status)


def _refuse_upload(
    request: WorkspaceRequest,
    token: str,
    error: ImportFailed | ParseError,
    form: ImportForm | None = None,
) -> HttpResponse:
    """The import form, as it was filled in, saying why the file was refused (beside
    the file field); the upload is dropped."""
    if form is None:
        form = _filled_form(request, tasks.upload_options(request.workspace, token) or {})
    tasks.discard_upload(request.workspace.pk, token)
    form.errors["file"] = form.error_class([_located(error)])  # the file must be chosen again
    context = {"nav": "import", "form": form, "import_error": error}
    return render(request, "exchange/import_form.html", context, status=422)


def _located(error: ImportFailed | ParseError) -> str:
    """The refusal with where it is, as the error says it: "Line 2, field “event”: …"."""
    text = str(error)
    return text[:1].upper() + text[1:]


def _filled_form(request: WorkspaceRequest, options: dict) -> ImportForm:
    """The import form as it was filled in for an upload (all but the file, which the
    browser cannot be given back)."""
    data = {
        "format": options.get("format", ""),
        "event": options.get("event_id") or "",
        "time_zone": options.get("time_zone") or request.workspace.timezone or "UTC",
        "mapping": options.get("mapping_name", ""),
    }
    form = ImportForm(data, workspace=request.workspace)
    form.is_valid()  # the file is missing, and said so below
    return form


@require_GET
@vary_on_htmx
@workspace_view(write=True)
def import_preview_status(request: WorkspaceRequest) -> HttpResponse:
    """A large upload's preview, running in the background: a progress bar (the fragment
    polls; once it ends the page reloads), then the preview — or the error — as the
    upload would have shown it."""
    token = request.GET.get("token", "")
    outcome = preview.upload_preview_state(workspace=request.workspace, token=token)
    if is_partial(request) and (outcome is None or not outcome.pending):
        return HttpResponse(headers={"HX-Refresh": "true"})  # the whole page changes
    if outcome is None:
        messages.error(request, UPLOAD_GONE)
        return redirect("exchange:import", request.workspace.slug)
    if not outcome.pending:
        return _preview_response(request, token, outcome)
    context = {"nav": "import", **_waiting(request, token, outcome)}
    return render_page_or_partial(
        request,
        "exchange/import_preview_wait.html",
        "exchange/_import_preview_status.html",
        context,
    )


def _waiting(request: WorkspaceRequest, token: str, outcome: preview.PreviewOutcome) -> dict:
    options = tasks.upload_options(request.workspace, token) or {}
    progress = outcome.progress
    url = reverse("exchange:import-preview", args=[request.workspace.slug])
    return {
        "token": token,
        "filename": options.get("filename", ""),
        "format_name": _format_name(options),
        "progress": progress,
        "percent": _percent(progress.get("done", 0), progress.get("total") or options.get("size")),
        "stalled": outcome.stalled,
        "status_url": f"{url}?{urlencode({'token': token})}",
    }


def _preview_response(
    request: WorkspaceRequest,
    token: str,
    outcome: preview.PreviewOutcome,
    form: ImportForm | None = None,
) -> HttpResponse:
    """Where a preview leads: its progress page while it runs in the background; the
    preview; or the file refused — the column screen for any CSV (to map it again),
    else the import form (and the upload dropped)."""
    if outcome.pending:
        url = reverse("exchange:import-preview", args=[request.workspace.slug])
        return see_other(f"{url}?{urlencode({'token': token})}")
    options = tasks.upload_options(request.workspace, token) or {}
    if outcome.error is not None and options.get("format") == "csv":
        return _columns_screen(request, token, import_error=outcome.error, form=form)
    if outcome.error is not None:
        return _refuse_upload(request, token, outcome.error, form)
    assert outcome.summary is not None
    if outcome.saved_mapping:
        messages.success(request, f"Saved the column mapping “{outcome.saved_mapping}”.")
    return _preview_page(request, token, outcome.summary, options)


def _preview_page(
    request: WorkspaceRequest, token: str, summary: preview.PreviewSummary, options: dict
) -> HttpResponse:
    is_csv = options.get("format") == "csv"
    chosen = options.get("mapping") or {}
    context = {
        "nav": "import",
        "result": summary,
        "token": token,
        "filename": options.get("filename", ""),
        "format_name": _format_name(options),
        "warnings": summary.warnings,
        "columns_url": _columns_url(request, token) if is_csv else "",
        "mapped_columns": list(column_mapping.describe(chosen)) if is_csv else [],
        "ignored_columns": sum(not field for field in chosen.values()) if is_csv else 0,
    }
    return render(request, "exchange/import_preview.html", context)


def _format_name(options: dict) -> str:
    return registry.label(options.get("format", ""))


def _percent(done: int, total: int | None) -> int:
    return min(100, round(100 * done / total)) if total else 0


def _columns_url(request: WorkspaceRequest, token: str) -> str:
    url = reverse("exchange:import-columns", args=[request.workspace.slug])
    return f"{url}?{urlencode({'token': token})}"


@require_POST
@workspace_view(write=True)
def import_run(request: WorkspaceRequest) -> HttpResponse:
    """Confirm a previewed upload: record the batch and import it in the background."""
    workspace = request.workspace
    token = request.POST.get("token", "")
    options = tasks.upload_options(workspace, token)
    if options is None:
        messages.error(request, UPLOAD_GONE)
        return redirect("exchange:import", workspace.slug)
    batch = tasks.import_queue(
        workspace=workspace,
        fmt=options["format"],
        filename=str(options.get("filename", "")),
        token=token,
        size=options.get("size", 0),
        actor=request.user,
        run=tasks.import_file_task.enqueue,
    )
    return see_other("exchange:import-status", workspace.slug, batch.pk)


def _status_context(batch: ImportBatch) -> dict:
    running = batch.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    progress = tasks.read_progress(batch) if running else {}
    total = progress.get("total") or (batch.counts.get("job") or {}).get("size")
    counts = batch.counts
    return {
        "batch": batch,
        "running": running,
        "progress": progress,
        "percent": _percent(progress.get("done", 0), total),
        "counts": counts,
        "warnings": (counts.get("warnings") or [])[:SHOWN_WARNINGS],
        "format_name": registry.label(batch.format),
        "added_people": (counts.get("rows_created") or {}).get("people.person", 0),
        # An import that added and changed nothing (every row skipped) has nothing to undo.
        "can_undo": batch.status == ImportStatus.DONE and import_touched_anything(batch=batch),
    }


@require_GET
@workspace_view
def import_status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One import: a progress bar while it runs (the fragment polls), then its counts."""
    batch = get_for_workspace(
        ImportBatch.objects.select_related("created_by"), request.workspace, pk=pk
    )
    context = {"nav": "import", **_status_context(batch)}
    return render_page_or_partial(
        request, "exchange/import_progress.html", "exchange/_import_status.html", context
    )


@require_http_methods(["GET", "POST"])
@workspace_view(write=True)
def import_undo_view(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """GET: what undoing the import would remove and put back, and a button to do it;
    POST: undo it, then back to its page with what was done."""
    batch = get_for_workspace(
        ImportBatch.objects.select_related("created_by"), request.workspace, pk=pk
    )
    status_url = reverse("exchange:import-status", args=[request.workspace.slug, pk])
    if request.method == "GET":
        plan = import_undo_plan(batch=batch) if batch.status == ImportStatus.DONE else None
        context = {
            "nav": "import",
            "batch": batch,
            "format_name": registry.label(batch.format),
            "plan": plan,
            "status_url": status_url,
        }
        return render(request, "exchange/import_undo.html", context)
    try:
        undone = import_undo(batch=batch, actor=request.user)
    except ImportUndoRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, undone.plain_summary())
    return see_other(status_url)


@require_GET
@workspace_view
def import_list(request: WorkspaceRequest) -> HttpResponse:
    batches = list(
        ImportBatch.objects.for_workspace(request.workspace)
        .select_related("created_by")
        .order_by("-created_at")[:200]
    )
    for batch in batches:
        batch.format_name = registry.label(batch.format)
    return render(request, "exchange/import_list.html", {"nav": "import", "batches": batches})
