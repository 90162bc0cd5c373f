"""Helpers for the few hand-written SQL reads on hot pages (see agenda.selectors), and
batch writes of model instances inside the caller's transaction (`insert_rows`,
`update_rows`).

The SQL itself must run unchanged on SQLite and PostgreSQL; these helpers bridge the
one difference that matters there: how each backend passes datetimes in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, overload

from django.db import connection, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple]:
    """Run a read-only query on the default database and return its rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def db_datetime(value: datetime) -> Any:
    """An aware datetime as the backend stores it (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


@overload
def aware(value: datetime | str) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | str | None) -> datetime | None:
    """A datetime read back from raw SQL, made aware (SQLite returns naive UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# Batch writes of model instances --------------------------------------------------------
#
# `bulk_create` and `bulk_update` each open an atomic block of their own; these write
# only inside the caller's transaction (and refuse to run outside one), so a batch of
# writes is exactly the caller's one transaction. One multi-row INSERT … RETURNING
# per batch of rows (as Django's); updates as one statement sent with `executemany`.


def insert_rows(objs: Sequence[Model]) -> None:
    """Insert new instances of one model (no primary key yet) and set their ids, in
    order: one statement per batch of rows the backend accepts."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    _require_transaction(connection)
    if not connection.features.can_return_rows_from_bulk_insert:
        raise NotImplementedError(f"{connection.vendor} cannot return ids of a bulk insert.")
    fields = [f for f in opts.concrete_fields if not f.generated and not f.primary_key]
    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        query = InsertQuery(model)
        query.insert_values(fields, list(batch))
        rows = query.get_compiler(connection=connection).execute_sql([opts.pk])
        for obj, (pk,) in zip(batch, rows, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias


def update_rows(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of saved instances of one model: one `UPDATE … WHERE id = %s`
    sent with `executemany` (a CASE per field, as `bulk_update` builds, costs more to
    build and to run than the rows it writes)."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    _require_transaction(connection)
    columns = [field for name in fields if isinstance(field := opts.get_field(name), Field)]
    if len(columns) != len(fields):
        raise ValueError(f"Only concrete fields can be updated, not {fields}.")
    qn = connection.ops.quote_name
    # Table and column names from the model, quoted; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        qn(opts.db_table),
        ", ".join(f"{qn(field.column)} = %s" for field in columns),
        qn(opts.pk.column),
    )
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [opts.pk.get_db_prep_save(obj.pk, connection)]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _require_transaction(connection: BaseDatabaseWrapper) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("Batch writes run inside the caller's transaction.")
