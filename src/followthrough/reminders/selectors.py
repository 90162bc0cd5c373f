"""Reads for reminders: a member's digest, which digests are due, the worker's health for
the status page and Today's banner, and a member's calendar feed.

The digest reads what Today reads (`agenda.selectors.today_items`, "Mine", over a week)
rather than querying the rooms a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from followthrough.agenda.selectors import (
    EventRow,
    FollowUpRow,
    MeetAt,
    SlippingRow,
    meet_at_events,
    today_items,
)
from followthrough.events.models import Event
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.outreach.selectors import NudgeRow
from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.reminders.models import CalendarFeed, DigestSubscription, WorkerHeartbeat
from followthrough.reminders.schedule import digest_is_due
from followthrough.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DIGEST_DAYS = 7
WORKER_STALE = timedelta(minutes=10)
LAST_SEEN_CACHE_KEY = "reminders:worker-last-seen"
LAST_SEEN_CACHE_SECONDS = 60
FAILED_SHOWN = 10
FEED_PAST_DAYS = 30
FEED_AHEAD_DAYS = 365
FEED_LIMIT = 500


@dataclass
class Digest:
    """One member's week: their follow-ups due by the end of the seventh local day (and
    overdue), nudges of outreach they sent, relationships they own that slip, and the
    workspace's events of the week with the people worth meeting there."""

    workspace: Workspace
    user: User
    now: datetime
    follow_ups: list[FollowUpRow] = field(default_factory=list)
    more_follow_ups: bool = False
    nudges: list[NudgeRow] = field(default_factory=list)
    slipping: list[SlippingRow] = field(default_factory=list)
    more_slipping: bool = False
    events: list[EventRow] = field(default_factory=list)
    meet_at: list[MeetAt] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.follow_ups or self.nudges or self.slipping or self.events)


def _end_of_local_day_after(now: datetime, days: int) -> datetime:
    local = timezone.localtime(now) + timedelta(days=days)
    return local.replace(hour=23, minute=59, second=59, microsecond=0)


def digest_for(*, workspace: Workspace, user: User, now: datetime | None = None) -> Digest:
    """The member's digest as of `now`, in the workspace's time zone. Each person is
    listed once (Today's rule), each list at most Today's length. Cost: Today's queries
    ("Mine"), plus the ranking of each event's attendees (cached)."""
    now = now or timezone.now()
    with timezone.override(zoneinfo.ZoneInfo(workspace.timezone)):
        until = _end_of_local_day_after(now, DIGEST_DAYS - 1)
        today = today_items(workspace=workspace, now=now, owner=user, until=until)
    week_end = now + timedelta(days=DIGEST_DAYS)
    events = [e for e in today.upcoming_events if e.starts_at < week_end]
    return Digest(
        workspace=workspace,
        user=user,
        now=now,
        follow_ups=today.follow_ups_due,
        more_follow_ups=today.more_follow_ups,
        nudges=today.nudges,
        slipping=today.slipping,
        more_slipping=today.more_slipping,
        events=events,
        meet_at=meet_at_events(workspace=workspace, events=events, now=now),
    )


def _subscriptions_of_members(workspace: Workspace | None) -> list[DigestSubscription]:
    membership = Membership.objects.filter(
        workspace_id=OuterRef("workspace_id"), user_id=OuterRef("user_id")
    )
    rows = DigestSubscription.objects.filter(
        enabled=True, user__is_active=True, workspace__restoring=False
    )
    if workspace is not None:
        rows = rows.filter(workspace=workspace)
    return list(
        rows.exclude(user__email="").filter(Exists(membership)).select_related("workspace", "user")
    )


def _is_due(subscription: DigestSubscription, now: datetime) -> bool:
    return digest_is_due(
        now=now,
        zone=subscription.workspace.timezone,
        weekday=subscription.weekday,
        hour=subscription.hour,
        last_sent_at=subscription.last_sent_at,
        created_at=subscription.created_at,
    )


def digests_due(*, now: datetime, workspace: Workspace | None = None) -> list[DigestSubscription]:
    """Enabled subscriptions of current, active members with an address whose weekly
    slot has passed unhandled (`schedule.digest_is_due`), in every workspace or one.
    Cost: one query; the slot is computed in Python (a team has tens of members, an
    installation hundreds)."""
    return [s for s in _subscriptions_of_members(workspace) if _is_due(s, now)]


def tasks_run_inline() -> bool:
    """Tasks run inside the request (tests, one-off commands): no worker to miss."""
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    return backend.endswith("ImmediateBackend")


def worker_last_seen() -> datetime | None:
    """The latest heartbeat of any worker, kept a minute in the cache so that Today pays
    at most one small indexed query per minute and process for its banner."""
    seen = cache.get(LAST_SEEN_CACHE_KEY, "missing")
    if seen == "missing":
        seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen_at"))["last"]
        cache.set(LAST_SEEN_CACHE_KEY, seen, timeout=LAST_SEEN_CACHE_SECONDS)
    return seen


