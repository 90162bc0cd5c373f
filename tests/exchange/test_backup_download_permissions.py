"""Who may take data out: every export and backup URL against owner, member and viewer
under both settings of the workspace's export rule; the Export page shows each what they
may use and why not; owners set the rule on the settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from followthrough.exchange.backup.downloads import backup_download_request
from followthrough.exchange.exports.permissions import OWNERS_ONLY, VIEWERS_REFUSED
from followthrough.exchange.models import BackupDownload, BackupStatus
from followthrough.workspaces.forms import WorkspaceSettingsForm
from followthrough.workspaces.models import ExportRole

pytestmark = pytest.mark.usefixtures("media_root", "backup_dir")

DOWNLOADS = [
    "exchange:export-people-csv",
    "exchange:export-organizations-csv",
    "exchange:export-interactions-csv",
    "exchange:export-vcard",
    "exchange:export-events-ics",
    "exchange:export-follow-ups-ics",
    "exchange:export-backup",  # the old direct URL: now a redirect to the Export page
    "exchange:export-backup-prepare",
    "exchange:export-backup-file",
]
ALLOWED = {
    ("owner", ExportRole.OWNER): True,
    ("owner", ExportRole.MEMBER): True,
    ("teammate", ExportRole.OWNER): False,
    ("teammate", ExportRole.MEMBER): True,
    ("viewer", ExportRole.OWNER): False,
    ("viewer", ExportRole.MEMBER): False,
}


@pytest.fixture
def backup_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR / "backups"


@pytest.fixture
def ready(workspace, owner, django_capture_on_commit_callbacks) -> BackupDownload:
    with django_capture_on_commit_callbacks(execute=True):
        download, _ = backup_download_request(workspace=workspace, user=owner)
    download.refresh_from_db()
    assert download.status == BackupStatus.READY
    return download


def _url(name: str, workspace, download: BackupDownload) -> str:
    args = [workspace.slug, download.token] if name.endswith("-file") else [workspace.slug]
    return reverse(name, args=args)


@pytest.mark.parametrize("role, export_role", sorted(ALLOWED))
@pytest.mark.parametrize("name", DOWNLOADS)
def test_the_export_rule_decides_every_download(
    request, workspace, ready, viewer, teammate, name, role, export_role
):
    workspace.export_role = export_role
    workspace.save()
    client = request.getfixturevalue(f"{role}_client")
    url = _url(name, workspace, ready)
    response = client.get(url)
    if ALLOWED[role, export_role]:
        assert response.status_code in (200, 303), (name, role, export_role)
    else:
        assert response.status_code == 403, (name, role, export_role)
        reason = VIEWERS_REFUSED if role == "viewer" else OWNERS_ONLY
        assert escape(reason) in response.content.decode()


@pytest.mark.parametrize("role, export_role", sorted(ALLOWED))
def test_only_those_allowed_may_ask_for_a_backup(
    request, workspace, viewer, teammate, role, export_role
):
    workspace.export_role = export_role
    workspace.save()
    client = request.getfixturevalue(f"{role}_client")
    response = client.post(reverse("exchange:export-backup-prepare", args=[workspace.slug]))
    if ALLOWED[role, export_role]:
        assert response.status_code == 303
        assert BackupDownload.objects.filter(workspace=workspace).count() == 1
    else:
        assert response.status_code == 403
        assert not BackupDownload.objects.exists()


def test_the_old_backup_url_leads_to_the_export_page(owner_client, workspace):
    response = owner_client.get(reverse("exchange:export-backup", args=[workspace.slug]))
    assert response.status_code == 303
    assert response["Location"] == reverse("exchange:export", args=[workspace.slug]) + "#backup"


@pytest.mark.parametrize("role, export_role", sorted(ALLOWED))
def test_the_export_page_hides_what_one_may_not_use_and_says_why(
    request, workspace, ready, viewer, teammate, role, export_role
):
    workspace.export_role = export_role
    workspace.save()
    client = request.getfixturevalue(f"{role}_client")
    page = client.get(reverse("exchange:export", args=[workspace.slug])).content.decode()
    links = [_url(name, workspace, ready) for name in DOWNLOADS if name != "exchange:export-backup"]
    if ALLOWED[role, export_role]:
        assert all(link in page for link in links)
        assert "Download the backup" in page
    else:
        assert not any(f'href="{link}' in page for link in links)
        assert escape(VIEWERS_REFUSED if role == "viewer" else OWNERS_ONLY) in page
        assert "Prepare a" not in page


def test_the_backup_section_follows_a_backup_being_prepared(owner_client, workspace, owner):
    backup_download_request(workspace=workspace, user=owner)  # queued: no commit here
    url = reverse("exchange:export-backup-prepare", args=[workspace.slug])
    fragment = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "Preparing…" in fragment and 'hx-trigger="every 2s"' in fragment
    # Asking again (htmx) shows the same preparation, not a second one.
    again = owner_client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "Preparing…" in again
    assert BackupDownload.objects.filter(workspace=workspace).count() == 1


def test_owners_set_who_may_export_on_the_settings_page(owner_client, teammate_client, workspace):
    data = {
        name: value
        for name, value in WorkspaceSettingsForm(instance=workspace).initial.items()
        if name in WorkspaceSettingsForm.base_fields
    }
    data["export_role"] = ExportRole.OWNER
    url = reverse("workspaces:settings", args=[workspace.slug])
    assert "Who may download exports and backups" in owner_client.get(url).content.decode()
    response = owner_client.post(url, data)
    assert response.status_code == 303, response.content.decode()[:2000]
    workspace.refresh_from_db()
    assert workspace.export_role == ExportRole.OWNER
    people = reverse("exchange:export-people-csv", args=[workspace.slug])
    assert teammate_client.get(people).status_code == 403
