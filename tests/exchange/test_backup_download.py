"""The full backup prepared in the background and downloaded as a file: one preparation
at a time per workspace, the same bytes as `followthrough backup`, byte ranges, expiry,
and nobody outside the workspace reaching the file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from followthrough.exchange.backup import downloads
from followthrough.exchange.backup.downloads import (
    BACKUP_TTL,
    backup_download_prepare,
    backup_download_request,
    backup_files_discard,
    backup_path,
)
from followthrough.exchange.models import BackupDownload, BackupStatus
from tests.exchange.test_backup import rich_workspace
from tests.factories import make_person, make_user

pytestmark = pytest.mark.usefixtures("media_root", "backup_dir")


@pytest.fixture
def backup_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR / "backups"


def prepared(workspace, user, capture) -> BackupDownload:
    """A backup asked for and written (the task runs when the request commits)."""
    with capture(execute=True):
        download, queued = backup_download_request(workspace=workspace, user=user)
    assert queued
    download.refresh_from_db()
    assert download.status == BackupStatus.READY, download.error
    return download


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def file_url(download: BackupDownload, slug: str | None = None) -> str:
    return reverse(
        "exchange:export-backup-file", args=[slug or download.workspace.slug, download.token]
    )


def test_the_prepared_file_is_what_followthrough_backup_writes(
    db, client, tmp_path, django_capture_on_commit_callbacks
):
    owner = make_user("alpha-owner@example.org")
    workspace = rich_workspace(owner=owner, marker="Alpha")
    rich_workspace(marker="Bravo")
    download = prepared(workspace, owner, django_capture_on_commit_callbacks)
    cli = tmp_path / "cli.json"
    call_command("backup", "--workspace", workspace.slug, "-o", str(cli))
    path = backup_path(download)
    assert path == Path(downloads.backups_root()) / str(workspace.pk) / f"{download.token}.json"
    # The backup holds no export time, so the two are the same bytes.
    assert path.read_bytes() == cli.read_bytes()
    assert download.size == path.stat().st_size
    assert b"Bravo" not in path.read_bytes()
    client.force_login(owner)
    response = client.get(file_url(download))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{workspace.slug}-')
    assert response["Cache-Control"] == "private, no-store"
    assert content(response) == cli.read_bytes()


@pytest.fixture
def ready(workspace, owner, django_capture_on_commit_callbacks) -> BackupDownload:
    for n in range(30):
        make_person(workspace, first_name=f"Person{n}", notes="x" * 50)
    return prepared(workspace, owner, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    "header, span",
    [
        ("bytes=0-99", (0, 100)),  # the first bytes
        ("bytes=1000-1999", (1000, 2000)),  # the middle
        ("bytes=-100", (-100, None)),  # the last 100 (a suffix)
        ("bytes=2000-", (2000, None)),  # the rest, as a resumed download asks
    ],
)
def test_a_single_byte_range_gets_206_with_that_slice(owner_client, ready, header, span):
    whole = backup_path(ready).read_bytes()
    size = len(whole)
    assert size > 2100
    start, stop = span
    start = start % size
    stop = size if stop is None else stop
    response = owner_client.get(file_url(ready), headers={"Range": header})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{stop - 1}/{size}"
    assert int(response["Content-Length"]) == stop - start
    assert content(response) == whole[start:stop]


def test_head_tells_the_size_and_that_ranges_are_served(owner_client, ready):
    response = owner_client.head(file_url(ready))
    assert response.status_code == 200
    assert int(response["Content-Length"]) == ready.size
    assert response["Accept-Ranges"] == "bytes"


def test_an_unsatisfiable_range_gets_416(owner_client, ready):
    size = ready.size
    response = owner_client.get(file_url(ready), headers={"Range": f"bytes={size}-{size + 10}"})
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "lines=0-5", "bytes=abc", "bytes=9-2"])
def test_ranges_we_do_not_serve_get_the_whole_file(owner_client, ready, header):
    response = owner_client.get(file_url(ready), headers={"Range": header})
    assert response.status_code == 200
    assert content(response) == backup_path(ready).read_bytes()


def test_if_range_resumes_only_the_same_backup(owner_client, ready):
    url = file_url(ready)
    same = owner_client.get(url, headers={"Range": "bytes=10-", "If-Range": f'"{ready.token}"'})
    assert same.status_code == 206
    other = owner_client.get(url, headers={"Range": "bytes=10-", "If-Range": '"another"'})
    assert other.status_code == 200 and len(content(other)) == ready.size


def test_a_second_request_while_one_is_prepared_joins_it(workspace, owner, teammate):
    # No commit in the test's transaction: the first stays queued.
    first, queued = backup_download_request(workspace=workspace, user=owner)
    second, again = backup_download_request(workspace=workspace, user=teammate)
    assert queued and not again
    assert second.pk == first.pk
    assert BackupDownload.objects.filter(workspace=workspace).count() == 1


def test_the_database_refuses_a_second_preparation(workspace):
    BackupDownload.objects.create(workspace=workspace, token="a" * 32)
    with pytest.raises(IntegrityError), transaction.atomic():
        BackupDownload.objects.create(workspace=workspace, token="b" * 32)


def test_losing_the_race_to_another_request_shows_its_backup(workspace, owner):
    theirs = BackupDownload.objects.create(workspace=workspace, token="t" * 32)
    # Our read found nothing under way (the other request had not committed yet).
    real = downloads._preparing
    with patch.object(downloads, "_preparing", side_effect=[None, real(workspace)]):
        mine, queued = backup_download_request(workspace=workspace, user=owner)
    assert (mine.pk, queued) == (theirs.pk, False)


def test_a_preparation_whose_worker_died_does_not_block_the_next(workspace, owner):
    dead = BackupDownload.objects.create(
        workspace=workspace,
        token="d" * 32,
        started_at=timezone.now() - timedelta(hours=1),
    )
    fresh, queued = backup_download_request(workspace=workspace, user=owner)
    assert queued and fresh.pk != dead.pk
    dead.refresh_from_db()
    assert dead.status == BackupStatus.FAILED


def test_a_new_backup_replaces_the_previous_one(
    workspace, owner, django_capture_on_commit_callbacks
):
    old = prepared(workspace, owner, django_capture_on_commit_callbacks)
    new = prepared(workspace, owner, django_capture_on_commit_callbacks)
    assert not BackupDownload.objects.filter(pk=old.pk).exists()
    assert not backup_path(old).exists() and backup_path(new).exists()


def test_old_backups_and_leftover_files_are_deleted(
    workspace, owner, backup_dir, django_capture_on_commit_callbacks
):
    kept = prepared(workspace, owner, django_capture_on_commit_callbacks)
    old = BackupDownload.objects.create(
        workspace=workspace,
        token="o" * 32,
        status=BackupStatus.READY,
        created_at=timezone.now() - BACKUP_TTL - timedelta(hours=1),
        finished_at=timezone.now() - BACKUP_TTL - timedelta(minutes=1),
    )
    backup_path(old).write_text("{}")
    leftover = backup_path(kept).with_name(f".{'z' * 32}.json.abc.partial")
    leftover.write_text("{")
    done = backup_files_discard()
    assert (done.backups, done.files) == (1, 1)  # the old one's file goes with it
    assert not backup_path(old).exists() and not leftover.exists()
    assert not BackupDownload.objects.filter(pk=old.pk).exists()
    assert backup_path(kept).exists()


def test_housekeeping_deletes_expired_backups(workspace, owner, django_capture_on_commit_callbacks):
    from followthrough.site.housekeeping import housekeeping

    download = prepared(workspace, owner, django_capture_on_commit_callbacks)
    BackupDownload.objects.filter(pk=download.pk).update(
        finished_at=timezone.now() - BACKUP_TTL - timedelta(seconds=1)
    )
    assert housekeeping().backups == 1
    assert not backup_path(download).exists()


def test_an_expired_backup_is_not_served(owner_client, ready):
    BackupDownload.objects.filter(pk=ready.pk).update(
        finished_at=timezone.now() - BACKUP_TTL - timedelta(seconds=1)
    )
    assert owner_client.get(file_url(ready)).status_code == 404


def test_another_workspaces_member_cannot_fetch_the_file(outsider_client, other_workspace, ready):
    assert outsider_client.get(file_url(ready)).status_code == 404
    # Their own workspace in the URL, our token: still 404.
    assert outsider_client.get(file_url(ready, slug=other_workspace.slug)).status_code == 404


def test_a_failed_preparation_says_so_and_leaves_no_file(workspace, owner, backup_dir):
    download, _ = backup_download_request(workspace=workspace, user=owner)
    with patch.object(downloads, "backup_chunks", side_effect=RuntimeError("disk on fire")):
        backup_download_prepare(download.pk)
    download.refresh_from_db()
    assert download.status == BackupStatus.FAILED
    assert "could not be written" in download.error
    assert [p for p in backup_dir.rglob("*") if p.is_file()] == []


def test_the_worker_clears_old_backups_about_hourly(workspace):
    with patch.object(downloads, "backup_files_discard") as discard:
        ran = downloads.backup_files_tick(None)
        assert downloads.backup_files_tick(ran) == ran  # a minute later: not again
        assert discard.call_count == 1
        assert downloads.backup_files_tick(ran - 3600) != ran - 3600
        assert discard.call_count == 2
    from followthrough.workspaces.periodic import periodic_jobs

    assert "backup files" in {job.name for job in periodic_jobs()}
