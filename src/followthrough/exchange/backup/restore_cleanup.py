"""What a restore leaves behind when it fails or is cut short, and how it goes away.

A restore writes its workspace batch by batch, each batch in its own short transaction,
with `Workspace.restoring` set so nobody sees it. If it fails, `workspace_discard`
deletes the partly restored workspace, its photos and the accounts it created — in short
transactions too, so deleting does not hold the write lock for long either.

A restore killed outright (SIGKILL, power loss) cannot clean up after itself. It leaves
a marker file, `<data dir>/restores/<slug>.json`, naming its process (host, pid, the
process's start time, so a reused pid is not mistaken for it) and a heartbeat written
after each batch; `restores_abandoned_cleanup()` deletes every restoring workspace whose
restore is gone. `followthrough restore` calls it first; the worker's heartbeat and
`serve` may call it too (it is cheap when nothing is restoring).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model

from followthrough.exchange.backup.restore_values import BATCH
from followthrough.exchange.backup.sections import SECTIONS
from followthrough.exchange.backup.writer import BackupError
from followthrough.processes import process_ended, this_process
from followthrough.workspaces.models import Workspace

log = logging.getLogger(__name__)

# A heartbeat this old means the restore is gone even when its process cannot be
# checked (another host sharing the database); a batch takes about a second.
STALE_SECONDS = 15 * 60


def _markers() -> Path:
    return Path(settings.DATA_DIR) / "restores"


def _alive(marker: dict[str, Any]) -> bool:
    """Whether the restore the marker names still runs: its process has not ended, or,
    on another host, its heartbeat is recent."""
    ended = process_ended(marker.get("process"))
    if ended is None:
        return time.time() - float(marker.get("heartbeat", 0) or 0) < STALE_SECONDS
    return not ended


class RestoreMarker:
    """The marker file of one restore in progress (see the module's doc)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.path = _markers() / f"{slug}.json"
        self.user_ids: list[int] = []

    def claim(self) -> None:
        """Write the marker; refuse when a live restore into the same slug holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        current = read_marker(self.path)
        if current is not None and _alive(current):
            raise BackupError(
                f"A restore into “{self.slug}” is under way already: wait for it to finish."
            )
        self.beat()

    def beat(self, user_ids: Iterable[int] = ()) -> None:
        """Say this restore is alive, and which accounts it created (deleted if it dies)."""
        self.user_ids = list(user_ids)
        data = {
            "process": this_process(),
            "heartbeat": time.time(),
            "users": self.user_ids,
        }
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(data))
        partial.replace(self.path)  # never a half-written marker

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def read_marker(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _scoped_models() -> list[type[Model]]:
    """Every model with a `workspace` key, the backup's sections last to first (rows
    before what they refer to), then the rest (derived rows)."""
    ordered = [model for models in reversed(SECTIONS.values()) for model in reversed(models)]
    ordered += [m for m in apps.get_models() if m not in ordered]
    scoped = []
    for model in ordered:
        try:
            field = model._meta.get_field("workspace")
        except FieldDoesNotExist:
            continue  # an m2m table: its rows go with their person or organization
        if field.is_relation and field.related_model is Workspace:
            scoped.append(model)
    return scoped


def workspace_discard(
    workspace_id: int, *, files: Iterable[str] = (), user_ids: Iterable[int] = ()
) -> None:
    """Delete a (partly restored) workspace, its photos and the accounts its restore
    created, `BATCH` rows a transaction."""
    for model in _scoped_models():
        rows = model._default_manager.filter(workspace_id=workspace_id)
        while pks := list(rows.values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                model._default_manager.filter(pk__in=pks).delete()
    with transaction.atomic():
        Workspace.objects.filter(pk=workspace_id).delete()
    _delete_files(workspace_id, files)
    ids = list(user_ids)
    if ids:
        with transaction.atomic():
            # Only accounts no other workspace took on meanwhile.
            get_user_model().objects.filter(pk__in=ids, memberships__isnull=True).delete()


def _delete_files(workspace_id: int, files: Iterable[str]) -> None:
    for name in files:
        default_storage.delete(name)
    folder = f"photos/{workspace_id}"  # people.models.photo_path: a folder per workspace
    with contextlib.suppress(OSError, NotImplementedError):
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                default_storage.delete(f"{folder}/{name}")
            with contextlib.suppress(OSError, NotImplementedError):
                os.rmdir(default_storage.path(folder))


def restores_abandoned_cleanup() -> list[str]:
    """Delete every workspace left `restoring` by a restore that is gone (killed, or its
    machine restarted); returns their slugs. Cheap when nothing is restoring; safe to
    call from any process at any time (a live restore is left alone)."""
    gone = []
    for pk, slug in Workspace.objects.filter(restoring=True).values_list("pk", "slug"):
        marker = read_marker(_markers() / f"{slug}.json")
        if marker is not None and _alive(marker):
            continue
        users = marker.get("users", []) if marker else []
        user_ids = [pk for pk in users if type(pk) is int]
        log.warning("Deleting workspace %s, left behind by a restore that stopped.", slug)
        workspace_discard(pk, user_ids=user_ids)
        (_markers() / f"{slug}.json").unlink(missing_ok=True)
        gone.append(slug)
    return gone
