"""Writes for many people at once: tag, untag, set the owner, delete — and undo a delete.

Every function takes person ids from a request and keeps only those of the workspace, so
a foreign id changes nothing; each does a fixed number of queries whatever the number of
people (no per-person loops against the database).

Undoing a delete: before deleting, the people's rows and every row that goes with them
(`snapshot_models()`) are copied into a `PeopleDeletion`; undoing inserts them back with
their original ids, so links and URLs keep working. Ids are never reused (SQLite's
AUTOINCREMENT, PostgreSQL's sequences), so the old ids are free. A row whose reference
vanished meanwhile (an event or tag deleted since) loses that reference when it is
optional, and is left out when it is not. After `UNDO_WINDOW` the snapshot is purged
(with the photo files), the next time anyone deletes people.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from followthrough.people import registry
from followthrough.people.models import PeopleDeletion, Person, Tag
from followthrough.people.services import tags_resolve
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BULK_MAX = 200  # people per request; the list shows 50 a page
UNDO_WINDOW = timedelta(minutes=30)


def snapshot_models() -> tuple[tuple[type[models.Model], tuple[str, ...]], ...]:
    """What deleting a person takes with it, in the order it is put back (what a row
    refers to comes before it), with the columns that point at the person: the person,
    then every model that refers to one (`registry.person_relations`)."""
    relations = registry.person_relations()
    return ((Person, ("id",)), *((relation.model, relation.columns) for relation in relations))


def _may_conflict(model: type[models.Model], columns: tuple[str, ...]) -> bool:
    """Whether a row put back may find its unique key taken meanwhile: a key that does
    not include the person (a re-import recorded the same identity for someone else).
    Such rows are skipped rather than failing the undo."""
    names = {f.name for f in model._meta.concrete_fields if f.attname in columns}
    keys = [set(fields) for fields in model._meta.unique_together]
    keys += [
        set(c.fields) for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)
    ]
    return any(not key & names for key in keys)


class BulkError(ValueError):
    """A bulk change that cannot be made, with a message for the user."""


def people_names(*, workspace: Workspace, ids: Iterable[int], limit: int) -> list[str]:
    """The full names of the first `limit` of these people of the workspace, by name
    (to say whom a bulk change is about). One query."""
    people = Person.objects.for_workspace(workspace).filter(pk__in=list(ids))
    return list(people.order_by("full_name", "pk").values_list("full_name", flat=True)[:limit])


def people_ids_in_workspace(*, workspace: Workspace, ids: Iterable[Any]) -> list[int]:
    """The ids among `ids` that are people of this workspace, in the given order;
    anything else is dropped. Raises `BulkError` for more than `BULK_MAX`. One query."""
    wanted = []
    for value in ids:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    wanted = list(dict.fromkeys(wanted))
    if len(wanted) > BULK_MAX:
        raise BulkError(f"Change at most {BULK_MAX} people at a time.")
    found = set(
        Person.objects.for_workspace(workspace).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    return [pk for pk in wanted if pk in found]


@transaction.atomic
def people_tag(
    *, workspace: Workspace, person_ids: Iterable[Any], tag_name: str
) -> tuple[Tag, int]:
    """Give these people the tag (created when new). Returns the tag and how many people
    got it (those who had it already are not counted)."""
    tags = tags_resolve(workspace=workspace, names=[tag_name[:60]])
    if not tags:
        raise BulkError("Name the tag to add.")
    tag, ids = tags[0], people_ids_in_workspace(workspace=workspace, ids=person_ids)
    through = Person.tags.through
    has_it = set(
        through.objects.filter(tag=tag, person_id__in=ids).values_list("person_id", flat=True)
    )
    new = [through(person_id=pk, tag_id=tag.pk) for pk in ids if pk not in has_it]
    through.objects.bulk_create(new, ignore_conflicts=True)
    if new and tag.cadence_days:
        registry.tags_changed(workspace, [row.person_id for row in new])
    return tag, len(new)


@transaction.atomic
def people_untag(*, workspace: Workspace, person_ids: Iterable[Any], tag_name: str) -> int:
    """Take the tag (by name, case-insensitive) off these people; how many lost it."""
    tag = Tag.objects.for_workspace(workspace).filter(name__iexact=tag_name.strip()).first()
    if tag is None:
        return 0
    ids = people_ids_in_workspace(workspace=workspace, ids=person_ids)
    rows = Person.tags.through.objects.filter(tag=tag, person_id__in=ids)
    affected = list(rows.values_list("person_id", flat=True))
    rows.delete()
    if affected and tag.cadence_days:
        registry.tags_changed(workspace, affected)
    return len(affected)


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _snapshot(ids: list[int]) -> dict[str, dict[str, list]]:
    """{model label: {"columns": [...], "rows": [[...], ...]}} of the people and what
    goes with them. One query per model, on its person index.

    `ids` are people of `workspace` already, and rows pointing at a person are of the
    person's workspace, so no workspace filter is added: with one, SQLite's planner
    (without ANALYZE) may prefer a workspace-led index and read the whole workspace.
    """
    snapshot: dict[str, dict[str, list]] = {}
    for model, columns in snapshot_models():
        rows = model._base_manager.filter(
            Q.create([(f"{column}__in", ids) for column in columns], connector=Q.OR)
        )
        names = [f.attname for f in model._meta.concrete_fields]
        values = [[_encode(v) for v in row] for row in rows.order_by("pk").values_list(*names)]
        snapshot[model._meta.label_lower] = {"columns": names, "rows": values}
    return snapshot


def deletions_purge(*, workspace: Workspace | None = None, now: datetime | None = None) -> int:
    """Forget deletions that can no longer be undone (and undone ones), deleting the
    photo files of the people they held once this commits. Returns how many."""
    cutoff = (now or timezone.now()) - UNDO_WINDOW
    old = PeopleDeletion.objects.filter(Q(deleted_at__lt=cutoff) | Q(restored_at__isnull=False))
    if workspace is not None:
        old = old.filter(workspace=workspace)
    photos = [
        name
        for names in old.filter(restored_at__isnull=True).values_list("photos", flat=True)
        for name in names
    ]
    if photos:
        storage = Person._meta.get_field("photo").storage

        def delete_files() -> None:
            for name in photos:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return old.delete()[0]


@transaction.atomic
def people_delete(
    *,
    workspace: Workspace,
    person_ids: Iterable[Any],
    actor: User | None = None,
    now: datetime | None = None,
) -> PeopleDeletion | None:
    """Delete these people (and their contact points, timeline, follow-ups, attendance…),
    keeping what is needed to undo it for `UNDO_WINDOW` (see the module docstring).
    Returns the deletion to pass to `people_restore`, or None when nobody matched.
    Cost: one query per model to copy, one per model to delete."""
    now = now or timezone.now()
    deletions_purge(workspace=workspace, now=now)
    ids = people_ids_in_workspace(workspace=workspace, ids=person_ids)
    if not ids:
        return None
    snapshot = _snapshot(ids)
    person_rows = snapshot["people.person"]
    photo_column = person_rows["columns"].index("photo")
    deletion = PeopleDeletion.objects.create(
        workspace=workspace,
        deleted_by=actor,
        deleted_at=now,
        count=len(ids),
        snapshot=snapshot,
        photos=[row[photo_column] for row in person_rows["rows"] if row[photo_column]],
    )
    Person.objects.for_workspace(workspace).filter(pk__in=ids).delete()
    return deletion


def undo_available(*, deletion: PeopleDeletion, now: datetime | None = None) -> bool:
    """Whether the deletion can still be undone."""
    return deletion.restored_at is None and deletion.deleted_at >= (
        (now or timezone.now()) - UNDO_WINDOW
    )


def _decode(model: type[models.Model], data: dict[str, list]) -> list[models.Model]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = [c for c in data["columns"] if c in fields]  # a column dropped since: ignore
    positions = [data["columns"].index(c) for c in columns]
    temporal = {c for c in columns if isinstance(fields[c], models.DateField)}
    objects = []
    for row in data["rows"]:
        values = {
            column: fields[column].to_python(row[i]) if column in temporal else row[i]
            for column, i in zip(columns, positions, strict=True)
        }
        objects.append(model(**values))
    return objects


def _without_dangling(
    model: type[models.Model], objects: list[models.Model], restored: dict[type, set[int]]
) -> list[models.Model]:
    """Clear references to rows deleted since (or leave the row out when required)."""
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.name == "workspace":
            continue
        target = field.related_model
        assert isinstance(target, type)  # a relation's model, resolved when apps are ready
        wanted = {getattr(o, field.attname) for o in objects} - {None}
        wanted -= restored.get(target, set())
        if not wanted:
            continue
        missing = wanted - set(
            target._base_manager.filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if not missing:
            continue
        if field.null:
            for o in objects:
                if getattr(o, field.attname) in missing:
                    setattr(o, field.attname, None)
        else:
            objects = [o for o in objects if getattr(o, field.attname) not in missing]
    return objects


@transaction.atomic
def people_restore(*, deletion: PeopleDeletion, now: datetime | None = None) -> int:
    """Undo a deletion: put the people and their rows back with their original ids.
    Returns how many people came back. Raises `BulkError` once `UNDO_WINDOW` has passed
    or when it was undone already. One or two queries per model."""
    deletion = PeopleDeletion.objects.select_for_update().get(pk=deletion.pk)
    if not undo_available(deletion=deletion, now=now):
        raise BulkError("This deletion can no longer be undone.")
    restored: dict[type, set[int]] = {}
    for model, columns in snapshot_models():
        data = deletion.snapshot.get(model._meta.label_lower)
        if not data or not data["rows"]:
            continue
        objects = _without_dangling(model, _decode(model, data), restored)
        model._base_manager.bulk_create(
            objects, batch_size=500, ignore_conflicts=_may_conflict(model, columns)
        )
        restored[model] = {o.pk for o in objects}
    deletion.restored_at = now or timezone.now()
    deletion.save(update_fields=["restored_at"])
    return len(restored.get(Person, ()))
