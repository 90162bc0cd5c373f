"""Every row of every table, to show that an undone import left the database as it was."""

from __future__ import annotations

from typing import Any

from django.db import connection

from followthrough.people.search_schema import catch_up as search_catch_up

# FTS5's own storage (segments, sizes) is laid out anew by any write even when the
# indexed text ends up the same; the indexed text itself (`*_fts`) is compared.
_FTS_STORAGE = ("_data", "_idx", "_docsize", "_config", "_content")
# Caches rebuilt on their next read: an undo drops them on purpose.
_CACHES = {"matching_partnerindex"}


def tables() -> list[str]:
    names = sorted(connection.introspection.table_names())
    return [
        n
        for n in names
        if n != "sqlite_sequence" and not n.endswith(_FTS_STORAGE) and n not in _CACHES
    ]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """{table: its rows, sorted} for every table of the database, with the
    search index caught up first (as the next search would)."""
    search_catch_up(connection)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in tables():
            quoted = connection.ops.quote_name(table)
            fts = connection.vendor == "sqlite" and table.endswith("_fts")
            select = "rowid, *" if fts else "*"
            cursor.execute(f"SELECT {select} FROM {quoted}")  # noqa: S608 (the database's own table names)
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def differences(before: dict[str, list], after: dict[str, list]) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ, with their row counts before and after."""
    return {
        table: (len(before.get(table, [])), len(after.get(table, [])))
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    }
