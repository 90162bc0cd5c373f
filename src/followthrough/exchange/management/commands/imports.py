"""`followthrough imports [--workspace SLUG]`: the past imports, with the numbers that
`import_undo` takes, and the workspace's events with the ids `import --event` takes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from followthrough.events.models import Event
from followthrough.exchange.formats import registry
from followthrough.exchange.models import ImportBatch
from followthrough.workspaces.commands import add_workspace_argument, command_workspace

SHOWN = 50


class Command(BaseCommand):
    help = (
        "List a workspace's latest imports (number, when, file, format, what it did, "
        "status) — the number is what `followthrough import_undo` takes — and, with "
        "--events, its events with the ids `followthrough import --event` takes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_workspace_argument(parser)
        parser.add_argument(
            "--events", action="store_true", help="List the workspace's events instead."
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = command_workspace(options["workspace"])
        timezone.activate(workspace.timezone or "UTC")
        if options["events"]:
            self._events(workspace)
            return
        batches = ImportBatch.objects.for_workspace(workspace).order_by("-created_at", "-pk")
        shown = list(batches[:SHOWN])
        if not shown:
            self.stdout.write(f"No imports in “{workspace.name}” yet.")
            return
        for batch in shown:
            counts = batch.counts or {}
            did = ", ".join(
                f"{name} {counts.get(name, 0):,}" for name in ("created", "updated", "skipped")
            )
            when = timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(
                f"#{batch.pk:<6} {when}  {batch.filename} ({registry.label(batch.format)}): "
                f"{did} — {batch.get_status_display().lower()}"
            )
        if len(shown) == SHOWN and (total := batches.count()) > SHOWN:
            self.stdout.write(f"… the latest {SHOWN} of {total:,} imports.")

    def _events(self, workspace: Any) -> None:
        events = Event.objects.for_workspace(workspace).order_by("-starts_at", "-pk")[:SHOWN]
        if not events:
            self.stdout.write(f"No events in “{workspace.name}” yet.")
        for event in events:
            when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"#{event.pk:<6} {when}  {event.title}")
