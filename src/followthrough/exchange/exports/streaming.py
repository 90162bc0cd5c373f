"""How exports read the database and stream their text: a workspace's rows in chunks, from
one consistent snapshot, joined into large text chunks.

Every exporter is a generator of text chunks (`Iterator[str]`) that reads the workspace in
chunks (`.iterator(chunk_size=…)`), so a 100,000-person export never holds the table in
memory. The web views stream the chunks (`StreamingHttpResponse`); the `export` and
`backup` commands write them to a file or standard output with `output.write_output`.
Exporters read only the workspace they are given: every query filters on it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.db import connection
from django.db.models import QuerySet

CHUNK_SIZE = 2000  # rows per database round trip
T = TypeVar("T")
BUFFER_SIZE = 64 * 1024  # characters per streamed chunk


def buffered(pieces: Iterable[str], size: int = BUFFER_SIZE) -> Iterator[str]:
    """Join small pieces (one CSV line, one card) into chunks of about `size` characters,
    so a stream is written in a few large writes instead of one per row."""
    parts: list[str] = []
    length = 0
    for piece in pieces:
        parts.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    if parts:
        yield "".join(parts)


def chunked(rows: Iterable[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    """`rows` in lists of `size` (the last may be shorter), for one related query per
    list. Feed it one streamed query (`.iterator(chunk_size=…)`): a single ordered scan,
    where one query per page would sort the table again for every page."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def grouped(queryset: QuerySet, key: str, *fields: str) -> dict[Any, list[tuple]]:
    """The queryset's `fields` as tuples, grouped by `key` (order kept within a group)."""
    groups: dict[Any, list[tuple]] = {}
    for owner, *values in queryset.values_list(key, *fields):
        groups.setdefault(owner, []).append(tuple(values))
    return groups


@contextlib.contextmanager
def read_snapshot() -> Iterator[None]:
    """Read everything inside from one consistent snapshot of the database, without
    blocking writers.

    An export runs many queries (one per chunk and prefetch); without a snapshot, a row
    written meanwhile could appear in one section and be missing from another. SQLite
    in WAL mode gives a deferred (read) transaction a snapshot; PostgreSQL gives one to a
    REPEATABLE READ, READ ONLY transaction. Inside a caller's transaction (tests, a
    restore) that transaction already is the snapshot.
    """
    if connection.in_atomic_block:
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        else:
            # Django's own transactions are IMMEDIATE (they take the write lock); a plain
            # BEGIN is deferred and only ever reads.
            cursor.execute("BEGIN")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")


def snapshot_chunks(chunks: Iterable[str]) -> Iterator[str]:
    """`chunks`, produced inside one `read_snapshot` (ended when the stream is closed)."""
    with read_snapshot():
        yield from chunks
