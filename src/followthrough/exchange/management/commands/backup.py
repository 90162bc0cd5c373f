"""`followthrough backup`: a workspace's JSON backup, or a copy of the whole database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.exchange.backup.database_copy import database_backup
from followthrough.exchange.backup.writer import BackupError, backup_chunks
from followthrough.exchange.exports.output import write_output
from followthrough.exchange.exports.streaming import snapshot_chunks
from followthrough.workspaces.commands import add_workspace_argument, command_workspace


class Command(BaseCommand):
    help = (
        "Back up one workspace as JSON (everything in it, restorable with `followthrough "
        "restore`), or with --db the whole installation's SQLite database as a consistent "
        "copy made while the app runs (SQLite's backup API). On PostgreSQL, use pg_dump. "
        "Without -o, writes followthrough-<slug>-<time>.json (or followthrough-<time>"
        ".sqlite3) in the current directory; -o - writes the JSON to standard output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_workspace_argument(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="Where to write the backup.")
        parser.add_argument(
            "--db",
            action="store_true",
            help="Copy the whole SQLite database (all workspaces and accounts) instead.",
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        if options["db"]:
            if options["workspace"]:
                raise CommandError("--db copies the whole database; leave out --workspace.")
            self._database(options["output"] or f"followthrough-{stamp}.sqlite3")
            return
        workspace = command_workspace(options["workspace"])
        output = options["output"] or f"followthrough-{workspace.slug}-{stamp}.json"
        chunks = snapshot_chunks(backup_chunks(workspace=workspace))
        written = write_output(chunks, path=output, stdout=self.stdout)
        message = (
            f"Backed up workspace “{workspace.name}” to {written.target} ({written.size:,} bytes)."
        )
        (self.stderr if written.target == "standard output" else self.stdout).write(message)

    def _database(self, output: str) -> None:
        if output == "-":
            raise CommandError("--db writes an SQLite file: give -o FILE.")
        target = Path(output).expanduser()
        try:
            database_backup(target=target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = target.stat().st_size
        self.stdout.write(f"Copied the database to {target} ({size:,} bytes).")
