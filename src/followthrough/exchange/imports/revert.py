"""Putting back what an import wrote, in short transactions: the rows it changed get
their old values, the rows it created are deleted.

Used by `undo.import_undo` (a member undoing a finished import), by the loader when an
import fails after its first batch was committed, and by `recovery` for an import whose
process was killed. Each chunk of `CHUNK` rows is its own transaction, so the write
lock is free between two chunks; every step can be run again (a row already put back or
deleted is passed over), so an undo that is itself interrupted is finished by the next.

A field the import changed is put back only while it still holds what the import wrote
there (`run.WRITTEN`): a member's edit made since (between two batches of a running
import, or after a finished one) is kept. Imports recorded before that was kept are
put back whole, as they always were.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import connection, models, transaction

from followthrough.exchange.imports.provenance import changed_rows, created_runs
from followthrough.exchange.imports.row_writer import RowWriter, WriteGaps
from followthrough.exchange.imports.run import CHANGED_ROWS, WRITTEN
from followthrough.exchange.models import ImportBatch, ImportedObject, ImportStatus
from followthrough.matching.index import forget as partners_forget
from followthrough.people.search_schema import catch_up as search_catch_up

# Rows that hang off others go first, so a cascade never finds them gone mid-way.
DELETE_ORDER = (
    "relationships.interaction",
    "events.attendance",
    "people.person_tags",
    "people.organization_focus_areas",
    "people.contactpoint",
    "people.persondetail",
    "exchange.externalid",
    "people.affiliation",
    "people.person",
    "events.event",
    "people.organization",
    "people.tag",
)
CHUNK = 1_000
_UNKNOWN = object()  # what an import recorded before `WRITTEN` existed wrote


@dataclass
class UndoResult:
    batch_id: int
    deleted: Counter[str] = field(default_factory=Counter)
    restored: Counter[str] = field(default_factory=Counter)
    kept: Counter[str] = field(default_factory=Counter)  # rows edited since: left as they are

    def summary(self) -> str:
        deleted = sum(self.deleted.values())
        restored = sum(self.restored.values())
        people = self.deleted.get("people.person", 0)
        return (
            f"import #{self.batch_id} undone: {deleted:,} rows deleted "
            f"({people:,} people), {restored:,} rows restored"
        )

    @property
    def anything(self) -> bool:
        return bool(+self.deleted or +self.restored)


def revert_rows(batch: ImportBatch, result: UndoResult) -> None:
    """Put back what `batch` changed and delete what it created, scoped to its
    workspace, `CHUNK` rows per transaction; then catch the search index up and have
    the partner scores recomputed. Photos the import stored are deleted once the chunk
    that let go of them is committed. Leaves the batch's status alone."""
    _restore_changed(batch, result)
    _delete_created(batch, result)
    if result.anything:
        # Organizations put back keep their old edit times, which the partners index
        # cannot tell from unchanged ones: it is rebuilt on the next read.
        partners_forget(workspace_id=batch.workspace_id)
    search_catch_up(connection)


def abandon_batch(
    batch_id: int, *, error: str, counts: dict[str, Any] | None = None, delete: bool = False
) -> UndoResult | None:
    """Undo what a failed or interrupted import wrote, then mark it failed with `error`
    (or delete it, with its provenance, when `delete`). None when the batch is gone."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return None
    result = UndoResult(batch_id=batch_id)
    revert_rows(batch, result)
    kept = {k: v for k, v in (counts if counts is not None else batch.counts).items()}
    for key in ("runner", "beat", "progress"):
        kept.pop(key, None)
    with transaction.atomic():
        if delete:
            touched = ImportedObject.objects.filter(workspace_id=batch.workspace_id, batch=batch)
            touched.delete()
            ImportBatch.objects.filter(pk=batch_id).delete()
        else:
            kept["undo"] = {"deleted": dict(result.deleted), "restored": dict(result.restored)}
            ImportBatch.objects.filter(pk=batch_id).update(
                status=ImportStatus.FAILED, error=error, counts=kept
            )
    return result


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def rows_of(label: str, batch: ImportBatch) -> models.QuerySet:
    """The rows of `label`, in the batch's workspace when they carry one (a tag on a
    person or a focus area is a many-to-many row without: its ids are the import's own)."""
    model = _model(label)
    rows = model._default_manager.all()
    if any(f.name == "workspace" for f in model._meta.concrete_fields):
        rows = rows.filter(workspace_id=batch.workspace_id)
    return rows


# (label, id) → field → [the value to put back, what the import last wrote there]
Plan = dict[tuple[str, int], dict[str, list[Any]]]


