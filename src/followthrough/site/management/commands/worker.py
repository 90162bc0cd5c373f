"""`followthrough worker`: run background tasks (serve starts one by itself)."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.utils import is_locked_database_exception

from followthrough.processes import process_identity
from followthrough.reminders.services import worker_heartbeat
from followthrough.workspaces.periodic import recover_interrupted, ticker

PARENT_PID_ENV = "FOLLOWTHROUGH_WORKER_PARENT"
# Waits after "database is locked" outside a task: a CLI import or restore may hold
# SQLite's write lock past the busy timeout; the worker waits it out instead of dying.
LOCKED_WAITS = (1.0, 2.0, 5.0, 10.0)

logger = logging.getLogger("followthrough.worker")


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


class PatientWorker(Worker):
    """django-tasks-db's worker, which dies when taking a task from the queue meets
    "database is locked" at the start of its transaction: this one logs it, waits with
    growing pauses, and goes on. A task's own errors are the task's (recorded as failed)."""

    def run(self) -> None:
        waits = 0
        while self.running:
            try:
                super().run()
                return
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                pause = LOCKED_WAITS[min(waits, len(LOCKED_WAITS) - 1)]
                waits += 1
                logger.warning("The database is locked by another process; waiting %.0f s", pause)
                close_old_connections()
                time.sleep(pause)


def _until_done(step: Any, what: str) -> None:
    """Call `step()` until it gets past a locked database (start-up writes)."""
    for pause in (*LOCKED_WAITS, None):
        try:
            step()
            return
        except OperationalError as error:
            if pause is None or not is_locked_database_exception(error):
                raise
            logger.warning("%s: the database is locked; trying again in %.0f s", what, pause)
            close_old_connections()
            time.sleep(pause)


class Command(BaseCommand):
    help = (
        "Run the background worker: it takes tasks (large imports, news feed polling, weekly "
        "digests, e-mail) from the database queue, and every minute records its heartbeat, "
        "queues the digests and feed polls that are due, and ends cleanly the work a worker "
        "that died left behind. `followthrough serve` starts (and restarts) one itself; run "
        "this when serving with another WSGI server."
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
        # As db_worker does: its own, django-tasks' and ours, on the command's output.
        for name in ("followthrough.worker", "django_tasks_db", "django_tasks"):
            log = logging.getLogger(name)
            if not log.hasHandlers():
                log.addHandler(logging.StreamHandler(self.stdout))
                log.setLevel(logging.INFO)
        # Seen at once, not only after the first tick: Today's banner goes away on start.
        _until_done(worker_heartbeat, "Recording the heartbeat")
        # What a worker that died left half done: before taking new work.
        recover_interrupted()
        # django-tasks has no schedule of its own, so the worker keeps the rooms' jobs.
        ticker(threading.Event())
        worker = PatientWorker(
            queue_names=["default"],
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            # Who runs a task, in a form that tells later whether that process is gone.
            worker_id=process_identity(),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
