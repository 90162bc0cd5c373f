"""The full backup on the Export page: ask for one, follow it while the worker prepares
it, download the file (whole or in byte ranges, so a broken download resumes).

Whoever may export in the workspace may download its prepared backup, not only the member
who asked for it: the backup is the workspace's, and the export rule is checked on every
request, so narrowing it shuts the file too. The link names the workspace and a random
token; another workspace's member gets 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from followthrough.exchange.backup.downloads import (
    backup_download_current,
    backup_download_ready,
    backup_download_request,
    backup_path,
    bytes_written,
    expires_at,
)
from followthrough.exchange.exports.permissions import export_refusal, export_view
from followthrough.exchange.exports.ranges import file_download
from followthrough.exchange.exports.vcard_export import VERSIONS
from followthrough.exchange.models import BackupDownload, BackupStatus
from followthrough.workspaces.access import WorkspaceRequest
from followthrough.workspaces.responses import is_partial, render_page_or_partial, see_other


def export_page_context(request: WorkspaceRequest) -> dict[str, Any]:
    """The Export page's: which downloads this member may use (and why not), and the
    newest backup when they may."""
    refusal = export_refusal(request.membership)
    context: dict[str, Any] = {"nav": "export", "versions": VERSIONS, "export_refusal": refusal}
    if refusal is None:
        context.update(backup_context(backup_download_current(workspace=request.workspace)))
    return context


def backup_context(download: BackupDownload | None) -> dict[str, Any]:
    """What the backup section of the Export page shows about the newest backup."""
    context: dict[str, Any] = {"backup": download}
    if download is None:
        return context
    if download.status == BackupStatus.PREPARING:
        context["backup_written"] = bytes_written(download)
    elif download.status == BackupStatus.READY:
        expiry = expires_at(download)
        assert expiry is not None  # a ready backup has finished
        context["backup_expires_at"] = expiry
        hours = (expiry - timezone.now()).total_seconds() / 3600
        context["backup_hours_left"] = max(1, round(hours))
    return context


@require_http_methods(["GET", "POST"])
@export_view
def export_backup_prepare(request: WorkspaceRequest) -> HttpResponseBase:
    """POST: prepare a fresh backup (or join the one under way); GET: the backup section,
    which polls itself while a backup is being prepared."""
    if request.method == "POST":
        backup_download_request(workspace=request.workspace, user=request.user)
        if not is_partial(request):
            return see_other(reverse("exchange:export", args=[request.workspace.slug]) + "#backup")
    return render_page_or_partial(
        request, "exchange/export.html", "exchange/_backup.html", export_page_context(request)
    )


@require_safe  # download managers ask HEAD first, for the size and Accept-Ranges
@export_view
def export_backup_file(request: WorkspaceRequest, token: str) -> HttpResponseBase:
    """The prepared backup's file; 404 when it is not this workspace's, gone or expired."""
    download = backup_download_ready(workspace=request.workspace, token=token)
    if download is None:
        raise Http404("This backup is no longer there: prepare a new one.")
    stamp = timezone.localtime(download.finished_at)
    return file_download(
        request,
        backup_path(download),
        filename=f"{request.workspace.slug}-backup-{stamp:%Y-%m-%d-%H%M}.json",
        content_type="application/json",
        etag=download.token,
    )


@require_GET
@export_view
def export_backup(request: WorkspaceRequest) -> HttpResponse:
    """The old direct `backup.json`: a backup is now prepared first, on the Export page."""
    return see_other(reverse("exchange:export", args=[request.workspace.slug]) + "#backup")
