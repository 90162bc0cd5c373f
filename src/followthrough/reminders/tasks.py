"""The worker's side of reminders: the heartbeat and the weekly digests, registered with
`workspaces.periodic` in `RemindersConfig.ready`.

The digest tick enqueues one task per due member. A member's task still waiting or
running is not enqueued again; one that failed waits with back-off (5, 10, 20, 40, then
60 minutes) before the next try, since sending hands the slot back on failure. The tick
keeps that state in memory: another worker or a restart at worst sends a task that finds
the slot claimed and returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from followthrough.reminders.selectors import digests_due
from followthrough.reminders.services import (
    digest_send,
    digest_subscriptions_ensure,
    worker_heartbeat,
)

WAITING = {TaskResultStatus.READY, TaskResultStatus.RUNNING}
MAX_BACKOFF_MINUTES = 60


@task()
def send_digest_task(subscription_id: int) -> bool:
    """Send one member's digest if it is due (ids only; gone or handled: nothing)."""
    return digest_send(subscription_id=subscription_id)


def heartbeat_tick(previous: Any = None) -> None:
    worker_heartbeat()


@dataclass
class Attempt:
    result: Any  # the TaskResult enqueued, or None while waiting for a retry
    failures: int = 0
    retry_at: datetime | None = None


def _status(result: Any) -> Any:
    """The task's status now; a finished one cannot change, so is not read again."""
    if result.status not in WAITING:
        return result.status
    try:
        result.refresh()
    except Exception:  # its row was cleaned away: treat it as finished
        return TaskResultStatus.SUCCESSFUL
    return result.status


def _backoff(failures: int) -> timedelta:
    return timedelta(minutes=min(5 * 2 ** (failures - 1), MAX_BACKOFF_MINUTES))


def digest_tick(previous: dict[int, Attempt] | None = None) -> dict[int, Attempt]:
    """Enqueue the digests that are due; returns the attempts to pass next time."""
    attempts = previous or {}
    now = timezone.now()
    digest_subscriptions_ensure()
    due = {subscription.pk for subscription in digests_due(now=now)}
    for pk in due:
        attempt = attempts.get(pk) or Attempt(None)
        if attempt.result is not None:
            status = _status(attempt.result)
            if status in WAITING:
                continue
            if status == TaskResultStatus.FAILED:
                attempt.failures += 1
                attempt.retry_at = now + _backoff(attempt.failures)
            attempt.result = None
        if attempt.retry_at is not None and now < attempt.retry_at:
            attempts[pk] = attempt
            continue
        attempt.result = send_digest_task.enqueue(pk)
        attempts[pk] = attempt
    return {pk: attempt for pk, attempt in attempts.items() if pk in due}
