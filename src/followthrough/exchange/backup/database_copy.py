"""The consistent copy of a whole SQLite database (`followthrough backup --db`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.db import connection

from followthrough.exchange.backup.writer import BackupError


def database_backup(*, target: Path) -> None:
    """Copy the whole SQLite database to `target` with SQLite's online backup API.

    Consistent while the app keeps writing (the copy is one read transaction of a
    WAL-mode database, not a file copy that could catch a half-written page). The copy
    is switched to a plain rollback journal, so it is one self-contained file. Raises
    `BackupError` on PostgreSQL (use pg_dump) and when the target exists.
    """
    if connection.vendor != "sqlite":
        raise BackupError(
            f"backup --db copies SQLite databases; this installation runs on "
            f"{connection.vendor}. Use its own tool: pg_dump --format=custom --file "
            f"followthrough.dump DATABASE_URL (restore with pg_restore)."
        )
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no directory {target.parent} to write {target.name} in.")
    source_name = str(connection.settings_dict["NAME"])
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Every workspace and account is in the copy: readable by its owner only, as the
    # JSON backups are (SQLite keeps the mode of the file it is given).
    partial.touch(mode=0o600)
    source = sqlite3.connect(f"file:{source_name}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
            (check,) = destination.execute("PRAGMA quick_check").fetchone()
        finally:
            destination.close()
    finally:
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"The copy failed SQLite's check: {check}")
    partial.replace(target)
