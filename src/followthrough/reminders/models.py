"""The reminders room's models: the worker's heartbeat, each member's weekly digest, and
each member's private calendar feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped

MONDAY = 0
DEFAULT_DIGEST_HOUR = 8


class WorkerHeartbeat(models.Model):
    """One row per worker process, installation-wide (the worker serves every workspace):
    written when it starts and on every tick, so a worker that stopped is visible."""

    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"worker {self.pid}@{self.host}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DigestSubscription(WorkspaceScoped):
    """A member's weekly digest: on by default, at a weekday and hour of the workspace's
    time zone. `last_sent_at` is the moment the last slot was claimed (sent, or found
    empty): a slot later than it (and than `created_at`) is due."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=MONDAY)
    hour = models.PositiveSmallIntegerField(
        default=DEFAULT_DIGEST_HOUR, choices=[(h, f"{h:02d}:00") for h in range(24)]
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="digest_unique_member")
        ]

    def __str__(self) -> str:
        return f"digest of user {self.user_id} in workspace {self.workspace_id}"


class CalendarFeed(WorkspaceScoped):
    """A member's private iCalendar feed. Only the SHA-256 of its token is kept: the
    address is shown once, when made; a revoked feed stays as a record of when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id} in workspace {self.workspace_id}"
