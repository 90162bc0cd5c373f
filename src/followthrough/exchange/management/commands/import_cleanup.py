"""`followthrough import_cleanup`: delete web-import uploads nobody went on to import."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.exchange.imports.tasks import discard_stale_uploads, upload_ttl


class Command(BaseCommand):
    help = (
        "Delete the files uploaded on the web Import page that were previewed but never "
        "imported (the upload, its options and progress files), once they are older than "
        "FOLLOWTHROUGH_IMPORT_UPLOAD_TTL_HOURS (default 24) or --older-than HOURS. Uploads "
        "a waiting or running import uses are kept. Each new upload does this too; run it "
        "from cron to also clear workspaces nobody imports into any more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="HOURS",
            help="Delete uploads older than this many hours instead (0: every upload not in "
            "use, including ones a member is previewing right now).",
        )
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["older_than"]
        if hours is not None and hours < 0:
            raise CommandError("--older-than takes a number of hours, 0 or more.")
        age = upload_ttl() if hours is None else timedelta(hours=hours)
        done = discard_stale_uploads(older_than=age)
        shown = f"{age.total_seconds() / 3600:g} hours"
        if not done.uploads:
            self.stdout.write(f"No uploads older than {shown} to delete.")
            return
        plural = "" if done.uploads == 1 else "s"
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {done.uploads} upload{plural} older than {shown} "
                f"({done.size / 1024 / 1024:.1f} MB)."
            )
        )
