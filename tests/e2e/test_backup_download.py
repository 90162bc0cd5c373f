"""The full backup in a real browser: prepare it on the Export page, see it ready, download
it; a member of a workspace whose owners keep exports to themselves sees why not.

The test settings run background tasks inline, so the backup is written when the
Prepare request commits; the polling while a worker prepares it is
tests/exchange/test_backup_download_permissions.py's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_prepare_a_backup_and_download_it(page, live_server, django_user_model, settings, tmp_path):
    from followthrough.exchange.backup.downloads import backup_path
    from followthrough.exchange.models import BackupDownload
    from followthrough.site.services import workspace_open
    from followthrough.workspaces.models import ExportRole, Membership, Role

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = django_user_model.objects.create_user(
        "kai@example.org", "kai@example.org", "pw-kai-123456"
    )
    workspace = workspace_open(name="Kai Org", owner=owner)
    log_in(page, live_server.url, "kai@example.org", "pw-kai-123456")

    page.goto(f"{live_server.url}/w/{workspace.slug}/export/")
    expect(page.locator('a[href*="/export/"][download]')).to_have_count(7)
    page.get_by_role("button", name="Prepare a backup").click()
    link = page.get_by_role("button", name="Download the backup")
    expect(link).to_be_visible()
    expect(page.get_by_text("It is deleted in 24 hours")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith(f"{workspace.slug}-backup-")
    saved = tmp_path / "saved.json"
    download.save_as(saved)
    assert saved.read_bytes() == backup_path(BackupDownload.objects.get()).read_bytes()

    # A member, once the owners keep exports to themselves, is told why, with no links.
    member = django_user_model.objects.create_user(
        "lea@example.org", "lea@example.org", "pw-lea-123456"
    )
    Membership.objects.create(workspace=workspace, user=member, role=Role.MEMBER)
    workspace.export_role = ExportRole.OWNER
    workspace.save()
    page.context.clear_cookies()
    log_in(page, live_server.url, "lea@example.org", "pw-lea-123456")
    page.goto(f"{live_server.url}/w/{workspace.slug}/export/")
    expect(page.get_by_text("only owners may download exports and backups")).to_be_visible()
    expect(page.get_by_role("button", name="Download the backup")).to_have_count(0)
    expect(page.locator('a[href*="/export/"][download]')).to_have_count(0)
    assert_accessible(page)
