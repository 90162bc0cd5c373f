"""The state one import carries from batch to batch: the workspace, the provenance
being written, and caches of organizations and tags by name.

Caches hold names and ids only (not rows), so they grow with the number of distinct
organizations and tags a file names, not with its length.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone

from followthrough.exchange.formats.own_uids import own_id
from followthrough.exchange.formats.records import Photo
from followthrough.exchange.imports.dedupe import OrgMembers, SuggestedPair
from followthrough.exchange.imports.result import Action, ImportResult, SuggestedMerge
from followthrough.exchange.imports.row_writer import RowWriter, WriteGaps
from followthrough.exchange.models import ExternalId, ImportedObject
from followthrough.people.models import Organization, Tag, photo_path

if TYPE_CHECKING:
    from followthrough.events.models import Event
    from followthrough.workspaces.models import Workspace

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE = 10_000
# The key of `ImportedObject.before` that holds a batch's changed rows of one table
# ({"<id>": {field: old value}}); no model has a field of that name.
CHANGED_ROWS = "rows"
# Beside it, the values the import wrote to those fields ({"<id>": {field: new value}}):
# undo puts a field back only while it still holds them, so an edit made since stays.
WRITTEN = "written"
TRACKED = frozenset({"people.person", "people.organization", "events.event", "events.attendance"})
PHOTO_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}


def jsonable(value: Any) -> Any:
    """A field value as `ImportedObject.before` keeps it (dates as ISO text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@dataclass
class ImportRun:
    workspace: Workspace
    batch_id: int
    result: ImportResult
    actor_id: int | None = None
    event: Event | None = None
    dry_run: bool = False
    now: datetime = field(default_factory=timezone.now)
    writer: RowWriter = field(default_factory=lambda: RowWriter(connection))
    # Ids of the rows records become or match (people, organizations, events,
    # attendances) that this import created / changed: a later record meeting one again
    # counts as "merged", and rows hanging off a created one need no `before`.
    created: dict[str, set[int]] = field(default_factory=dict)
    changed: dict[str, set[int]] = field(default_factory=dict)
    # Events a record of this file already matched or became, with that record's line:
    # a second record with the same UID (or title and start) is another event, or a repeat.
    events_matched: dict[int, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    pairs: set[SuggestedPair] = field(default_factory=set)
    lines: tuple[int | None, int | None] = (None, None)  # of the batch being loaded
    # The running batch's counts as the import started them (its job, its runner).
    counts: dict[str, Any] = field(default_factory=dict)
    gaps: WriteGaps = field(default_factory=WriteGaps)  # the lock left free between batches
    _new_ids: dict[str, list[int]] = field(default_factory=dict)
    _provenance: list[tuple[Any, ...]] = field(default_factory=list)
    _before: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workspace_id: int = self.workspace.pk
        self.orgs = OrganizationDirectory(self)
        self.tags = TagDirectory(self)
        self.members = OrgMembers(self.workspace.pk)

    def warn(self, line: int | None, message: str) -> None:
        self.result.warn(line, message)

    def is_created(self, label: str, pk: int) -> bool:
        return pk in self.created.get(label, ())

    def is_changed(self, label: str, pk: int) -> bool:
        return pk in self.changed.get(label, ())

    def record_created(self, label: str, ids: Iterable[int]) -> None:
        """New rows of `label`: counted, listed for undo, and (for the rows records
        become: `TRACKED`) remembered."""
        ids = list(ids)
        if label in TRACKED:
            self.created.setdefault(label, set()).update(ids)
        self.result.rows_created[label] += len(ids)
        self._new_ids.setdefault(label, []).extend(ids)

    def classify(self, label: str, pk: int, *, new: bool, first: bool, changed: bool) -> Action:
        """What a record did to the row it became or matched (see `result`)."""
        if new:
            return Action.CREATED if first else Action.MERGED
        if self.is_created(label, pk) or self.is_changed(label, pk):
            return Action.MERGED
        if changed:
            self.changed.setdefault(label, set()).add(pk)
            return Action.UPDATED
        return Action.SKIPPED

    def record_changed(self, label: str, pk: int, before: dict[str, Any]) -> None:
        """An existing row changed by this batch, with the old values of what changed.
        Undo applies these newest first, so a row changed by several batches ends with
        its values from before the import."""
        self.changed.setdefault(label, set()).add(pk)
        rows = self._before.setdefault(label, {})
        kept = rows.get(pk)
        if kept is None:
            rows[pk] = dict(before)
            return
        for name, value in before.items():
            kept.setdefault(name, value)  # changed twice in a batch: the first old value

    def suggest(self, person_id: int, other_id: int, reason: str, score: int, line: int) -> None:
        pair = (min(person_id, other_id), max(person_id, other_id))
        if person_id != other_id and pair not in self.pairs:
            self.pairs.add(pair)
            self.result.suggest(SuggestedMerge(person_id, other_id, reason, score, line))

    def flush_provenance(self) -> None:
        """Write the batch's `ImportedObject` rows (one statement per 5,000).

        Created rows are written as runs of consecutive ids: one row per run, its
        `object_id` the first id and `before["last_id"]` the last (see `undo`). Ids are
        handed out by this import alone (`row_writer.RowWriter`), so a batch's new rows of a
        table form one run or a few, and 100,000 new people cost a handful of rows.
        Changed rows are written one row per table: `before[CHANGED_ROWS]` maps each
        row's id to its old values, so 50,000 updated people cost 50 rows, not 50,000.
        """
        for label, ids in self._new_ids.items():
            for first, last in id_runs(ids):
                before = self.writer.json({"last_id": last} if last != first else {})
                self._provenance.append(
                    (self.workspace_id, self.batch_id, label, first, True, before)
                )
        for label, rows in self._before.items():
            entry: dict[str, Any] = {CHANGED_ROWS: {str(pk): old for pk, old in rows.items()}}
            if not self.dry_run:
                entry[WRITTEN] = written_values(label, rows)
            before = self.writer.json(entry)
            self._provenance.append(
                (self.workspace_id, self.batch_id, label, min(rows), False, before)
            )
        columns = ("workspace_id", "batch_id", "model", "object_id", "created", "before")
        self.writer.insert(ImportedObject, columns, self._provenance)
        self._provenance = []
        self._new_ids = {}
        self._before = {}

    def store_photo(self, photo: Photo, line: int) -> str:
        """Save a photo the file carried and return its storage name; "" (with a
        warning) when it is not an image we keep. A dry run checks but writes nothing."""
        if photo.left_out:
            self.warn(line, f"photo left out: {photo.left_out}")
            return ""
        suffix = photo_suffix(photo)
        if not suffix:
            self.warn(line, "photo left out: not a JPEG, PNG, GIF or WebP image (or over 10 MB)")
            return ""
        if self.dry_run:
            return f"photos/{self.workspace_id}/dry-run{suffix}"
        # A stand-in for the person, not yet created: photo_path reads only its workspace_id.
        name = photo_path(SimpleNamespace(workspace_id=self.workspace_id), f"photo{suffix}")  # type: ignore[arg-type]
        name = default_storage.save(name, ContentFile(photo.data))
        self.files.append(name)
        return name

    def discard_files(self) -> None:
        """Delete the photos this import wrote (it was rolled back)."""
        for name in self.files:
            default_storage.delete(name)
        self.files.clear()


def written_values(label: str, rows: dict[int, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The current values of the fields `rows` name (what this batch just wrote to them),
    read back in the batch's transaction: one query per table and batch."""
    model = apps.get_model(label)
    names = sorted({name for old in rows.values() for name in old})
    attnames = [_attname(model, name) for name in names]
    found = model._default_manager.filter(pk__in=sorted(rows)).values_list("pk", *attnames)
    return {
        str(pk): {name: jsonable(value) for name, value in zip(names, values, strict=True)}
        for pk, *values in found.iterator(chunk_size=2_000)
    }


def _attname(model: type[models.Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field.attname


def id_runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(set(ids)):
        if runs and pk == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


def photo_suffix(photo: Photo) -> str:
    """The file suffix for a photo whose header Pillow recognizes as a JPEG, PNG, GIF or
    WebP image of a sane size (its decompression-bomb limit applies), or "".

    The bytes are kept as the file gave them. Pillow's stricter `verify()` is not asked
    for: it refuses images that browsers show (a PNG with a wrong chunk checksum, as in
    macOS Contacts exports), and "loses nothing" matters more here.
    """
    from PIL import Image

    if not photo.data or len(photo.data) > MAX_PHOTO_BYTES:
        return ""
    try:
        with Image.open(io.BytesIO(photo.data)) as image:
            kind = image.format or ""
            width, height = image.size
    except Exception:  # Pillow raises many kinds for bad images; any means "not kept"
        return ""
    if not (0 < width <= MAX_PHOTO_SIDE and 0 < height <= MAX_PHOTO_SIDE):
        return ""
    return PHOTO_SUFFIXES.get(kind, "")


class OrganizationDirectory:
    """The workspace's organizations by lower-cased name and by the external ids of
    this file's organization records (vCard 4 RELATED), for the whole import.

    The names are read once, on first use (one query; ≈ 100 bytes per organization):
    a case-insensitive match on `name` has no index, so looking names up batch by
    batch would scan the workspace's organizations once per batch instead.
    """

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.by_name: dict[str, int] = {}
        self.by_ref: dict[str, int] = {}
        self.loaded = False

    def find(self, names: Iterable[str]) -> None:
        """Make sure every organization of the workspace is known by name; the lowest
        id wins when two share a name."""
        if self.loaded:
            return
        self.loaded = True
        rows = (
            Organization.objects.filter(workspace_id=self.run.workspace_id)
            .order_by()
            .values_list("name", "id")
        )
        for name, pk in rows.iterator(chunk_size=5_000):
            current = self.by_name.get(name.lower())
            if current is None or pk < current:
                self.by_name[name.lower()] = pk

    def ensure(self, names: Iterable[str]) -> None:
        """Find these names, and create the organizations that do not exist (one query
        and one insert)."""
        wanted = {n.lower(): n for n in names if n}
        self.find(wanted.values())
        rows = []
        for lower_name, name in wanted.items():
            if lower_name not in self.by_name:
                pk = self.run.writer.next_id(Organization)
                self.by_name[lower_name] = pk
                rows.append((pk, name))
        self.insert(rows)

    def insert(self, rows: list[tuple[int, str]], **fields: list[Any]) -> None:
        """Insert organizations: (id, name) pairs, plus optional per-row column lists."""
        if not rows:
            return
        now = self.run.writer.datetime(self.run.now)
        ws = self.run.workspace_id
        names = tuple(fields)
        columns = ("id", "workspace_id", "name", "created_at", "updated_at", *names)
        values = [
            (pk, ws, name, now, now, *(fields[n][i] for n in names))
            for i, (pk, name) in enumerate(rows)
        ]
        self.run.writer.insert(Organization, columns, values)
        self.run.record_created("people.organization", [pk for pk, _ in rows])

    def resolve_refs(self, refs: Iterable[str]) -> None:
        """Find organizations by an external id value (one query for unknown refs)."""
        missing = sorted({r for r in refs if r and r not in self.by_ref})
        if not missing:
            return
        slug = self.run.workspace.slug
        own = {ref: pk for ref in missing if (pk := own_id(ref, slug, kind="org"))}
        if own:  # our own export's UIDs name organizations by id (`own_uids`)
            found = Organization.objects.filter(
                workspace_id=self.run.workspace_id, pk__in=own.values()
            ).values_list("pk", flat=True)
            exists = set(found)
            self.by_ref.update({ref: pk for ref, pk in own.items() if pk in exists})
            missing = [ref for ref in missing if ref not in self.by_ref]
        rows = (
            ExternalId.objects.filter(
                workspace_id=self.run.workspace_id, organization__isnull=False, value__in=missing
            )
            .order_by()
            .values_list("value", "organization_id")
        )
        for value, pk in rows:
            self.by_ref.setdefault(value, pk)


class TagDirectory:
    """The workspace's tags by lower-cased name with their keep-in-touch cadence, read
    once per import (one query); missing tags are created (one insert per batch)."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.by_name: dict[str, int] = {}
        self.cadence: dict[int, int | None] = {}
        self.read = False

    def _read(self) -> None:
        """Every tag of the workspace, once per import (a small vocabulary). Names are
        compared lower-cased in Python: SQLite's LOWER() folds only ASCII, so matching in
        SQL would miss an existing "Жизнь" and insert it again."""
        if self.read:
            return
        self.read = True
        rows = Tag.objects.filter(workspace_id=self.run.workspace_id).order_by("pk")
        for name, pk, cadence in rows.values_list("name", "id", "cadence_days"):
            self.by_name.setdefault(name.lower(), pk)
            self.cadence[pk] = cadence

    def ensure(self, names: Iterable[str]) -> None:
        wanted = {n.lower(): n for n in names if n}
        missing = sorted(k for k in wanted if k not in self.by_name)
        if not missing:
            return
        self._read()
        new = []
        for lower_name in missing:
            if lower_name not in self.by_name:
                pk = self.run.writer.next_id(Tag)
                self.by_name[lower_name] = pk
                self.cadence[pk] = None
                new.append((pk, self.run.workspace_id, wanted[lower_name]))
        self.run.writer.insert(Tag, ("id", "workspace_id", "name"), new)
        self.run.record_created("people.tag", [row[0] for row in new])

    def ids(self, names: Iterable[str]) -> list[int]:
        return [self.by_name[n.lower()] for n in names]
