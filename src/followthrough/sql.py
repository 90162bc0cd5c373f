"""Helpers for the few hand-written SQL reads on hot pages (see agenda.selectors).

The SQL itself must run unchanged on SQLite and PostgreSQL; these helpers bridge the
one difference that matters there: how each backend passes datetimes in and out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, overload

from django.db import connection


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
