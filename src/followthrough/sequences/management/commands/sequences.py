"""`followthrough sequences list [--workspace SLUG]`: the workspace's sequences, their
steps and how many people are going through each."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from followthrough.sequences.selectors import sequences_for_workspace
from followthrough.sequences.services.runs import sequence_steps
from followthrough.workspaces.commands import add_workspace_argument, command_workspace


class Command(BaseCommand):
    help = "Follow-up sequences: `list` shows each sequence, its steps and its active runs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="list")
        listing = actions.add_parser("list", help="The sequences, their steps and runs.")
        add_workspace_argument(listing)
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = command_workspace(options["workspace"])
        for sequence in sequences_for_workspace(workspace=workspace):
            flags = [
                flag
                for flag, on in (
                    ("archived", sequence.archived),
                    ("starts on focus picks", sequence.start_on_focus_pick),
                )
                if on
            ]
            self.stdout.write(
                f"{sequence.name}\t{sequence.active_runs} active"  # type: ignore[attr-defined]
                + "".join(f"\t{flag}" for flag in flags)
            )
            for number, step in enumerate(sequence_steps(sequence=sequence), 1):
                reply = ", stops on a reply" if step.stop_on_reply else ""
                self.stdout.write(
                    f"  {number}. day +{step.day_offset}: {step.wording} "
                    f"({step.get_action_display()}{reply})"
                )
