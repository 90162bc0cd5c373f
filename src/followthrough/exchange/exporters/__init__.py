"""Exporters: a workspace's data out as CSV, vCard, iCalendar or a JSON backup.

Every exporter is a generator of text chunks (`Iterator[str]`) that reads the workspace in
chunks (`.iterator(chunk_size=…)`), so a 100,000-person export never holds the table in
memory. The web views stream the chunks (`StreamingHttpResponse`); the `export` and
`backup` commands write them to a file or standard output with `write_output`.
Exporters read only the workspace they are given: every query filters on it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from django.db import connection
from django.db.models import QuerySet

from followthrough.workspaces.models import Workspace

CHUNK_SIZE = 2000  # rows per database round trip
T = TypeVar("T")
BUFFER_SIZE = 64 * 1024  # characters per streamed chunk


class ExportError(Exception):
    """A request to export that cannot be met (unknown workspace, format or option)."""


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


def utc_text(value: datetime | None) -> str | None:
    """A date-time as exact, zone-free text for backups: ISO 8601 in UTC."""
    return value.astimezone(UTC).isoformat() if value else None


def workspace_for_cli(slug: str | None) -> Workspace:
    """The workspace a command works on: the one named, or the only one there is.

    Raises `ExportError` naming the known slugs when `slug` is unknown, or when it was
    left out and the data directory holds no workspace or several.
    """
    if slug:
        try:
            return Workspace.objects.get(slug=slug)
        except Workspace.DoesNotExist:
            raise ExportError(f"No workspace “{slug}”. {_known_slugs()}") from None
    workspaces = list(Workspace.objects.order_by("slug")[:2])
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise ExportError("There is no workspace in this data directory yet.")
    raise ExportError(
        f"This data directory holds several workspaces: name one with "
        f"--workspace SLUG. {_known_slugs()}"
    )


def _known_slugs() -> str:
    slugs = list(Workspace.objects.order_by("slug").values_list("slug", flat=True))
    return f"Workspaces: {', '.join(slugs)}." if slugs else "There is no workspace yet."


@dataclass
class Written:
    """What `write_output` wrote: where, and how many bytes."""

    target: str
    size: int


def write_output(chunks: Iterable[str], *, path: str | None, stdout: Any = None) -> Written:
    """Write text chunks as UTF-8 to `path`, or to standard output when `path` is empty.

    A file is written beside its final name and moved into place when complete, so a
    failed export never leaves a truncated file behind (nor replaces a good one).
    """
    if not path or path == "-":
        try:
            return Written("standard output", _write_stream(chunks, stdout))
        finally:
            # A reader gone (a broken pipe) leaves a generator's snapshot open: end it
            # now, while the connection is still there, not when Python exits.
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
    target = Path(path).expanduser()
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory (give a file name)", str(target))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, "No such directory", str(target.parent))
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, moved on success
        "wb", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
    )
    try:
        with handle:
            size = sum(handle.write(chunk.encode("utf-8")) for chunk in chunks)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Written(str(target), size)


def _write_stream(chunks: Iterable[str], stdout: Any) -> int:
    stream: IO[Any] = getattr(stdout, "_out", None) or stdout or sys.stdout
    binary = getattr(stream, "buffer", None)
    size = 0
    for chunk in chunks:
        data = chunk.encode("utf-8")
        if binary is not None:
            binary.write(data)
        else:
            stream.write(chunk)
        size += len(data)
    (binary or stream).flush()
    return size
