"""Events a workspace attends or hosts, who was there, and whom it chose to get to know."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped


class EventKind(models.TextChoices):
    ATTENDED = "attended", "Attended"
    HOSTED = "hosted", "Hosted"


# The fields a member edits, one list for the services, forms, backup, restore and exports.
EVENT_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "all_day",
    "location",
    "notes",
    "cancelled",
)


class Event(WorkspaceScoped):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=EventKind.choices, default=EventKind.ATTENDED)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True, help_text="Markdown.")
    all_day = models.BooleanField(default=False)
    # The zone the event was given in (imports), e.g. America/Chicago; empty: workspace's.
    time_zone = models.CharField(max_length=64, blank=True)
    # A recurring series' RRULE as its calendar gave it (the series is one event here).
    rrule = models.CharField(max_length=500, blank=True)
    # The calendar's UID, so re-importing a calendar updates instead of duplicating.
    source_uid = models.CharField(max_length=400, blank=True)
    # Called off: kept (its people, picks and history stay), shown as cancelled and left
    # out of Today and the digest. Its calendar says so (STATUS:CANCELLED, an iTIP
    # METHOD:CANCEL naming it) or a member does.
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["workspace", "starts_at"], name="event_ws_start"),
            models.Index(fields=["workspace", "source_uid"], name="event_ws_source_uid"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.TextChoices):
    UNKNOWN = "unknown", "No answer"
    ACCEPTED = "accepted", "Accepted"
    TENTATIVE = "tentative", "Maybe"
    DECLINED = "declined", "Declined"


class Attendance(WorkspaceScoped):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="attendances"
    )
    rsvp = models.CharField(max_length=10, choices=Rsvp.choices, default=Rsvp.UNKNOWN)
    checked_in = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="attendance_unique_person")
        ]
        indexes = [
            models.Index(fields=["workspace", "person"], name="attendance_ws_person"),
            models.Index(fields=["workspace", "event"], name="attendance_ws_event"),
        ]


class FocusPick(WorkspaceScoped):
    """A person chosen at an event to really get to know.

    `over_limit` records a deliberate override of the workspace's pick limit.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="focus_picks")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="focus_picks"
    )
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    picked_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)
    over_limit = models.BooleanField(default=False)

    class Meta:
        ordering = ["picked_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="focuspick_unique_person")
        ]
        indexes = [
            models.Index(fields=["workspace", "picked_at"], name="focuspick_ws_picked"),
            models.Index(fields=["workspace", "event"], name="focuspick_ws_event"),
        ]
