"""`followthrough restore`: load a workspace's JSON backup into a new workspace."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.restore_cleanup import restores_abandoned_cleanup
from followthrough.exchange.backup.writer import BackupError
from followthrough.workspaces.services import workspace_slug_check


class Command(BaseCommand):
    help = (
        "Restore a backup made by `followthrough backup` (or the Export page) into a new "
        "workspace with the slug given by --workspace. All or nothing: a bad file, an error "
        "or an interruption (Ctrl-C, SIGTERM) leaves nothing behind; the workspace stays "
        "hidden until the restore is complete. Members are matched to this installation's "
        "accounts by e-mail; missing accounts are created inactive, without a password "
        "(they sign in after a password reset). FILE may be - for standard input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="The backup (.json), or - for stdin.")
        parser.add_argument(
            "--workspace",
            metavar="NEWSLUG",
            required=True,
            help="Slug of the new workspace (must not exist yet).",
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["workspace"]
        try:
            workspace_slug_check(slug)
        except ValueError as error:
            raise CommandError(str(error)) from None
        for gone in restores_abandoned_cleanup():
            self.stderr.write(f"Deleted workspace “{gone}”, left behind by a restore that stopped.")
        try:
            with _terminate_as_exit():
                result = self._restore(options["file"], slug)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Restored “{result.workspace.name}” as /w/{slug}/: {counts}.")
        )
        for email in result.created_users:
            self.stdout.write(f"  new inactive account (no password yet): {email}")

    def _restore(self, path: str, slug: str) -> Any:
        if path == "-":
            return workspace_restore(stream=sys.stdin, slug=slug)
        try:
            stream = Path(path).expanduser().open(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        with stream:
            try:
                return workspace_restore(stream=stream, slug=slug)
            except UnicodeDecodeError as error:
                raise CommandError(f"{path} is not UTF-8 text: {error.reason}") from None


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM (a service stop, `kill`) raises SystemExit, so the restore deletes what it
    wrote before the process ends, as it does on Ctrl-C."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (a test calling the command): leave it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
