"""Undoing an import as a unit: what it created goes, what it changed gets its old values.

What the import created and changed is read from its provenance (`provenance`).

Undo runs in short transactions (`revert`) and marks the batch undone; a second undo is
refused. A field changed since the import wrote it keeps its newer value.
Rows the import created are deleted through the ORM, so what members added to them
since (interactions, follow-ups…) goes with them, as when a person is deleted by hand.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from followthrough.exchange.formats import registry
from followthrough.exchange.imports.provenance import Run, changed_rows, created_runs, merged
from followthrough.exchange.imports.revert import CHUNK, revert_rows, rows_of
from followthrough.exchange.imports.revert import UndoResult as RevertResult
from followthrough.exchange.imports.runner import RUNNER, runner_gone, this_runner
from followthrough.exchange.models import ImportBatch, ImportedObject, ImportStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The process undoing a batch, while it does (see `runner`).
UNDOING = "undoing"

DELETE_CHUNK = CHUNK


class ImportUndoRefused(Exception):
    """The import cannot be undone (already undone, or never finished)."""


class UndoResult(RevertResult):
    def plain_summary(self) -> str:
        """What the undo did, in plain words, for the web page."""
        done = _plain_words(self.deleted, self.restored, tense="past")
        if not done:
            return f"Import #{self.batch_id} undone. It had nothing left to remove or put back."
        return f"Import #{self.batch_id} undone: {done}."


# The kinds of rows the plain summaries name: (one, several). Contact details and roles
# are named only when the import added no people (else they are those people's).
_NOUNS = {
    "people.person": ("person", "people"),
    "people.organization": ("organization", "organizations"),
    "events.event": ("event", "events"),
    "events.attendance": ("event attendance", "event attendances"),
    "relationships.interaction": ("interaction", "interactions"),
    "people.tag": ("tag", "tags"),
}
_DETAILS = {
    "relationships.relationship": ("relationship", "relationships"),
    "people.contactpoint": ("contact detail", "contact details"),
    "people.persondetail": ("detail from an address book", "details from an address book"),
    "people.affiliation": ("role", "roles"),
    "people.person_tags": ("tag on a person", "tags on people"),
    "people.organization_focus_areas": ("focus area", "focus areas"),
    "exchange.externalid": ("external id", "external ids"),
}


def _named(counts: Counter[str] | dict[str, int], *, details: bool) -> list[str]:
    nouns = {**_NOUNS, **_DETAILS} if details else _NOUNS
    return [
        f"{counts[label]:,} {one if counts[label] == 1 else several}"
        for label, (one, several) in nouns.items()
        if counts.get(label)
    ]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _plain_words(
    removed: Counter[str] | dict[str, int], restored: Counter[str] | dict[str, int], *, tense: str
) -> str:
    """ "remove the 7 people … this import added, and put back what it changed on 2
    people" (tense "plan"), or "removed 7 people …, and put back …" (tense "past")."""
    gone = _named(removed, details=not removed.get("people.person"))
    back = _named(restored, details=False) or _named(restored, details=True)
    parts = []
    if gone and tense == "plan":
        parts.append(f"remove the {_and(gone)} this import added")
    elif gone:
        parts.append(f"removed {_and(gone)}")
    if back:
        owner = "this import" if not gone and tense == "plan" else "it"
        parts.append(f"put back what {owner} changed on {_and(back)}")
    return ", and ".join(parts)


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a batch would do, counted without doing it: rows still there that it
    would remove, and rows it would give their old values back, by model label."""

    batch_id: int
    removed: Counter[str]
    restored: Counter[str]
    # Imports made since that changed or added to the people and organizations this
    # one added (number, file name): what they did to those goes with them.
    later: tuple[tuple[int, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (+self.removed or +self.restored)

    def describe(self, *, later: bool = True) -> str:
        """The plan in plain words, for the confirmation page (and the CLI); without the
        later imports when `later` is False (the page links them on their own)."""
        words = _plain_words(self.removed, self.restored, tense="plan")
        if not words:
            return "This import added or changed nothing that is still there: nothing to undo."
        text = f"{words[0].upper()}{words[1:]}."
        if +self.removed:
            text += " What was added to those since goes with them."
        if +self.restored:
            text += " A field edited since the import keeps its newer value."
        if self.later and later:
            named = _and([f"#{pk} ({name})" for pk, name in self.later])
            text += f" {self.later_lead} {named}, {self.later_tail}"
        return text

    @property
    def described(self) -> str:
        """`describe` without the later imports, for a template."""
        return self.describe(later=False)

    @property
    def later_lead(self) -> str:
        return "Import" if len(self.later) == 1 else "Imports"

    @property
    def later_tail(self) -> str:
        """The words after the later imports' names."""
        pronoun = "it" if len(self.later) == 1 else "they"
        return f"made since, changed or added to some of them: what {pronoun} did to them goes too."


def import_touched_anything(*, batch: ImportBatch) -> bool:
    """Whether the import created or changed any row (else there is nothing to undo)."""
    return ImportedObject.objects.filter(workspace_id=batch.workspace_id, batch=batch).exists()


