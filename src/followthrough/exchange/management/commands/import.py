"""`followthrough import FORMAT FILE`: bring a file of contacts or events into a workspace.

A thin caller of `exchange.imports.loader.import_records`: it picks the workspace, the event and
the parser's options, shows a progress bar, and prints what the import did.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.events.models import Event
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.csv import generic
from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.imports import column_mapping
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportFailed, ImportResult, ImportSource
from followthrough.exchange.mailbox.command import import_mail_files
from followthrough.exchange.mailbox.files import MAIL_FORMATS
from followthrough.exchange.models import ColumnMapping
from followthrough.workspaces.commands import add_workspace_argument, command_workspace
from followthrough.workspaces.models import Workspace

SHOWN_WARNINGS = 10
LABELS = {
    "people.person": "people",
    "people.organization": "organizations",
    "events.event": "events",
    "events.attendance": "attendances",
    "people.tag": "tags",
}


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (`kill`, a service manager stopping) ends the import as Ctrl-C does: what
    its batches committed is undone before the process exits (`loader.import_records`).
    Only the main thread may set a handler; elsewhere the default stays."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def resolve_workspace(slug: str | None) -> Workspace:
    """The workspace named, or the only one the data directory holds."""
    return command_workspace(slug)


def resolve_mapping(workspace: Workspace, value: str | None) -> dict[str, str]:
    """A column mapping given as JSON (`{"CSV header": "field"}`) or by a saved name."""
    if not value:
        return {}
    if value.lstrip().startswith("{"):
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError as error:
            raise CommandError(f"--mapping is not valid JSON: {error}") from error
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise CommandError('--mapping maps column names to field names: {"Col": "field"}.')
        return mapping
    saved = ColumnMapping.objects.for_workspace(workspace).filter(name=value).first()
    if saved is None:
        names = ColumnMapping.objects.for_workspace(workspace).values_list("name", flat=True)
        known = f"Saved mappings: {', '.join(names)}." if names else "There is none saved yet."
        raise CommandError(f"No saved column mapping “{value}”. {known}")
    return dict(saved.mapping)


def resolve_event(workspace: Workspace, event_id: int | None) -> Event | None:
    if event_id is None:
        return None
    event = Event.objects.for_workspace(workspace).filter(pk=event_id).first()
    if event is None:
        raise CommandError(
            f"No event #{event_id} in workspace “{workspace.slug}”. "
            f"`followthrough imports --events --workspace {workspace.slug}` lists them."
        )
    return event


def resolve_time_zone(workspace: Workspace, name: str | None) -> str:
    zone = name or workspace.timezone or "UTC"
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise CommandError(f"Unknown time zone “{zone}” (e.g. Europe/Berlin).") from error
    return zone


class Command(BaseCommand):
    help = (
        "Import a file into a workspace: FORMAT is one of "
        + ", ".join(f"{name} ({desc})" for name, (_, desc) in registry.FORMATS.items())
        + ". All or nothing: a bad record stops the import, names its line and field, and "
        "nothing is saved. People are matched by source id, e-mail, then LinkedIn profile "
        "URL; re-importing a file changes nothing. Prints the counts and the import's "
        "number, for `followthrough import_undo`. E-mail: mbox (one .mbox file) or eml "
        "(.eml files) logs each message on the timelines of the people it was sent to "
        "or came from (ours: From is a member's address or --me), closing the outreach "
        "a reply answers; unknown addresses are counted, never added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "format", choices=sorted([*registry.FORMATS, *MAIL_FORMATS]), help="The file's format."
        )
        parser.add_argument("file", nargs="+", help="The file to import (eml: one or more).")
        add_workspace_argument(parser)
        parser.add_argument(
            "--event",
            type=int,
            metavar="ID",
            help="The event the file's attendees (or people) attended (eventbrite needs it).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what the import would do (counts and first rows); save nothing.",
        )
        parser.add_argument(
            "--mapping",
            metavar="JSON-OR-NAME",
            help='For csv: {"Column": "field", …} or the name of a saved mapping.',
        )
        parser.add_argument(
            "--time-zone",
            metavar="TZ",
            help="Zone for times without one (default: the workspace's), e.g. Europe/Berlin.",
        )
        parser.add_argument(
            "--me",
            action="append",
            metavar="ADDRESS",
            help="mbox/eml: an address of ours besides the members' account e-mails "
            "(repeatable); messages from it are logged as sent.",
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["file"]]
        for path in paths:
            if path.is_dir():
                raise CommandError(f"{path} is a directory; give the file to import.")
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        workspace = resolve_workspace(options["workspace"])
        fmt = options["format"]
        if fmt in MAIL_FORMATS:
            import_mail_files(
                workspace=workspace, fmt=fmt, paths=paths, options=options, stdout=self.stdout
            )
            return
        if len(paths) > 1:
            raise CommandError(f"Give one {fmt} file at a time.")
        if options["me"]:
            raise CommandError("--me is for e-mail files (mbox, eml).")
        path = paths[0]
        column_mapping = resolve_mapping(workspace, options["mapping"])
        if column_mapping and fmt != "csv":
            raise CommandError(f"--mapping is for the csv format; {fmt} files name their columns.")
        if fmt == "csv" and not column_mapping:
            column_mapping = self._suggested_mapping(path)
        parse_options = registry.ParseOptions(
            time_zone=resolve_time_zone(workspace, options["time_zone"]),
            mapping=column_mapping,
        )
        event = resolve_event(workspace, options["event"])
        if event is not None and fmt in EVENTLESS_FORMATS:
            raise CommandError(
                f"--event is for files of people who attended it; {fmt} files hold "
                f"{EVENTLESS_FORMATS[fmt]}."
            )
        if event is None and fmt in registry.ATTENDEE_FORMATS:
            # Refused before the file is read: no row of it can be imported without.
            raise CommandError(
                f"The {fmt} format reads the attendees of one event: give the event with "
                f"--event ID (`followthrough imports --events --workspace {workspace.slug}` "
                "lists them)."
            )
        try:
            with (
                _stopped_by_sigterm(),
                path.open("rb") as stream,
                _Progress(stream, path) as progress,
            ):
                result = import_records(
                    workspace=workspace,
                    records=registry.parse(fmt, stream, parse_options),
                    source=ImportSource(fmt, path.name),
                    event=event,
                    dry_run=options["dry_run"],
                    progress=progress.update,
                )
        except ImportFailed as error:
            raise _nothing_imported(path, error) from error
        self._report(result, workspace, path)

    def _suggested_mapping(self, path: Path) -> dict[str, str]:
        """Without --mapping, the columns as the web import's column screen would start:
        guessed from the header (and the values), said on standard error."""
        try:
            columns = column_mapping.read_columns(path)
        except ParseError as error:
            raise _nothing_imported(path, error) from error
        suggested, _ = column_mapping.initial_mapping(columns, None)
        problems = column_mapping.check_mapping(suggested)
        if problems:
            raise CommandError(
                f"{path.name}: {problems[0].message} Give the columns with "
                '--mapping \'{"Column": "field", …}\' (fields: '
                f"{', '.join(generic.FIELDS)}) or the name of a saved mapping."
            )
        read = "; ".join(
            f"{column} → {label}" for column, label in column_mapping.describe(suggested)
        )
        self.stderr.write(f"Columns read as: {read} (--mapping to choose others).")
        return suggested

    def _report(self, result: ImportResult, workspace: Workspace, path: Path) -> None:
        write = self.stdout.write
        if result.dry_run:
            write(self.style.WARNING(f"Dry run of {path.name}: nothing was saved."))
        else:
            write(
                self.style.SUCCESS(
                    f"Imported {path.name} into “{workspace.name}” as import #{result.batch_id}."
                )
            )
        write(f"  {result.summary()}")
        rows = ", ".join(
            f"{count:,} {LABELS[label]}"
            for label, count in result.rows_created.items()
            if count and label in LABELS
        )
        if rows:
            write(f"  new: {rows}")
        if result.dry_run:
            write("  first rows:")
            for row in result.preview:
                write(f"    line {row.line:>6}  {row.action:<8} {row.kind:<12} {row.label}")
        for warning in result.warnings[:SHOWN_WARNINGS]:
            write(self.style.WARNING(f"  warning: {warning}"))
        if result.warnings_total > SHOWN_WARNINGS:
            write(f"  … and {result.warnings_total - SHOWN_WARNINGS:,} more warnings")
        if not result.dry_run and result.changed_anything:
            write(f"  undo with: followthrough import_undo {result.batch_id}")


# Formats that --event has no meaning for, and what their files hold instead.
EVENTLESS_FORMATS = {
    "ics": "events with their own attendees",
    "organizations": "organizations, not people",
}


def _nothing_imported(path: Path, error: Exception) -> CommandError:
    """The file's error as one sentence (its own full stop, not a second), then the news
    that nothing was saved."""
    message = str(error).rstrip(".")
    stop = "" if message.endswith(("?", "!")) else "."
    return CommandError(f"{path.name}: {message}{stop} Nothing was imported.")


class _Progress:
    """A rich progress bar on standard error, by bytes read, while the import runs;
    silent when standard error is not a terminal."""

    def __init__(self, stream: BinaryIO, path: Path) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.table import Column

        self.stream = stream
        console = Console(stderr=True)
        # One line whatever the terminal's width: the texts are cut short, never wrapped
        # (a wrapped line is left behind on screen each time the bar redraws).
        self.bar = Progress(
            TextColumn(
                "[bold]{task.description}",
                table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1),
            ),
            BarColumn(bar_width=20),
            TaskProgressColumn(),
            TextColumn(
                "{task.fields[counts]}",
                table_column=Column(no_wrap=True, overflow="ellipsis", ratio=2),
            ),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=True,
            expand=True,
        )
        self.task = self.bar.add_task(path.name, total=path.stat().st_size, counts="")

    def __enter__(self) -> _Progress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def update(self, result: ImportResult) -> None:
        try:
            done = self.stream.tell()
        except (OSError, ValueError):
            done = 0
        counts = f"{result.read:,} read, {result.created:,} new, {result.updated:,} updated"
        self.bar.update(self.task, completed=done, counts=counts)
