"""How a restore takes a section's items: in batches of `BATCH`, each item built into its
row by the section's handler and checked, a bad item reported with its section, position,
id and field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model

from followthrough.exchange.backup.restore_values import BATCH, check_row, field_error, short
from followthrough.exchange.backup.writer import BackupError

MAX_MESSAGE = 400  # a value quoted in an error is cut: the message is for a person


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


def record(name: str, index: int, item: Any) -> str:
    """How an error names a record: “people record 12 (id 12)”."""
    local = item.get("id") if isinstance(item, dict) else None
    ident = f" (id {short(local)})" if local is not None else ""
    return f"{name} record {index:,}{ident}"


def refuse(name: str, index: int, item: Any, what: str) -> BackupError:
    what = what if len(what) <= MAX_MESSAGE else what[: MAX_MESSAGE - 1] + "…"
    joint = ", " if what.startswith("field ") else ": "
    return BackupError(f"{record(name, index, item)}{joint}{what}")


def build(name: str, start: int, batch: list[Any], make: Callable[[dict], Any]) -> list[Any]:
    """`make(item)` for each item, each row checked (`check_row`); a bad item refuses the
    file, naming its section, position, id and field."""
    built = []
    for offset, item in enumerate(batch):
        try:
            if not isinstance(item, dict):
                raise TypeError("is not an object")
            made = make(item)
            row = made[0] if isinstance(made, tuple) else made
            if isinstance(row, Model):
                check_row(row)
            built.append(made)
        except KeyError as error:
            raise refuse(name, start + offset, item, f"field {error.args[0]}: is missing") from None
        except ValidationError as error:
            raise refuse(name, start + offset, item, field_error(error)) from None
        except RecursionError:
            raise refuse(name, start + offset, item, "a value is nested too deeply") from None
        except (TypeError, ValueError, AttributeError, IndexError) as error:
            # An item of the wrong shape (a list where an object belongs, …).
            raise refuse(name, start + offset, item, str(error) or type(error).__name__) from None
    return built


def check_ids(name: str, start: int, batch: list[Any]) -> None:
    """Rows with ids are numbered 1, 2, 3, … in file order (batches come in order)."""
    for offset, item in enumerate(batch):
        if not isinstance(item, dict) or item.get("id") != start + offset:
            raise refuse(
                name, start + offset, item,
                f"field id: must be {start + offset} (ids count 1, 2, 3, … in order)",
            )  # fmt: skip


def bulk(name: str, start: int, batch: list[Any], make: Callable[[dict], Model]) -> list:
    objects = build(name, start, batch, make)
    return insert(name, start, batch, objects)


def insert(name: str, start: int, batch: list[Any], objects: list[Model]) -> list[Model]:
    """`bulk_create` the objects built from `batch`; when the database refuses them (a
    unique or check constraint), the record at fault is found and named."""
    if not objects:
        return []
    model = type(objects[0])
    try:
        with transaction.atomic():
            return model._default_manager.bulk_create(objects)
    except DatabaseError as error:
        culprit(name, start, batch, objects)
        end = start + len(batch) - 1
        raise BackupError(
            f"{name} records {start:,} to {end:,}: the database refused them ({error})."
        ) from error


def culprit(name: str, start: int, batch: list[Any], objects: list[Model]) -> None:
    """Insert the objects one by one (then roll back) to find the one the database
    refuses, and raise naming it — in the model's words where its constraints say why
    (`validate_constraints`). Only after a refusal: it costs a query or two a row."""
    model = type(objects[0])
    with transaction.atomic():
        for offset, obj in enumerate(objects):
            try:
                with transaction.atomic():
                    model._default_manager.bulk_create([obj])
            except DatabaseError as error:
                obj.pk = None
                item = batch[offset] if offset < len(batch) else None
                try:
                    obj.validate_constraints()
                except ValidationError as problem:
                    raise refuse(name, start + offset, item, field_error(problem)) from error
                raise refuse(
                    name, start + offset, item, f"the database refused it ({error})"
                ) from error
        transaction.set_rollback(True)  # nothing found: none of them stays
