"""`followthrough import mbox FILE` and `followthrough import eml FILE…`: the mail half of
the `import` command, printing the result with rich."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table

from followthrough.exchange.mailbox.files import (
    MailImportFailed,
    mail_import_batch,
    read_mail_files,
)
from followthrough.exchange.mailbox.result import MailImportResult
from followthrough.workspaces.models import Workspace

SHOWN_WARNINGS = 10


def import_mail_files(
    *, workspace: Workspace, fmt: str, paths: list[Path], options: dict[str, Any], stdout: Any
) -> MailImportResult:
    """Import the files and print what was done; `CommandError` when they cannot be read."""
    if fmt == "mbox" and len(paths) > 1:
        raise CommandError("Give one .mbox file at a time (several .eml files are fine).")
    for flag in ("event", "mapping", "time_zone"):
        if options.get(flag):
            raise CommandError(f"--{flag.replace('_', '-')} is not for e-mail files.")
    name = paths[0].name if len(paths) == 1 else f"{paths[0].name} and {len(paths) - 1} more"
    try:
        result = mail_import_batch(
            workspace=workspace,
            fmt=fmt,
            filename=name,
            messages=read_mail_files(fmt, paths),
            me=options.get("me") or (),
            dry_run=options["dry_run"],
        )
    except MailImportFailed as error:
        raise CommandError(f"{name}: {error}") from error
    # Rendered apart and written whole: the command's stdout wrapper ends every write
    # with a newline, which would break rich's lines.
    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, width=100, force_terminal=stdout.isatty())
    print_result(result, workspace, name, console)
    stdout.write(buffer.getvalue(), ending="")
    return result


def print_result(
    result: MailImportResult, workspace: Workspace, name: str, console: Console
) -> None:
    if result.dry_run:
        console.print(f"[yellow]Dry run of {name}: nothing was saved.[/]")
    else:
        console.print(
            f"[green]Imported {name} into “{workspace.name}” as import #{result.batch_id}.[/]",
            markup=True,
        )
    console.print(f"  {result.summary()}", markup=False)
    if result.by_thread:
        console.print(f"  {result.by_thread:,} replies matched by In-Reply-To/References")
    if result.quiet:
        console.print(
            f"  {result.quiet:,} old e-mails nobody answered: quiet at once, never nudged"
        )
    for reason, count in sorted(result.left_out.items()):
        console.print(f"  left out ({reason}): {count:,}")
    if result.unmatched_addresses:
        table = Table(title="Addresses of nobody known (add them to people to match)")
        table.add_column("address")
        table.add_column("messages", justify="right")
        for address, count in result.top_unmatched():
            table.add_row(address, f"{count:,}")
        console.print(table)
    for warning in result.warnings[:SHOWN_WARNINGS]:
        console.print(f"  warning: {warning}", style="yellow", markup=False)
    if result.warnings_total > SHOWN_WARNINGS:
        console.print(f"  … and {result.warnings_total - SHOWN_WARNINGS:,} more warnings")
    if not result.dry_run and result.changed_anything:
        console.print(f"  undo with: followthrough import_undo {result.batch_id}", markup=False)
