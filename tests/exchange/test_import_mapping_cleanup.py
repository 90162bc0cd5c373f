"""Uploads nobody imported are deleted once older than IMPORT_UPLOAD_TTL_HOURS — by the
next upload, or by `followthrough import_cleanup` — unless an import waiting or running
uses them."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from followthrough.exchange.imports import tasks
from followthrough.exchange.models import ImportBatch, ImportStatus

HOUR = 3600


@pytest.fixture(autouse=True)
def uploads_kept_a_day(media_root, settings):
    settings.IMPORT_UPLOAD_TTL_HOURS = 24
    return media_root


def keep(workspace, *, progress: bool = False) -> str:
    """Store an upload as the import form does (which clears out old ones first)."""
    upload = SimpleUploadedFile("c.csv", b"Email\nada@example.org\n")
    token = tasks.store_upload(workspace, upload, {"format": "csv", "mapping": {}})
    if progress:
        tasks.upload_path(workspace.pk, token).with_suffix(".progress.json").write_text("{}")
    return token


def age(workspace, token: str, hours_old: float) -> None:
    """Make the upload's files look last written `hours_old` ago."""
    stamp = time.time() - hours_old * HOUR
    for path in files_of(workspace, token):
        os.utime(path, (stamp, stamp))


def files_of(workspace, token: str) -> list[Path]:
    return sorted(tasks.upload_path(workspace.pk, token).parent.glob(f"{token}.*"))


def batch_for(workspace, token: str, status: str) -> ImportBatch:
    return ImportBatch.objects.create(
        workspace=workspace,
        format="csv",
        filename="c.csv",
        status=status,
        counts={"job": {"token": token, "size": 22}},
    )


def test_it_deletes_old_unused_uploads_and_keeps_fresh_ones(workspace, other_workspace):
    old, fresh, elsewhere = keep(workspace, progress=True), keep(workspace), keep(other_workspace)
    age(workspace, old, 25)
    age(workspace, fresh, 23)
    age(other_workspace, elsewhere, 30)
    assert [p.name.partition(".")[2] for p in files_of(workspace, old)] == [
        "json", "progress.json", "upload",
    ]  # fmt: skip
    done = tasks.discard_stale_uploads()
    assert done.uploads == 2 and done.size > 0
    assert files_of(workspace, old) == [] and files_of(other_workspace, elsewhere) == []
    assert len(files_of(workspace, fresh)) == 2
    assert tasks.upload_options(workspace, fresh) is not None


def test_uploads_a_waiting_or_running_import_uses_are_kept(workspace):
    waiting, running, finished = keep(workspace), keep(workspace), keep(workspace)
    for token in (waiting, running, finished):
        age(workspace, token, 48)
    batch_for(workspace, waiting, ImportStatus.PENDING)
    batch_for(workspace, running, ImportStatus.RUNNING)
    batch_for(workspace, finished, ImportStatus.DONE)  # its upload should be gone already
    assert tasks.discard_stale_uploads().uploads == 1
    assert files_of(workspace, waiting) and files_of(workspace, running)
    assert files_of(workspace, finished) == []


def test_a_token_in_use_in_another_workspace_protects_nothing_here(workspace, other_workspace):
    token = keep(workspace)
    age(workspace, token, 48)
    batch_for(other_workspace, token, ImportStatus.PENDING)
    assert tasks.discard_stale_uploads().uploads == 1


def test_an_upload_whose_mapping_was_just_chosen_is_not_old(workspace):
    token = keep(workspace)
    age(workspace, token, 30)
    assert tasks.update_upload_options(workspace, token, mapping={"Email": "email"})
    assert tasks.discard_stale_uploads().uploads == 0
    assert tasks.upload_options(workspace, token)["mapping"] == {"Email": "email"}


def test_other_files_in_the_folder_are_left_alone(workspace):
    token = keep(workspace)
    age(workspace, token, 48)
    folder = tasks.upload_path(workspace.pk, token).parent
    stray = folder / "notes.txt"
    stray.write_text("not ours")
    os.utime(stray, (0, 0))
    tasks.discard_stale_uploads()
    assert stray.exists()


def test_the_setting_sets_the_age_and_an_hour_is_the_least(settings, workspace):
    settings.IMPORT_UPLOAD_TTL_HOURS = 48
    token = keep(workspace)
    age(workspace, token, 30)
    assert tasks.discard_stale_uploads().uploads == 0
    settings.IMPORT_UPLOAD_TTL_HOURS = 0  # would delete uploads being previewed right now
    assert tasks.upload_ttl() == timedelta(hours=1)
    assert tasks.discard_stale_uploads().uploads == 1
    assert files_of(workspace, token) == []


def test_each_new_upload_clears_out_old_ones(workspace, other_workspace):
    old, old_elsewhere = keep(workspace), keep(other_workspace)
    age(workspace, old, 25)
    age(other_workspace, old_elsewhere, 25)
    new = keep(workspace)
    assert files_of(workspace, old) == [] and files_of(other_workspace, old_elsewhere) == []
    assert files_of(workspace, new)


def test_the_command_deletes_and_says_how_much(workspace, capsys):
    old, recent = keep(workspace), keep(workspace)
    age(workspace, old, 25)
    age(workspace, recent, 2)
    call_command("import_cleanup")
    assert "Deleted 1 upload older than 24 hours (0.0 MB)." in capsys.readouterr().out
    call_command("import_cleanup")
    assert "No uploads older than 24 hours to delete." in capsys.readouterr().out
    call_command("import_cleanup", "--older-than", "1.5")
    assert "Deleted 1 upload older than 1.5 hours" in capsys.readouterr().out


def test_the_command_with_zero_hours_deletes_every_upload_not_in_use(workspace, capsys):
    fresh, waiting = keep(workspace), keep(workspace)
    batch_for(workspace, waiting, ImportStatus.PENDING)
    call_command("import_cleanup", "--older-than", "0")
    assert "Deleted 1 upload older than 0 hours" in capsys.readouterr().out
    assert files_of(workspace, fresh) == [] and files_of(workspace, waiting)
    with pytest.raises(CommandError, match="0 or more"):
        call_command("import_cleanup", "--older-than", "-1")


def test_no_imports_folder_yet_is_nothing_to_do(db):
    assert tasks.discard_stale_uploads() == tasks.UploadCleanup(0, 0)
