"""`followthrough profile set --from-json FILE`: our own organization's profile, from a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.site.services import PROFILE_KEYS, own_profile_set
from followthrough.workspaces.commands import add_workspace_argument, command_workspace


class Command(BaseCommand):
    help = (
        "Set the workspace's own organization profile from a JSON object with "
        f"{', '.join(PROFILE_KEYS)} (lists for focus_areas, offers and needs; offers and "
        "needs may also be one text, an offer or need a line). `-` reads standard input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="set")
        set_ = actions.add_parser("set", help="Set the own organization's profile.")
        set_.add_argument("--from-json", required=True, metavar="FILE", dest="file")
        add_workspace_argument(set_)
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = command_workspace(options["workspace"])
        data = _read(options["file"])
        try:
            own = own_profile_set(workspace=workspace, data=data)
        except ValueError as error:
            raise CommandError(f"{options['file']}: {error}") from None
        self.stdout.write(f"Profile of “{own.name}” set in /w/{workspace.slug}/.")


def _read(path: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise CommandError(f"Cannot read {path}: {reason}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{path} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold one JSON object, with {', '.join(PROFILE_KEYS)}.")
    return data