def import_undo_plan(*, batch: ImportBatch) -> UndoPlan:
    """Count what `import_undo(batch=batch)` would remove and put back, scoped to the
    batch's workspace; changes nothing. Only the kinds the plain summaries name are
    counted. Cost: one read of the batch's provenance, one count per kind of row and
    1,000 runs or ids."""
    kinds = set(_NOUNS) | set(_DETAILS)
    runs = created_runs(batch=batch, labels=kinds)
    changed: dict[str, set[int]] = defaultdict(set)
    touched = ImportedObject.objects.filter(
        workspace_id=batch.workspace_id, batch=batch, model__in=kinds, created=False
    ).values_list("model", "object_id", "before")
    for label, first, before in touched.iterator(chunk_size=100):
        changed[label].update(pk for pk, _ in changed_rows(first, before))
    removed: Counter[str] = Counter()
    restored: Counter[str] = Counter()
    for label, spans in runs.items():
        rows = _rows(label, batch)
        for start in range(0, len(spans), DELETE_CHUNK):
            within = Q()
            for first, last in spans[start : start + DELETE_CHUNK]:
                within |= Q(pk__range=(first, last))
            removed[label] += rows.filter(within).count()
    for label, ids in changed.items():
        rows = _rows(label, batch)
        ordered = sorted(ids)
        for start in range(0, len(ordered), DELETE_CHUNK):
            restored[label] += rows.filter(pk__in=ordered[start : start + DELETE_CHUNK]).count()
    later = tuple((other.pk, other.filename) for other in _later_imports(batch, runs))
    return UndoPlan(batch_id=batch.pk, removed=removed, restored=restored, later=later)


# Rows an import may add to a person or an organization: the columns that point at them.
_HANGING = {
    "people.contactpoint": ("person_id",),
    "people.persondetail": ("person_id",),
    "people.affiliation": ("person_id", "organization_id"),
    "events.attendance": ("person_id",),
    "relationships.interaction": ("person_id",),
    "exchange.externalid": ("person_id", "organization_id"),
    "people.person_tags": ("person_id",),
}
_OWNERS = {"person_id": "people.person", "organization_id": "people.organization"}
LATER_IMPORTS_CHECKED = 50


def _later_imports(batch: ImportBatch, runs: dict[str, list[Run]]) -> list[ImportBatch]:
    """The finished imports made since `batch` (the first 50) that changed people or
    organizations it added, or added rows to them. Cost: per later import, one read of
    its changed rows and one indexed query per kind of row it added."""
    ours = {label: merged(runs.get(label, [])) for label in _OWNERS.values()}
    if not any(ours.values()):
        return []
    later = ImportBatch.objects.filter(
        workspace_id=batch.workspace_id, pk__gt=batch.pk, status=ImportStatus.DONE
    ).order_by("pk")[:LATER_IMPORTS_CHECKED]
    return [other for other in later if _touches(other, ours)]


def _touches(other: ImportBatch, ours: dict[str, list[Run]]) -> bool:
    changed = ImportedObject.objects.filter(
        workspace_id=other.workspace_id, batch=other, created=False, model__in=list(ours)
    ).values_list("model", "object_id", "before")
    for label, first, before in changed.iterator(chunk_size=100):
        if any(_within(pk, ours[label]) for pk, _ in changed_rows(first, before)):
            return True
    for label, spans in created_runs(batch=other, labels=_HANGING).items():
        pointing = Q(pk__in=[])
        for column in _HANGING[label]:
            for first, last in ours[_OWNERS[column]]:
                pointing |= Q(**{f"{column}__gte": first, f"{column}__lte": last})
        added = Q(pk__in=[])
        for first, last in merged(spans):
            added |= Q(pk__range=(first, last))
        if _rows(label, other).filter(added).filter(pointing).exists():
            return True
    return False


def _within(pk: int, spans: list[Run]) -> bool:
    return any(first <= pk <= last for first, last in spans)


def import_undo(*, batch: ImportBatch, actor: User | None = None) -> UndoResult:
    """Undo `batch`: restore the rows it changed (a field edited since keeps its newer
    value), delete the rows it created, mark it undone. Raises `ImportUndoRefused` for a
    batch already undone, not finished, or being undone by a process still running.
    Runs in short transactions (`revert`), so the app keeps serving meanwhile; the
    batch names the process undoing it (`counts["undoing"]`), so an undo that is killed
    is finished by `recovery.imports_recover_interrupted`. Photos the import stored are
    deleted once the chunk that let go of them is committed.
    Cost: one read of the batch's provenance (streamed), one read and one update per
    1,000 changed rows, one delete per 1,000 created rows."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        _check(locked)
        ImportBatch.objects.filter(pk=locked.pk).update(
            counts={**locked.counts, UNDOING: this_runner()}
        )
    result = UndoResult(batch_id=locked.pk)
    revert_rows(locked, result)
    finish_undo(locked.pk, result, by=actor.pk if actor is not None else None)
    batch.refresh_from_db()
    return result


def finish_undo(batch_id: int, result: RevertResult, *, by: int | None) -> None:
    """Record a batch undone, with what its undo did."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch_id)
        counts = {k: v for k, v in locked.counts.items() if k != UNDOING}
        counts["undo"] = {
            "by": by,
            "deleted": dict(result.deleted),
            "restored": dict(result.restored),
        }
        locked.status = ImportStatus.UNDONE
        locked.undone_at = timezone.now()
        locked.counts = counts
        locked.save(update_fields=["status", "undone_at", "counts"])


def _check(batch: ImportBatch) -> None:
    name = f"Import #{batch.pk} ({batch.filename}, {registry.label(batch.format)})"
    if batch.status == ImportStatus.UNDONE:
        when = (
            timezone.localtime(batch.undone_at).strftime("%Y-%m-%d %H:%M")
            if batch.undone_at
            else ""
        )
        raise ImportUndoRefused(f"{name} was already undone{' on ' + when if when else ''}.")
    if batch.status != ImportStatus.DONE:
        raise ImportUndoRefused(
            f"{name} is “{batch.get_status_display()}”: only a finished import can be undone."
        )
    undoing = batch.counts.get(UNDOING)
    if undoing and not runner_gone({RUNNER: undoing}):
        raise ImportUndoRefused(f"{name} is being undone right now.")


def _rows(label: str, batch: ImportBatch) -> models.QuerySet:
    return rows_of(label, batch)
