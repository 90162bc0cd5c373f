"""Housekeeping at `serve` start: abandoned uploads and expired deletion snapshots go."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from followthrough.exchange.imports import tasks
from followthrough.people import bulk
from followthrough.people.models import PeopleDeletion
from followthrough.site.housekeeping import housekeeping
from tests.factories import make_person


@pytest.fixture(autouse=True)
def uploads_kept_a_day(media_root, settings):
    settings.IMPORT_UPLOAD_TTL_HOURS = 24
    return media_root


def _upload(workspace, hours_old: float) -> str:
    upload = SimpleUploadedFile("c.csv", b"Email\nada@example.org\n")
    token = tasks.store_upload(workspace, upload, {"format": "csv", "mapping": {}})
    stamp = time.time() - hours_old * 3600
    for path in tasks.upload_path(workspace.pk, token).parent.glob(f"{token}.*"):
        os.utime(path, (stamp, stamp))
    return token


def test_it_clears_abandoned_uploads_and_expired_deletions_and_keeps_the_rest(
    workspace, other_workspace, django_capture_on_commit_callbacks
):
    fresh = _upload(other_workspace, 1)
    old = _upload(workspace, 48)  # aged after storing (storing clears old uploads itself)
    expired = bulk.people_delete(workspace=workspace, person_ids=[make_person(workspace).pk])
    recent = bulk.people_delete(
        workspace=other_workspace, person_ids=[make_person(other_workspace).pk]
    )
    PeopleDeletion.objects.filter(pk=expired.pk).update(
        deleted_at=timezone.now() - bulk.UNDO_WINDOW - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = housekeeping()

    assert (done.uploads, done.deletions) == (1, 1)
    assert done.summary() == "1 abandoned upload and 1 expired deletion cleared"
    assert not tasks.upload_path(workspace.pk, old).exists()
    assert tasks.upload_path(other_workspace.pk, fresh).exists()
    assert list(PeopleDeletion.objects.values_list("pk", flat=True)) == [recent.pk]
    assert housekeeping() == type(done)(uploads=0, deletions=0)
