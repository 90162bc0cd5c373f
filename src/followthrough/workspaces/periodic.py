"""Work the background worker starts on a schedule, and the recovery of work cut short,
registered by the rooms that own them.

django-tasks has no schedule of its own, so the worker keeps one: every `TICK_SECONDS`
it calls each registered job's `tick(previous)`, which enqueues a task when one is due
and returns what to pass next time (typically the task result it enqueued, so that it
does not enqueue another while that one is still waiting). A room registers its job in
its `AppConfig.ready()`; this module imports nothing of ours, so any room may use it.

Recovery: a worker killed mid-task (kill -9, a crash, a power cut) leaves its work half
done. A room registers `register_recovery(name, recover)`, a function that finds its own
interrupted work (an import whose process is gone, a message stuck in "sending") and
ends it cleanly; `recover_interrupted()` runs them all, at `serve` start-up, at the
worker's start and on every tick. `register_lost_task(task_path, handler)` is told about
a queued task whose worker died while running it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections
from django_tasks.base import TaskResultStatus

logger = logging.getLogger(__name__)
TICK_SECONDS = 60.0
Tick = Callable[[Any], Any]


@dataclass(frozen=True)
class Job:
    name: str
    tick: Tick


_jobs: dict[str, Job] = {}
_recoveries: dict[str, Callable[[], Any]] = {}
_lost_task_handlers: dict[str, Callable[[list[Any], dict[str, Any]], None]] = {}


def unfinished(previous: Any) -> Any:
    """The task result a job enqueued last time if it is still waiting or running, else
    None: a job that polls enqueues no second poll while one is still to do its work."""
    if previous is None:
        return None
    try:
        previous.refresh()
    except Exception:  # its row was cleaned away: treat it as finished
        return None
    finished = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    return None if previous.status in finished else previous


def register_periodic(name: str, tick: Tick) -> None:
    """Have the worker call `tick(previous)` every tick; `name` says what it is in logs."""
    _jobs[name] = Job(name, tick)


def periodic_jobs() -> list[Job]:
    return list(_jobs.values())


def run_ticks(previous: dict[str, Any]) -> dict[str, Any]:
    """Call every job once; one job's failure is logged and does not stop the others."""
    for job in periodic_jobs():
        try:
            previous[job.name] = job.tick(previous.get(job.name))
        except Exception:
            logger.exception("The periodic job %r failed", job.name)
            previous[job.name] = None
        finally:
            close_old_connections()
    return previous


def register_recovery(name: str, recover: Callable[[], Any]) -> None:
    """Have `recover()` called at start-up and on every tick; it must be cheap when there
    is nothing to recover, and safe to run in two processes at once."""
    _recoveries[name] = recover


def recover_interrupted() -> None:
    """Run every registered recovery; one's failure is logged and does not stop the others."""
    for name, recover in list(_recoveries.items()):
        try:
            recover()
        except Exception:
            logger.exception("Recovering interrupted work (%s) failed", name)


def register_lost_task(
    task_path: str, handler: Callable[[list[Any], dict[str, Any]], None]
) -> None:
    """Call `handler(args, kwargs)` for a run of the task `task_path` (module.function)
    that a worker was running when it died."""
    _lost_task_handlers[task_path] = handler


def lost_task_handler(task_path: str) -> Callable[[list[Any], dict[str, Any]], None] | None:
    return _lost_task_handlers.get(task_path)


def ticker(stop: threading.Event, seconds: float = TICK_SECONDS) -> threading.Thread:
    """A daemon thread that runs every registered job every `seconds` until `stop` is set."""

    def run() -> None:
        previous: dict[str, Any] = {}
        while not stop.wait(seconds):
            recover_interrupted()
            run_ticks(previous)

    thread = threading.Thread(target=run, daemon=True, name="periodic-ticker")
    thread.start()
    return thread
