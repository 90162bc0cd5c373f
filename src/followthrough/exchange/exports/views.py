"""The Export page and its downloads. Who may download is the workspace's export rule
(`exports.permissions`: owners, members when the owners allow it, never viewers); the
page shows every member what they may take out, or why not. Downloads stream, so a large
workspace never sits in memory, and are sent as attachments that no browser renders or
caches. The full backup is prepared in the background first (`exports.backup_views`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.http import (
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from followthrough.exchange.exports.backup_views import export_page_context
from followthrough.exchange.exports.csv_export import (
    interactions_csv,
    organizations_csv,
    people_csv,
)
from followthrough.exchange.exports.ics_export import events_ics, follow_ups_ics
from followthrough.exchange.exports.permissions import export_view
from followthrough.exchange.exports.streaming import snapshot_chunks
from followthrough.exchange.exports.vcard_export import VERSIONS, vcards
from followthrough.workspaces.access import WorkspaceRequest, workspace_view
from followthrough.workspaces.models import Workspace

CSV = "text/csv; charset=utf-8"
VCARD = "text/vcard; charset=utf-8"
CALENDAR = "text/calendar; charset=utf-8"


def download(chunks: Iterator[str], *, filename: str, content_type: str) -> StreamingHttpResponse:
    """Stream `chunks` as an attachment, read from one database snapshot."""
    response = StreamingHttpResponse(snapshot_chunks(chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _name(workspace: Workspace, what: str, extension: str) -> str:
    # Today in the workspace's time zone (the view runs in it), as its pages say.
    return f"{workspace.slug}-{what}-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
@workspace_view
def export_page(request: WorkspaceRequest) -> HttpResponse:
    return render(request, "exchange/export.html", export_page_context(request))


def _csv_view(what: str, export: Callable[..., Iterator[str]]) -> Callable[..., HttpResponseBase]:
    @require_GET
    @export_view
    def view(request: WorkspaceRequest) -> HttpResponseBase:
        workspace = request.workspace
        return download(
            export(workspace=workspace), filename=_name(workspace, what, "csv"), content_type=CSV
        )

    view.__name__ = view.__qualname__ = f"export_{what}_csv"
    view.__doc__ = f"The workspace's {what} as a CSV download."
    return view


export_people_csv = _csv_view("people", people_csv)
export_organizations_csv = _csv_view("organizations", organizations_csv)
export_interactions_csv = _csv_view("interactions", interactions_csv)


@require_GET
@export_view
def export_vcard(request: WorkspaceRequest) -> HttpResponseBase:
    """All organizations and people as one .vcf; `?version=3.0` (the default, as on the
    command line: read by almost every address book) or `4.0`."""
    version = request.GET.get("version", "3.0")
    if version not in VERSIONS:
        return HttpResponseBadRequest("vCard version must be 3.0 or 4.0.")
    workspace = request.workspace
    return download(
        vcards(workspace=workspace, version=version),
        filename=_name(workspace, f"contacts-vcard{version[0]}", "vcf"),
        content_type=VCARD,
    )


@require_GET
@export_view
def export_events_ics(request: WorkspaceRequest) -> HttpResponseBase:
    workspace = request.workspace
    return download(
        events_ics(workspace=workspace),
        filename=_name(workspace, "events", "ics"),
        content_type=CALENDAR,
    )


@require_GET
@export_view
def export_follow_ups_ics(request: WorkspaceRequest) -> HttpResponseBase:
    workspace = request.workspace
    return download(
        follow_ups_ics(workspace=workspace),
        filename=_name(workspace, "follow-ups", "ics"),
        content_type=CALENDAR,
    )
