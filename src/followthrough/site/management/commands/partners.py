"""`followthrough partners`: the ranked potential partners of a workspace, with reasons."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.matching.engines import semantic_available
from followthrough.matching.index import refresh as partners_refresh
from followthrough.matching.selectors import own_profile, potential_partners
from followthrough.workspaces.commands import add_workspace_argument, command_workspace
from followthrough.workspaces.models import Engine


class Command(BaseCommand):
    help = (
        "Print the organizations whose work meets the workspace's own profile, best first, "
        "with the reasons; leaves out those with an active relationship. --json prints a "
        "list of {name, score, reasons}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_workspace_argument(parser)
        parser.add_argument("--limit", type=int, default=20, help="How many (default 20).")
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument(
            "--engine",
            choices=Engine.values,
            help="Score with this engine instead of the workspace's setting (semantic and "
            "blended need the semantic extra).",
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["limit"] <= 1000:
            raise CommandError("--limit must be from 1 to 1000.")
        workspace = command_workspace(options["workspace"])
        if own_profile(workspace=workspace) is None:
            raise CommandError(
                "The workspace's own profile is empty: set it first "
                "(`followthrough profile set --from-json FILE`)."
            )
        engine = options["engine"]
        if engine and engine != Engine.LEXICAL and not semantic_available():
            raise CommandError(
                f"The {engine} engine needs the semantic extra: "
                "pip install 'followthrough[semantic]' (see the README)."
            )
        # A command may take its time: every phrase the semantic engines lack is embedded.
        partners_refresh(workspace=workspace, engine=engine, embed_all=True)
        matches = potential_partners(workspace=workspace, limit=options["limit"], engine=engine)
        if options["json"]:
            rows = [{"name": m.name, "score": m.score, "reasons": list(m.reasons)} for m in matches]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not matches:
            self.stdout.write("No organization meets the profile yet.")
        for rank, match in enumerate(matches, 1):
            self.stdout.write(f"{rank:>3}. {match.name} ({match.score:.2f})")
            for reason in match.reasons:
                self.stdout.write(f"       - {reason}")