def worker_missing(*, now: datetime | None = None) -> tuple[bool, datetime | None]:
    """Whether no worker has been seen for `WORKER_STALE` (or ever), and when one last
    was. Never missing when tasks run inline."""
    if tasks_run_inline():
        return False, None
    seen = worker_last_seen()
    now = now or timezone.now()
    return seen is None or now - seen > WORKER_STALE, seen


@dataclass(frozen=True)
class FailedTask:
    name: str
    at: datetime | None
    exception: str
    message: str


@dataclass
class WorkerStatus:
    now: datetime
    inline: bool
    workers: list[WorkerHeartbeat]
    missing: bool
    ready: int
    running: int
    oldest_waiting: datetime | None
    failed: list[FailedTask]
    digests_due: list[DigestSubscription]
    messages_shown: bool

    @property
    def last_seen(self) -> datetime | None:
        return self.workers[0].last_seen_at if self.workers else None


def _last_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _failed_tasks(with_messages: bool) -> list[FailedTask]:
    rows = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")
    failed = []
    for row in rows[:FAILED_SHOWN]:
        path = row.exception_class_path
        exception = path.rpartition(".")[2]
        # A traceback's last line is "module.Class: message" (or "Class: message").
        message = _last_line(row.traceback) if with_messages else ""
        message = message.removeprefix(f"{path}: ").removeprefix(f"{exception}: ")
        failed.append(FailedTask(row.task_path.rpartition(".")[2], row.finished_at, exception,
                                 message))  # fmt: skip
    return failed


def worker_status(*, workspace: Workspace, user: User, now: datetime | None = None) -> WorkerStatus:
    """The status page: the workers' heartbeats (newest first), the queue (waiting,
    running, the oldest waiting since), the latest failed tasks, and this workspace's
    digests that are due but not sent.

    The worker and its queue serve the whole installation. A failed task's message can
    name another workspace's data, so it is shown only to the installation's staff, or
    when the installation holds this one workspace only.
    """
    now = now or timezone.now()
    missing, _ = worker_missing(now=now)
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    messages_shown = user.is_staff or not Workspace.objects.exclude(pk=workspace.pk).exists()
    return WorkerStatus(
        now=now,
        inline=tasks_run_inline(),
        workers=list(WorkerHeartbeat.objects.order_by("-last_seen_at")[:5]),
        missing=missing,
        ready=waiting.count(),
        running=DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        oldest_waiting=waiting.order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first(),
        failed=_failed_tasks(messages_shown),
        digests_due=digests_due(now=now, workspace=workspace),
        messages_shown=messages_shown,
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_by_token(token: str) -> CalendarFeed | None:
    """The active feed this token opens, or None (unknown and revoked alike). The lookup
    is by the token's hash, so the stored value never meets the token itself; the
    comparison after it is constant-time all the same."""
    wanted = token_hash(token)
    feed = (
        CalendarFeed.objects.filter(token_hash=wanted, revoked_at__isnull=True)
        .select_related("workspace", "user")
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    if (
        not feed.user.is_active
        or not Membership.objects.filter(
            workspace_id=feed.workspace_id, user_id=feed.user_id
        ).exists()
    ):
        return None  # a former member's feed stops with their membership
    return feed


def calendar_feed_active(*, workspace: Workspace, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(workspace=workspace, user=user, revoked_at=None).first()


@dataclass
class FeedItems:
    follow_ups: list[FollowUp]
    nudges: list[Outreach]
    events: list[Event]


def calendar_feed_items(*, workspace: Workspace, user: User, now: datetime) -> FeedItems:
    """What a member's calendar shows: their open follow-ups (assigned to them), the next
    nudge of each outreach they sent that waits for a reply, and the workspace's events
    from a month ago to a year ahead (events are the team's, not a member's). At most
    `FEED_LIMIT` of each, soonest first; three queries."""
    follow_ups = (
        FollowUp.objects.for_workspace(workspace)
        .filter(status=FollowUpStatus.OPEN, assigned_to=user)
        .select_related("person")
        .order_by("due_at", "pk")[:FEED_LIMIT]
    )
    nudges = (
        Outreach.objects.for_workspace(workspace)
        .filter(state=OutreachState.WAITING, by=user, next_nudge_due__isnull=False)
        .select_related("person")
        .order_by("next_nudge_due", "pk")[:FEED_LIMIT]
    )
    events = (
        Event.objects.for_workspace(workspace)
        .filter(
            starts_at__gte=now - timedelta(days=FEED_PAST_DAYS),
            starts_at__lt=now + timedelta(days=FEED_AHEAD_DAYS),
        )
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )
    return FeedItems(list(follow_ups), list(nudges), list(events))
