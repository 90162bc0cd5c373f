"""Reading what an import did, as the loader recorded it (`ImportedObject`).

Two kinds of entries (written by `run.ImportRun.flush_provenance`):

- created rows, as runs of consecutive ids: `object_id` is the first id of the run and
  `before["last_id"]` the last (absent for a run of one). The loader hands out ids
  itself, so every id in a run is a row that import made;
- changed rows, one entry per table and batch: `before["rows"]` maps each row's id to
  the old values of the fields the import changed (`object_id` is the lowest id).
  Imports made before that wrote one entry per row: `object_id` the row, `before` its
  old values (`changed_rows` reads both).

Undo (`undo`) and the people directory's "added by import #N" filter read them here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from followthrough.exchange.imports.run import CHANGED_ROWS
from followthrough.exchange.models import ImportBatch, ImportedObject

Run = tuple[int, int]  # (first id, last id)


def created_runs(
    *, batch: ImportBatch, labels: Iterable[str] | None = None
) -> dict[str, list[Run]]:
    """The runs of ids the import created, by model label ("people.person": [(7, 9)]),
    in the order they were written; only `labels` when given. One streamed query."""
    entries = ImportedObject.objects.filter(
        workspace_id=batch.workspace_id, batch=batch, created=True
    )
    if labels is not None:
        entries = entries.filter(model__in=list(labels))
    runs: dict[str, list[Run]] = defaultdict(list)
    for label, first, before in entries.values_list("model", "object_id", "before").iterator(
        chunk_size=2_000
    ):
        runs[label].append((first, int(before.get("last_id", first))))
    return runs


def changed_rows(object_id: int, before: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(id, old values) of the rows one entry of changed rows names."""
    rows = before.get(CHANGED_ROWS)
    if isinstance(rows, dict):
        for pk, values in rows.items():
            yield int(pk), values
    else:
        yield object_id, before


def merged(runs: Iterable[Run]) -> list[Run]:
    """Runs joined where they touch: an import's batches hand out ids one after another,
    so the people of a whole import are usually a single run."""
    joined: list[Run] = []
    for first, last in sorted(runs):
        if joined and first <= joined[-1][1] + 1:
            joined[-1] = (joined[-1][0], max(last, joined[-1][1]))
        else:
            joined.append((first, last))
    return joined


def people_added(*, batch: ImportBatch) -> list[Run]:
    """The id ranges of the people `batch` created (those still there are the ones in
    them: ids are never reused)."""
    return merged(created_runs(batch=batch, labels=["people.person"]).get("people.person", []))
