"""Background polling. The worker (`followthrough worker`, started by `serve`) enqueues
`poll_due_feeds_task` every tick of `workspaces.periodic` while one is not already
waiting (see `tick`, registered in `WatchConfig.ready`); watching a new feed reads it at
once, in the request.

Tasks take ids only and return quietly when their object is gone. A task needs no retry
of its own: a feed that failed is due again after its back-off.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from followthrough.watch.models import WatchedFeed
from followthrough.watch.services import feed_poll, feeds_poll_due
from followthrough.workspaces.periodic import unfinished


@task()
def poll_due_feeds_task() -> int:
    """Poll every feed that is due, in every workspace; how many were read."""
    return len(feeds_poll_due())


@task()
def poll_feed_task(feed_id: int) -> None:
    """Read one feed now (a member asked for it)."""
    feed = WatchedFeed.objects.filter(pk=feed_id).first()
    if feed is not None:
        feed_poll(feed=feed)


def tick(previous: Any = None) -> Any:
    """Enqueue a poll of the due feeds unless the one enqueued before has not finished
    yet, and only when a feed is due. Returns the task result to pass next time."""
    if (running := unfinished(previous)) is not None:
        return running
    if not WatchedFeed.objects.filter(next_attempt_at__lte=timezone.now()).exists():
        return None
    return poll_due_feeds_task.enqueue()
