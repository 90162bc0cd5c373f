"""How a restore takes a section's items: in batches of `BATCH`, each item built into its
row by the section's handler, a bad item reported with its section and position."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from followthrough.exchange.backup.restore_values import BATCH, check_types
from followthrough.exchange.backup.writer import BackupError


def batches(items: Iterable[Any]) -> Iterator[tuple[int, list[Any]]]:
    batch: list[Any] = []
    start = 1
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield start, batch
            start, batch = start + BATCH, []
    if batch:
        yield start, batch


def build(name: str, start: int, batch: list[Any], make: Callable[[dict], Any]) -> list[Any]:
    """`make(item)` for each item, a bad item reported with its section and position."""
    built = []
    for offset, item in enumerate(batch):
        try:
            if not isinstance(item, dict):
                raise TypeError("is not an object")
            made = make(item)
            row = made[0] if isinstance(made, tuple) else made
            if isinstance(row, Model):
                check_types(row)
            built.append(made)
        except (KeyError, TypeError, ValueError, ValidationError) as error:
            what = f"lacks “{error.args[0]}”" if isinstance(error, KeyError) else str(error)
            raise BackupError(f"Backup section “{name}”, item {start + offset}: {what}") from None
    return built


def check_ids(name: str, start: int, batch: list[Any]) -> None:
    """Rows with ids are numbered 1, 2, 3, … in file order (batches come in order)."""
    for offset, item in enumerate(batch):
        if not isinstance(item, dict) or item.get("id") != start + offset:
            raise BackupError(
                f"Backup section “{name}”, item {start + offset}: its “id” must be "
                f"{start + offset} (ids count 1, 2, 3, … in order)."
            )


def bulk(name: str, start: int, batch: list[Any], make: Callable[[dict], Model]) -> list:
    objects = build(name, start, batch, make)
    return type(objects[0]).objects.bulk_create(objects) if objects else []
