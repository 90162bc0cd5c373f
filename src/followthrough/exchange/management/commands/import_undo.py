"""`followthrough import_undo BATCH_ID [--yes]`: undo one import as a unit."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.exchange.imports.undo import ImportUndoRefused, import_undo, import_undo_plan
from followthrough.exchange.models import ImportBatch, ImportStatus


class Command(BaseCommand):
    help = (
        "Undo an import (its number is printed by `followthrough import`): the people, "
        "organizations, events and other rows it created are deleted, the rows it changed "
        "get their old values back. An import can be undone once. Says what it will do "
        "and asks first, unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_id", type=int, metavar="BATCH_ID", help="The import's number.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Undo without asking (needed when standard input is not a terminal).",
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = (
            ImportBatch.objects.select_related("workspace").filter(pk=options["batch_id"]).first()
        )
        if batch is None:
            raise CommandError(
                f"No import #{options['batch_id']}. `followthrough imports` lists them."
            )
        number = f"Import #{batch.pk}"
        if batch.status == ImportStatus.DONE and not options["yes"] and not self._confirmed(batch):
            self.stdout.write(f"{number} was not undone.")
            return
        try:
            result = import_undo(batch=batch)
        except ImportUndoRefused as error:
            raise CommandError(str(error)) from error
        done = result.plain_summary().replace(number, f"{number} of “{batch.workspace.name}”", 1)
        self.stdout.write(self.style.SUCCESS(done))

    def _confirmed(self, batch: ImportBatch) -> bool:
        """Say what the undo would do (as the web page does) and ask."""
        if not sys.stdin.isatty():
            raise CommandError(
                f"Undoing import #{batch.pk} deletes what it added; standard input is not a "
                "terminal to ask on, so add --yes to undo it."
            )
        plan = import_undo_plan(batch=batch)
        self.stdout.write(
            f"Import #{batch.pk} of “{batch.workspace.name}” ({batch.filename}): {plan.describe()}"
        )
        try:
            answer = input("Undo it? [y/N] ")
        except EOFError:
            answer = ""
        except KeyboardInterrupt:
            self.stdout.write("")  # the prompt's line ends before the CLI says it stopped
            raise
        return answer.strip().lower() in ("y", "yes")
