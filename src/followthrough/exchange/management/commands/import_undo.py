"""`followthrough import_undo BATCH_ID`: undo one import as a unit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.exchange.models import ImportBatch
from followthrough.exchange.undo import ImportUndoRefused, import_undo


class Command(BaseCommand):
    help = (
        "Undo an import (its number is printed by `followthrough import`): the people, "
        "organizations, events and other rows it created are deleted, the rows it changed "
        "get their old values back. An import can be undone once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_id", type=int, metavar="BATCH_ID", help="The import's number.")
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
        try:
            result = import_undo(batch=batch)
        except ImportUndoRefused as error:
            raise CommandError(str(error)) from error
        number = f"Import #{batch.pk}"
        done = result.plain_summary().replace(number, f"{number} of “{batch.workspace.name}”", 1)
        self.stdout.write(self.style.SUCCESS(done))
