"""Tasks whose worker died while running them (kill -9, a crash, a power cut).

django-tasks' database backend marks a task "running" when a worker claims it and never
looks at it again, so a task whose worker died stays "running" for ever, and the work it
stood for (an import, a message being sent) with it. The worker records its process
identity (`followthrough.processes`) as its worker id; a running task whose worker is
certainly gone is marked failed here, and the room that owns the task is told
(`workspaces.periodic.register_lost_task`) so that it can end its own work cleanly.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from followthrough.processes import process_gone
from followthrough.workspaces.periodic import lost_task_handler

logger = logging.getLogger(__name__)

LOST = "followthrough.reminders.lost_tasks.WorkerLost"
LOST_MESSAGE = "WorkerLost: the worker stopped (killed or crashed) while running this task."


class WorkerLost(Exception):
    """The name a lost task's failure is recorded under (it is never raised)."""


def tasks_lost_recover() -> int:
    """Fail the running tasks whose worker is gone and hand each to its room; how many."""
    lost = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for result in running.only("id", "worker_ids", "task_path", "args_kwargs"):
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if not process_gone(worker):
            continue
        # Conditional, so that two processes recovering at once hand it over once.
        taken = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=LOST,
            traceback=LOST_MESSAGE,
        )
        if not taken:
            continue
        lost += 1
        logger.warning("Task %s (%s) was lost with worker %s", result.pk, result.task_path, worker)
        handler = lost_task_handler(result.task_path)
        if handler is not None:
            args = result.args_kwargs or {}
            handler(list(args.get("args", [])), dict(args.get("kwargs", {})))
    return lost
