"""Writes for reminders: the worker's heartbeat, members' digest subscriptions and their
sending (each weekly slot claimed once), and private calendar feeds."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from followthrough.reminders.models import CalendarFeed, DigestSubscription, WorkerHeartbeat
from followthrough.reminders.schedule import digest_is_due
from followthrough.reminders.selectors import LAST_SEEN_CACHE_KEY, digest_for, token_hash
from followthrough.reminders.sending import digest_deliver
from followthrough.workspaces.models import Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.workspaces.models import Workspace

HEARTBEATS_KEPT = timedelta(days=7)

# This process's heartbeat row: one per worker process, made at its first beat.
_heartbeat_id: int | None = None
_started_at: datetime | None = None


def worker_heartbeat(*, now: datetime | None = None) -> WorkerHeartbeat:
    """Record that this worker process is alive (at start-up and on every tick), and
    forget workers not seen for a week. Two small writes."""
    global _heartbeat_id, _started_at
    now = now or timezone.now()
    _started_at = _started_at or now
    beat = WorkerHeartbeat(
        pk=_heartbeat_id, host=socket.gethostname()[:255], pid=os.getpid(),
        started_at=_started_at, last_seen_at=now,
    )  # fmt: skip
    updated = 0
    if _heartbeat_id is not None:
        updated = WorkerHeartbeat.objects.filter(pk=_heartbeat_id).update(last_seen_at=now)
    if not updated:  # first beat, or the row was cleaned away
        beat.pk = None
        beat.save()
        _heartbeat_id = beat.pk
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - HEARTBEATS_KEPT).delete()
    cache.delete(LAST_SEEN_CACHE_KEY)
    return beat


def digest_subscription_for(*, workspace: Workspace, user: User) -> DigestSubscription:
    """The member's subscription, made with the defaults (on, Monday 08:00) if missing."""
    subscription, _ = DigestSubscription.objects.get_or_create(workspace=workspace, user=user)
    return subscription


def digest_subscriptions_ensure() -> int:
    """Give every member without one a subscription (the digest is on by default, and a
    member who never opened the reminders page gets it too); how many were made. Their
    first digest comes at their first slot after now. One query when nothing is missing."""
    subscription = DigestSubscription.objects.filter(
        workspace_id=OuterRef("workspace_id"), user_id=OuterRef("user_id")
    )
    missing = list(
        Membership.objects.filter(~Exists(subscription)).values_list("workspace_id", "user_id")
    )
    DigestSubscription.objects.bulk_create(
        [DigestSubscription(workspace_id=w, user_id=u) for w, u in missing],
        ignore_conflicts=True,
    )
    return len(missing)


def digest_subscription_update(
    *, subscription: DigestSubscription, enabled: bool, weekday: int, hour: int
) -> DigestSubscription:
    subscription.enabled, subscription.weekday, subscription.hour = enabled, weekday, hour
    subscription.save(update_fields=["enabled", "weekday", "hour"])
    return subscription


def digest_unsubscribe(*, workspace_id: int, user_id: int) -> bool:
    """Turn the member's digest off; False when they are not (or no longer) a member."""
    if not Membership.objects.filter(workspace_id=workspace_id, user_id=user_id).exists():
        return False
    subscription, _ = DigestSubscription.objects.get_or_create(
        workspace_id=workspace_id, user_id=user_id, defaults={"enabled": False}
    )
    if subscription.enabled:
        DigestSubscription.objects.filter(pk=subscription.pk).update(enabled=False)
    return True


def _claim(subscription: DigestSubscription, now: datetime) -> bool:
    """Mark the slot handled, only if nobody did since we read the row: a compare-and-set
    on `last_sent_at`, so two workers (or a retry) cannot both claim one slot."""
    rows = DigestSubscription.objects.filter(
        pk=subscription.pk, enabled=True, last_sent_at=subscription.last_sent_at
    )
    if subscription.last_sent_at is None:
        rows = DigestSubscription.objects.filter(
            pk=subscription.pk, enabled=True, last_sent_at__isnull=True
        )
    return rows.update(last_sent_at=now) == 1


def digest_send(*, subscription_id: int, now: datetime | None = None) -> bool:
    """Send the member's digest if its slot is due and not yet handled; whether one was
    sent. The slot is claimed first, in its own short transaction, and the e-mail sent
    after (no database lock held over SMTP); a failure hands the slot back and raises,
    so the worker tries again. An empty week claims the slot and sends nothing."""
    now = now or timezone.now()
    subscription = (
        DigestSubscription.objects.select_related("workspace", "user")
        .filter(pk=subscription_id, enabled=True)
        .first()
    )
    if subscription is None or not subscription.user.is_active or not subscription.user.email:
        return False
    workspace = subscription.workspace
    if not Membership.objects.filter(workspace=workspace, user=subscription.user).exists():
        return False
    if not digest_is_due(
        now=now, zone=workspace.timezone, weekday=subscription.weekday, hour=subscription.hour,
        last_sent_at=subscription.last_sent_at, created_at=subscription.created_at,
    ):  # fmt: skip
        return False
    with transaction.atomic():
        if not _claim(subscription, now):
            return False
    try:
        digest = digest_for(workspace=workspace, user=subscription.user, now=now)
        if digest.is_empty:
            return False
        digest_deliver(digest=digest)
    except Exception:
        DigestSubscription.objects.filter(pk=subscription.pk, last_sent_at=now).update(
            last_sent_at=subscription.last_sent_at
        )
        raise
    return True


def calendar_feed_create(*, workspace: Workspace, user: User) -> tuple[CalendarFeed, str]:
    """A new private feed for the member (their active one, if any, is revoked): the row
    and the token, which is not stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        calendar_feed_revoke(workspace=workspace, user=user)
        feed = CalendarFeed.objects.create(
            workspace=workspace, user=user, token_hash=token_hash(token)
        )
    return feed, token


def calendar_feed_revoke(*, workspace: Workspace, user: User) -> int:
    """Revoke the member's active feed: its address answers 404 from now on."""
    return CalendarFeed.objects.filter(workspace=workspace, user=user, revoked_at=None).update(
        revoked_at=timezone.now()
    )
