"""Restore a JSON backup (see `exchange.backup`) into a new workspace.

The file is read as a stream (`BackupReader`: one section, one row at a time, whatever
its layout), rows are written in batches, and everything happens in one transaction: a
bad row anywhere leaves the database as it was. Backup-local ids are mapped to the new
rows' ids; users are matched by e-mail (case-insensitive) and, when missing, created
inactive without a usable password (see docs/import-export.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any, overload

from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from followthrough.exchange.backup import FORMAT, VERSION, BackupError
from followthrough.workspaces.models import Workspace

READ_SIZE = 1 << 20
MAX_ITEM = 64 * 1024 * 1024  # one row (a person with a photo) is far smaller than this
BATCH = 2000


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


@dataclass
class RestoreResult:
    workspace: Workspace
    counts: dict[str, int] = field(default_factory=dict)
    created_users: list[str] = field(default_factory=list)


@overload
def parse_datetime(value: str) -> datetime: ...
@overload
def parse_datetime(value: None) -> None: ...
def parse_datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"“{value}” has no time zone")
    return moment


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def decode_photo(item: dict[str, Any] | None) -> tuple[str, bytes] | None:
    if not item:
        return None
    try:
        return str(item["extension"])[:5], base64.b64decode(item["data"], validate=True)
    except (binascii.Error, TypeError) as error:
        raise ValueError(f"photo: {error}") from None


class IdMap:
    """Backup-local ids (1, 2, … in file order) → the new rows' database ids."""

    def __init__(self, section: str) -> None:
        self.section = section
        self._ids = array("q")

    def extend(self, ids: list[int]) -> None:
        self._ids.extend(ids)

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, local: Any) -> int | None:
        if local is None:
            return None
        if type(local) is not int or not 1 <= local <= len(self._ids):
            raise ValueError(f"refers to {self.section} {local!r}, which the backup lacks")
        return self._ids[local - 1]

    def require(self, local: Any) -> int:
        pk = self.get(local)
        if pk is None:
            raise ValueError(f"needs one of the {self.section}")
        return pk


def users_for_restore(items: Iterator[dict[str, Any]], created: list[str]) -> dict[str, Any]:
    """The installation's user for each backup e-mail (case-insensitive), creating the
    missing ones inactive, with an unusable password; `created` collects their e-mails."""
    User = get_user_model()
    found: dict[str, Any] = {}
    for item in items:
        email = str(item["email"])
        if email.lower() in found:
            continue
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = User(
                username=_free_username(User, email.lower()),
                email=email,
                first_name=str(item.get("first_name", ""))[:150],
                last_name=str(item.get("last_name", ""))[:150],
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
            created.append(email)
        found[email.lower()] = user
    return found


def _free_username(User: Any, wanted: str) -> str:
    name, n = wanted[:150], 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{wanted[:140]}-{n}"
    return name


def workspace_restore(*, stream: IO[str], slug: str) -> RestoreResult:
    """Load a backup into a new workspace `slug`, all or nothing.

    Raises `BackupError` when the slug is taken, the file is not a backup of a version
    this release reads, or a row is bad (naming its section and position); nothing is
    written then, and photo files already stored are removed again.
    """
    from followthrough.exchange.restore_rows import Restorer

    if Workspace.objects.filter(slug=slug).exists():
        raise BackupError(
            f"A workspace “{slug}” already exists. A backup is restored into a new, empty "
            "workspace: choose a slug that is not in use."
        )
    restorer = Restorer(slug)
    try:
        with transaction.atomic():
            _run(restorer, BackupReader(stream))
    except BaseException as error:
        restorer.discard_files()
        if isinstance(error, DatabaseError):
            raise BackupError(f"The backup does not fit this database: {error}") from error
        raise
    return restorer.result()


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