def _restore_plan(batch: ImportBatch) -> Plan:
    """What to put back, from the provenance read oldest first: a field's value from
    before the import, unless it was edited between two batches that changed it (the
    later batch found something else than the earlier one wrote): then the edit."""
    plan: Plan = {}
    changed = (
        ImportedObject.objects.filter(workspace_id=batch.workspace_id, batch=batch, created=False)
        .order_by("id")
        .values_list("model", "object_id", "before")
    )
    for label, first, entry in changed.iterator(chunk_size=100):
        model = _model(label)
        written = entry.get(WRITTEN) if isinstance(entry.get(CHANGED_ROWS), dict) else None
        for pk, before in changed_rows(first, entry):
            after = (written or {}).get(str(pk)) if written is not None else None
            fields = plan.setdefault((label, pk), {})
            for name, old in before.items():
                new = after.get(name, _UNKNOWN) if after is not None else _UNKNOWN
                kept = fields.get(name)
                if kept is None:
                    fields[name] = [old, new]
                    continue
                if kept[1] is not _UNKNOWN and not _same(model, name, old, kept[1]):
                    kept[0] = old
                kept[1] = new
    return plan


def _same(model: type[models.Model], name: str, value: Any, other: Any) -> bool:
    """Whether two values of a field are the same once read as the field reads them
    (ISO text and datetimes, "1" and 1…)."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    try:
        return bool(model_field.to_python(value) == model_field.to_python(other))
    except Exception:  # a value the field cannot read is not the same as one it can
        return False


def _restore_changed(batch: ImportBatch, result: UndoResult) -> None:
    items = sorted(_restore_plan(batch).items())
    gaps = WriteGaps()
    for start in range(0, len(items), CHUNK):
        with transaction.atomic():
            photos = _restore_chunk(batch, items[start : start + CHUNK], result)
            transaction.on_commit(partial(_delete_files, photos))
        gaps.after_commit()


Items = list[tuple[tuple[str, int], dict[str, list[Any]]]]


def _restore_chunk(batch: ImportBatch, items: Items, result: UndoResult) -> list[str]:
    """Put back one chunk, reading the rows' current values in the same transaction:
    a field someone changed since the import wrote it keeps its newer value. Returns the
    photos the import had given people that are now let go of."""
    by_label: dict[str, list[tuple[int, dict[str, list[Any]]]]] = defaultdict(list)
    for (label, pk), fields in items:
        by_label[label].append((pk, fields))
    writer = RowWriter(connection)
    photos: list[str] = []
    for label, rows in by_label.items():
        model = _model(label)
        names = sorted({name for _, fields in rows for name in fields})
        attnames = [model._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]
        found = rows_of(label, batch).filter(pk__in=[pk for pk, _ in rows])
        current = {
            pk: dict(zip(names, values, strict=True))
            for pk, *values in found.values_list("pk", *attnames)
        }
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for pk, fields in rows:
            now = current.get(pk)
            if now is None:
                continue  # deleted since: not put back
            back = {
                name: old
                for name, (old, new) in fields.items()
                if new is _UNKNOWN or _same(model, name, now[name], new)
            }
            if len(back) < len(fields):
                result.kept[label] += 1
            if not back:
                continue
            if (
                "photo" in back
                and label == "people.person"
                and now["photo"] not in ("", None, back["photo"])
            ):
                photos.append(now["photo"])
            columns = tuple(sorted(back))
            groups[columns].append((*(_db_value(model, n, back[n]) for n in columns), pk))
        for columns, values in groups.items():
            result.restored[label] += writer.update(model, columns, values)
    return photos


def _db_value(model: type[models.Model], name: str, value: Any) -> Any:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field.get_db_prep_save(model_field.to_python(value), connection)


def _delete_created(batch: ImportBatch, result: UndoResult) -> None:
    """Delete every run of rows the import created, children first, `CHUNK` ids per
    transaction; the photo files of the people deleted go once their chunk commits."""
    from followthrough.people.models import Person

    runs = created_runs(batch=batch)
    order = [label for label in DELETE_ORDER if label in runs]
    order += sorted(set(runs) - set(order))
    gaps = WriteGaps()
    for label in order:
        model = _model(label)
        for first, last in runs[label]:
            for start in range(first, last + 1, CHUNK):
                with transaction.atomic():
                    rows = rows_of(label, batch).filter(
                        pk__range=(start, min(last, start + CHUNK - 1))
                    )
                    photos: list[str] = []
                    if model is Person:
                        photos = list(rows.exclude(photo="").values_list("photo", flat=True))
                    _, by_model = rows.delete()
                    result.deleted[label] += by_model.get(model._meta.label, 0)
                    transaction.on_commit(partial(_delete_files, photos))
                gaps.after_commit()


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
