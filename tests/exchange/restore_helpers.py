"""Shared by the restore tests: a small real backup, and a snapshot of everything a
refused restore must leave as it was (every table's row count, the media files)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from django.db import connection

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.writer import backup_chunks
from followthrough.people.search_schema import catch_up as search_catch_up
from followthrough.workspaces.models import Workspace

_FTS_PARTS = re.compile(r"_(data|idx|docsize|config|content)$")


def backup_document(workspace: Workspace) -> dict[str, Any]:
    return json.loads("".join(backup_chunks(workspace=workspace)))


def restore_document(document: Any, slug: str = "restored") -> Any:
    return workspace_restore(stream=io.StringIO(json.dumps(document)), slug=slug)


def state(media_root: Path) -> tuple[dict[str, int], list[str]]:
    """Rows in every table (the search index's too) and the files under media."""
    search_catch_up(connection)  # a restore indexes what others wrote before it, too
    # An FTS5 index's own storage tables may keep merged segments after a delete: the
    # index table itself is counted.
    tables = [t for t in sorted(connection.introspection.table_names()) if not _FTS_PARTS.search(t)]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 -- table names
            counts[table] = cursor.fetchone()[0]
    files = sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
    return counts, files


def left_behind(before: tuple[dict[str, int], list[str]], media_root: Path) -> dict[str, Any]:
    """What changed since `before`: {table: (rows before, after)}, and "files"."""
    counts, files = state(media_root)
    changed: dict[str, Any] = {
        t: (before[0].get(t), n) for t, n in counts.items() if before[0].get(t) != n
    }
    if files != before[1]:
        changed["files"] = (before[1], files)
    return changed
