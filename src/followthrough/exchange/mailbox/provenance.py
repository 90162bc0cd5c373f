"""What a mail import changed, kept as the import pipeline keeps it (`ImportedObject`), so
`imports.undo` undoes a mail import like any other: the interactions and outreach it
created go, and the relationships, outreach and follow-ups it changed get their old
values back.

Logging an interaction changes the person's relationship (last interaction, stage, next
touch), their open outreach (nudged, replied, closed) and open follow-ups (done). Those
rows are snapshotted once per person, before the import first logs anything for them:
anything else the import changes afterwards is a row it created itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from followthrough.exchange.imports.run import CHANGED_ROWS, id_runs, jsonable
from followthrough.exchange.models import ImportBatch, ImportedObject
from followthrough.outreach.models import OPEN_STATES, Outreach
from followthrough.relationships.models import FollowUp, FollowUpStatus, Relationship

# The fields logging an interaction may change, by model.
CHANGED_FIELDS: dict[str, tuple[type[Any], tuple[str, ...], dict[str, Any]]] = {
    "relationships.relationship": (
        Relationship,
        ("stage", "last_interaction_at", "next_touch_due"),
        {},
    ),
    "outreach.outreach": (
        Outreach,
        ("state", "replied_at", "next_nudge_due", "nudge_count", "last_nudged_at"),
        {"state__in": OPEN_STATES},
    ),
    "relationships.followup": (
        FollowUp,
        ("status", "done_at"),
        {"status": FollowUpStatus.OPEN},
    ),
}


class MailProvenance:
    """Collects one transaction's provenance and writes it with that transaction."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self._snapshotted: set[int] = set()
        self._entries: list[ImportedObject] = []

    def before_logging(self, person_ids: Iterable[int]) -> None:
        """Snapshot what logging may change for the people not snapshotted yet."""
        new = sorted(set(person_ids) - self._snapshotted)
        if not new:
            return
        self._snapshotted.update(new)
        workspace_id = self.batch.workspace_id
        for label, (model, fields, where) in CHANGED_FIELDS.items():
            if model is Relationship:
                # One a person: by the unique index on the person, the workspace checked
                # here (in the query, SQLite reads the workspace's relationships instead).
                rows = model.objects.filter(person_id__in=new).values("id", "workspace_id", *fields)
                rows = [row for row in rows if row.pop("workspace_id") == workspace_id]
            else:
                rows = model.objects.filter(
                    workspace_id=workspace_id, person_id__in=new, **where
                ).values("id", *fields)
            before = {str(row.pop("id")): {k: jsonable(v) for k, v in row.items()} for row in rows}
            if before:
                self._add(label, min(int(pk) for pk in before), False, {CHANGED_ROWS: before})

    def created(self, label: str, ids: Iterable[int]) -> None:
        for first, last in id_runs(ids):
            self._add(label, first, True, {"last_id": last} if last != first else {})

    def flush(self) -> None:
        ImportedObject.objects.bulk_create(self._entries, batch_size=500)
        self._entries = []

    def _add(self, label: str, object_id: int, created: bool, before: dict[str, Any]) -> None:
        self._entries.append(
            ImportedObject(
                workspace_id=self.batch.workspace_id,
                batch=self.batch,
                model=label,
                object_id=object_id,
                created=created,
                before=before,
            )
        )
