"""`followthrough export`: one workspace's data as CSV, vCard, iCalendar or JSON."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.exchange.backup.writer import backup_chunks
from followthrough.exchange.exports.csv_export import CSV_EXPORTS
from followthrough.exchange.exports.ics_export import ICS_EXPORTS
from followthrough.exchange.exports.output import ExportError, write_output
from followthrough.exchange.exports.streaming import snapshot_chunks
from followthrough.exchange.exports.vcard_export import VERSIONS, vcards
from followthrough.workspaces.commands import add_workspace_argument, command_workspace
from followthrough.workspaces.models import Workspace

FORMATS = ("csv", "vcard", "ics", "json")
DEFAULT_WHAT = {"csv": "people", "ics": "events"}


def export_chunks(workspace: Workspace, fmt: str, what: str, version: str) -> Iterator[str]:
    """The chosen export's text chunks; `ExportError` for a choice that does not exist."""
    if fmt == "csv" and what in CSV_EXPORTS:
        return CSV_EXPORTS[what](workspace=workspace)
    if fmt == "ics" and what in ICS_EXPORTS:
        return ICS_EXPORTS[what](workspace=workspace)
    if fmt == "vcard" and not what:
        return vcards(workspace=workspace, version=version)
    if fmt == "json" and not what:
        return backup_chunks(workspace=workspace)
    choices = {"csv": CSV_EXPORTS, "ics": ICS_EXPORTS}.get(fmt)
    if choices:
        raise ExportError(f"--what for {fmt} is one of: {', '.join(choices)}.")
    raise ExportError(f"--what does not apply to {fmt}.")


class Command(BaseCommand):
    help = (
        "Export a workspace: csv (people; --what organizations|interactions for the "
        "others), vcard (--version 3.0|4.0, default 3.0), ics (events; --what follow-ups "
        "for open follow-ups as tasks) or json (the full backup, as `followthrough "
        "backup`). Writes to standard output unless -o FILE is given."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version (of vCard) replaces Django's --version (of Django).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=FORMATS, help="csv, vcard, ics or json.")
        add_workspace_argument(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="Write here (default: stdout).")
        parser.add_argument(
            "--what",
            help="csv: people (default), organizations or interactions; "
            "ics: events (default) or follow-ups.",
        )
        parser.add_argument(
            "--version", choices=VERSIONS, help="vCard version (default 3.0); vcard only."
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        what = options["what"] or DEFAULT_WHAT.get(fmt, "")
        if options["version"] and fmt != "vcard":
            raise CommandError(f"--version is the vCard version; {fmt} has none to choose.")
        workspace = command_workspace(options["workspace"])
        try:
            chunks = export_chunks(workspace, fmt, what, options["version"] or "3.0")
        except ExportError as error:
            raise CommandError(str(error)) from error
        written = write_output(snapshot_chunks(chunks), path=options["output"], stdout=self.stdout)
        label = f"{what} as {fmt}" if what else fmt
        message = (
            f"Exported {label} of “{workspace.name}” to {written.target} ({written.size:,} bytes)."
        )
        (self.stderr if written.target == "standard output" else self.stdout).write(message)
