"""Restore a JSON backup (see `writer`) into a new workspace.

The file is read as a stream (`BackupReader`: one section, one row at a time, whatever
its layout); each row is checked with its model's own field checks and rows are written
in batches, each batch in its own short transaction, into a workspace hidden until the
end (`Workspace.restoring`). A bad row anywhere, an error or an interruption deletes the
partly restored workspace again (`restore_cleanup`). Backup-local ids are mapped to the new
rows' ids; users are matched by e-mail (case-insensitive) and, when missing, created
inactive without a usable password (see docs/import-export.md).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import IO, Any

from django.db import DatabaseError

from followthrough.exchange.backup.restore_cleanup import RestoreMarker, workspace_discard
from followthrough.exchange.backup.restore_values import RestoreResult
from followthrough.exchange.backup.restorer import Restorer
from followthrough.exchange.backup.writer import FORMAT, VERSION, BackupError
from followthrough.matching.index import refresh as partners_refresh
from followthrough.workspaces.models import Workspace

log = logging.getLogger(__name__)

READ_SIZE = 1 << 20
MAX_ITEM = 64 * 1024 * 1024  # one row (a person with a photo) is far smaller than this


class BackupReader:
    """Reads a JSON object whose values are arrays (or small values) incrementally.

    `sections()` yields `(key, value)`; for an array the value is an iterator over its
    items, which must be consumed before the next section is read. Memory holds one
    read buffer and one item, whatever the file's size or layout.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._buffer = ""
        self._pos = 0
        self._eof = False
        self._decoder = json.JSONDecoder()
        self._dropped = 0  # characters read and dropped from the buffer before it
        self._section, self._item = "", 0  # what is being read, for errors

    def _fill(self) -> bool:
        if self._eof:
            return False
        self._dropped += self._pos
        self._buffer = self._buffer[self._pos :]
        self._pos = 0
        chunk = self._stream.read(READ_SIZE)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _peek(self) -> str:
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                raise BackupError("The backup file ends too early (is it complete?).")

    def _expect(self, *chars: str) -> str:
        char = self._peek()
        if char not in chars:
            raise BackupError(f"Not a Followthrough backup: expected {' or '.join(chars)}, "
                              f"found “{char}”.")  # fmt: skip
        self._pos += 1
        return char

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buffer, self._pos)
            except RecursionError:
                raise BackupError(
                    f"The backup is not one of ours: a value is nested too deeply "
                    f"(in section “{self._section}”)."
                ) from None
            except json.JSONDecodeError as error:
                position = self._dropped + error.pos + 1  # before _fill drops the buffer
                if len(self._buffer) - self._pos > MAX_ITEM or not self._fill():
                    at = f"character {position:,}"
                    if self._section:
                        item = f", item {self._item:,}" if self._item else ""
                        at += f" (section “{self._section}”{item})"
                    # json's messages lead into a position ("Unterminated string starting
                    # at"); the position is said already.
                    what = re.sub(r"\s+(starting\s+)?at$", "", error.msg)
                    raise BackupError(
                        f"The backup is not valid JSON, or it ends too early, at {at}: {what}."
                    ) from None
                continue
            if end == len(self._buffer) and self._fill():
                continue  # a number may go on in the next read
            self._pos = end
            return value

    def _items(self) -> Iterator[Any]:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        self._item = 1
        while True:
            yield self._value()
            self._item += 1
            if self._expect(",", "]") == "]":
                self._item = 0
                return

    def sections(self) -> Iterator[tuple[str, Any]]:
        if self._peek() == "\ufeff":  # a byte-order mark some editors add
            self._pos += 1
        self._expect("{")
        if self._peek() == "}":
            return
        while True:
            key = self._value()
            if not isinstance(key, str):
                raise BackupError("Not a Followthrough backup: a key is not a string.")
            self._expect(":")
            self._section, self._item = key, 0
            if self._peek() == "[":
                items = self._items()
                yield key, items
                for _ in items:  # the caller skipped some: read past them
                    pass
            else:
                yield key, self._value()
            if self._expect(",", "}") == "}":
                return


def workspace_restore(*, stream: IO[str], slug: str) -> RestoreResult:
    """Load a backup into a new workspace `slug`, all or nothing.

    Every record is checked with its model's own field checks before it is written;
    rows go in batch by batch, each batch its own short transaction (other requests are
    held up for a moment at most), into a workspace nobody sees until the last batch is
    in. Raises `BackupError` when the slug is taken, the file is not a backup of a
    version this release reads, or a record is bad (naming its section, position, id
    and field); the partly restored workspace, its photos and the accounts it created
    are deleted again then — and on any other error or interruption.
    """
    if Workspace.objects.filter(slug=slug).exists():
        raise BackupError(
            f"A workspace “{slug}” already exists. A backup is restored into a new, empty "
            "workspace: choose a slug that is not in use."
        )
    marker = RestoreMarker(slug)
    marker.claim()
    restorer = Restorer(slug, heartbeat=lambda: marker.beat(restorer.created_user_ids))
    try:
        _run(restorer, BackupReader(stream))
    except BaseException as error:
        _discard(restorer, marker)
        if isinstance(error, DatabaseError):
            raise BackupError(f"The backup does not fit this database: {error}") from error
        raise
    marker.release()
    result = restorer.result()
    partners_refresh(workspace=result.workspace)  # derived, so not in the backup
    return result


def _discard(restorer: Restorer, marker: RestoreMarker) -> None:
    """Delete what the failed restore wrote; if that fails too, the marker stays and
    `restores_abandoned_cleanup` finishes the job once this process is gone."""
    try:
        if restorer.workspace is not None:  # else nothing was written
            workspace_discard(
                restorer.ws.pk, files=restorer.files, user_ids=restorer.created_user_ids
            )
    except Exception:
        log.exception("Could not delete the workspace of a failed restore (%s).", restorer.slug)
        return
    marker.release()


def _run(restorer: Any, reader: BackupReader) -> None:
    sections = reader.sections()
    header: dict[str, Any] = {}
    for name, value in sections:
        if name not in ("format", "version"):
            raise BackupError("Not a Followthrough backup (it must begin with its format).")
        header[name] = value
        if len(header) == 2:
            break
    if header.get("format") != FORMAT:
        raise BackupError("Not a Followthrough backup (its “format” is missing or wrong).")
    version = header.get("version")
    if type(version) is not int or version > VERSION:
        raise BackupError(
            f"This backup has format version {version!r}; this release reads version "
            f"{VERSION} and older. Restore it with a newer Followthrough."
        )
    for name, value in sections:
        restorer.section(name, value)
    restorer.finish()
