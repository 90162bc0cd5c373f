"""`followthrough worker`: run background tasks (serve starts one by itself)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from followthrough.reminders.services import worker_heartbeat
from followthrough.workspaces.periodic import ticker

PARENT_PID_ENV = "FOLLOWTHROUGH_WORKER_PARENT"


def _watch_parent() -> None:
    """End this process when its parent is gone (even killed with SIGKILL, which leaves
    the parent no chance to stop us): an interrupted task's transaction rolls back."""
    # The parent's pid comes from serve itself: by the time this runs, a parent killed
    # during our start-up would already have been replaced by init.
    parent = int(os.environ.get(PARENT_PID_ENV) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


class Command(BaseCommand):
    help = (
        "Run the background worker: it takes tasks (large imports, news feed polling, weekly "
        "digests) from the database queue, and every minute records its heartbeat and "
        "queues the digests and feed polls that are due. `followthrough serve` starts one "
        "itself; run this when serving with another WSGI server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls when idle."
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="Stop when the process that started this one ends (used by serve).",
        )
        parser.add_argument(
            "--data-dir", help="Directory for the database, secret key and uploads."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["exit_with_parent"]:
            _watch_parent()
        # Seen at once, not only after the first tick: Today's banner goes away on start.
        worker_heartbeat()
        # django-tasks has no schedule of its own, so the worker keeps the rooms' jobs.
        ticker(threading.Event())
        call_command("db_worker", interval=options["interval"], queue_name="default")
