"""Housekeeping that needs no schedule: forgetting what can no longer be used.

`followthrough serve` runs it at start (and the actions that create such leftovers run
their part as they go): uploads previewed but never imported (`exchange.imports.tasks`),
backups prepared for download that have expired (`exchange.backup.downloads`), and
deleted people whose undo window has passed (`people.bulk`), whose snapshots and photo
files would otherwise wait for the next deletion in their workspace.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from followthrough.exchange.backup.downloads import backup_files_discard
from followthrough.exchange.imports.tasks import discard_stale_uploads
from followthrough.people.bulk import deletions_purge


@dataclass(frozen=True)
class Housekeeping:
    uploads: int  # kept uploads deleted
    deletions: int  # people deletions forgotten (no longer undoable)
    backups: int = 0  # expired backup downloads deleted

    def summary(self) -> str:
        backups = f"{self.backups} expired backup{'s' * (self.backups != 1)}, " * bool(self.backups)
        return (
            f"{backups}{self.uploads} abandoned upload{'s' * (self.uploads != 1)} and "
            f"{self.deletions} expired deletion{'s' * (self.deletions != 1)} cleared"
        )


def housekeeping() -> Housekeeping:
    """Delete abandoned uploads, expired backup downloads and expired deletion snapshots,
    in every workspace."""
    uploads = discard_stale_uploads().uploads
    backups = backup_files_discard().backups
    with transaction.atomic():
        deletions = deletions_purge()
    return Housekeeping(uploads=uploads, deletions=deletions, backups=backups)
