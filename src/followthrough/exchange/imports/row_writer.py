"""Fast writes for the loader: ids handed out up front, rows sent with `executemany`.

The ORM's `bulk_create` builds a model instance and prepares every field of every row;
for a 100,000-row import that alone takes longer than the whole budget (bench/README.md
measured ≈ 6,400 rows/s against ≈ 40,000 for `executemany`). Here the loader builds
plain tuples of database-ready values and knows each new row's id before inserting it,
so rows can point at each other without reading anything back.

Every method runs inside the caller's transaction and costs one statement per call
(per `CHUNK` rows), never one per row.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError

from followthrough.sql import aware

CHUNK = 5_000
# PostgreSQL hands out ids from the table's sequence in blocks of this many.
ID_BLOCK = 1_000
# How long an import (and its undo) leaves SQLite's write lock free after each batch. A
# writer waiting for the lock sleeps between tries — 100 ms at a time once it has waited
# a quarter of a second — so the few milliseconds between two back-to-back batches it
# mostly missed: measured, single writes then waited up to 3 s during a 30,000-row
# import on the loaded 2-core machine; with 50 ms free after each batch, at most 0.26 s
# (0.1 s: about the same; 20 ms: up to 1.2 s). A gap is left once the lock was held
# that long since the last one, so a small import or undo never waits for nothing.
WRITE_GAP = 0.05
# When others are writing too — the import found the lock taken when it came back for its
# next batch — the gap doubles, up to this, so that a crowd of writers (20 members saving
# at once) shares the lock instead of queueing behind the import; it halves back towards
# WRITE_GAP once the import finds the lock free again, so an import alone pays 50 ms.
MAX_WRITE_GAP = 0.4
CONTENDED = 0.01  # a BEGIN that waited this long met another writer
PATIENCE = 600.0  # seconds an import's next batch waits for busy members before it fails


class WriteGaps:
    """Leaves SQLite's write lock free for a gap after a commit, once this writer has held
    it (nearly) that long since its last gap; the gap grows while others want the lock."""

    def __init__(self) -> None:
        self.since = time.monotonic()
        self.gap = WRITE_GAP

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """One short transaction of the import, timed at its BEGIN (which waits while
        others write), then the gap. A BEGIN that gives up ("database is locked": members
        kept the database busy past the busy timeout) is tried again, for up to
        `PATIENCE`: nothing was written yet, and an import may wait where a page may not."""
        asked = time.monotonic()
        with contextlib.ExitStack() as stack:
            while True:
                try:
                    stack.enter_context(transaction.atomic())
                    break
                except OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() - asked > PATIENCE:
                        raise
            self.waited(time.monotonic() - asked)
            yield
        self.after_commit()

    def waited(self, seconds: float) -> None:
        if seconds >= CONTENDED:
            self.gap = min(self.gap * 2, MAX_WRITE_GAP)
        else:
            self.gap = max(self.gap / 2, WRITE_GAP)

    def after_commit(self) -> None:
        if time.monotonic() - self.since >= WRITE_GAP:
            time.sleep(self.gap)
            self.since = time.monotonic()


class RowWriter:
    """Inserts and updates of plain tuples for one import, on one connection.

    Ids: on SQLite the writer holds the database's write lock for the whole of each
    batch's transaction (the loader's first statement in it is a write), so it counts on
    from the highest id the table has ever used (`sqlite_sequence`, so ids of deleted
    rows are never reused) — read again at the start of every batch (`fresh_ids`), since
    other writers insert rows between two batches; on PostgreSQL it draws blocks from
    the table's sequence, which stay the import's across transactions.
    """

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.vendor = connection.vendor
        if self.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"Imports support SQLite and PostgreSQL, not {self.vendor}.")
        self._ids: dict[type[models.Model], Iterator[int]] = {}
        self._sql: dict[tuple[str, tuple[str, ...], str], str] = {}

    # ids -------------------------------------------------------------------------------

    def fresh_ids(self) -> None:
        """Forget the ids counted so far (SQLite): call inside a new transaction, before
        its first id, once other writers may have inserted rows since the last one."""
        if self.vendor == "sqlite":
            self._ids.clear()

    def next_id(self, model: type[models.Model]) -> int:
        """A fresh primary key for a row of `model` (no query, except once per table on
        SQLite and once per `ID_BLOCK` ids on PostgreSQL)."""
        return next(self.ids(model))

    def ids(self, model: type[models.Model]) -> Iterator[int]:
        """The fresh primary keys of `model`, as an iterator shared with `next_id`: for
        the loops that take one per row, `next(ids)` costs a fraction of a call."""
        ids = self._ids.get(model)
        if ids is None:
            table = model._meta.db_table
            if self.vendor == "sqlite":
                ids = itertools.count(self._sqlite_high_water(table) + 1)
            else:
                ids = self._postgres_blocks(table)
            self._ids[model] = ids
        return ids

    def _postgres_blocks(self, table: str) -> Iterator[int]:
        while True:
            yield from self._postgres_ids(table, ID_BLOCK)

    def _sqlite_high_water(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            # Table and column names in this module come from model metadata, never from
            # input; values always travel as parameters.
            quoted = self.connection.ops.quote_name(table)
            cursor.execute(f"SELECT MAX(id) FROM {quoted}")  # noqa: S608
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
        return max(highest, row[0] if row else 0)

    def _postgres_ids(self, table: str, count: int) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]

    # values ----------------------------------------------------------------------------

    def datetime(self, value: datetime | None) -> Any:
        """An aware datetime as this backend stores it."""
        return self.connection.ops.adapt_datetimefield_value(value)

    def datetime_text(self, value: Any) -> str:
        """A datetime column's value as plain SQL returned it, as ISO text with its UTC
        offset (what `ImportedObject.before` keeps). SQLite's are naive UTC: the offset
        is appended, a quarter of the cost of making them aware first."""
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.isoformat() + "+00:00"
        moment = aware(value)
        return moment.isoformat() if moment is not None else ""

    def date(self, value: date | None) -> Any:
        if value is None or self.vendor == "postgresql":
            return value
        return value.isoformat()  # what Django's SQLite backend stores

    def json(self, value: Any) -> Any:
        """A value for a JSON column (jsonb on PostgreSQL, text on SQLite)."""
        if self.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb(value)
        return json.dumps(value)

    # statements ------------------------------------------------------------------------

    def insert(
        self, model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Insert `rows` (tuples in the order of `columns`, attnames) into `model`'s table.
        Columns left out get their field's default (which must not be callable)."""
        if not rows:
            return
        sql, extra = self._insert_sql(model, tuple(columns))
        if extra:
            rows = [row + extra for row in rows]
        self._run(sql, rows)

    def _insert_sql(
        self, model: type[models.Model], columns: tuple[str, ...]
    ) -> tuple[str, tuple[Any, ...]]:
        quote = self.connection.ops.quote_name
        missing = [
            f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        extra = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in missing)
        names = [_column(model, c) if c != "id" else "id" for c in columns]
        names += [f.column for f in missing]
        key = (model._meta.db_table, columns, "insert")
        if key not in self._sql:
            self._sql[key] = (
                f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, names))}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(names))})"
            )
        return self._sql[key], extra

    def update(
        self, model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> int:
        """Set `columns` of existing rows: each row is (*values, id). Returns how many
        rows the database changed (ids of rows gone since are skipped)."""
        if not rows:
            return 0
        quote = self.connection.ops.quote_name
        key = (model._meta.db_table, tuple(columns), "update")
        if key not in self._sql:
            assignments = ", ".join(f"{quote(_column(model, c))} = %s" for c in columns)
            table = quote(model._meta.db_table)
            self._sql[key] = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
        return self._run(self._sql[key], rows)

    def _run(self, sql: str, rows: Sequence[tuple[Any, ...]]) -> int:
        changed = 0
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, rows[start : start + CHUNK])
                changed += max(cursor.rowcount, 0)
        return changed


def select_in(
    connection: BaseDatabaseWrapper,
    sql: str,
    values: Sequence[Any],
    params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """Run `sql`, whose `{values}` stands for a list of placeholders, for `values` (after
    `params`). Plain SQL because the ORM prepares each value of an `__in` lookup one by
    one, which for a thousand keys costs more than the indexed lookup itself. Values
    must already be what the column holds (ints, texts). One query per 5,000 values.
    """
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            chunk = list(values[start : start + CHUNK])
            cursor.execute(sql.format(values=", ".join(["%s"] * len(chunk))), [*params, *chunk])
            rows += cursor.fetchall()
    return rows


def _column(model: type[models.Model], name: str) -> str:
    """The table column of `model`'s concrete field `name` (a field name or attname)."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field.column
