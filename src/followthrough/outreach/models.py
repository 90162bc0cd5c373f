"""Outreach: an e-mail, call attempt, invitation or message sent to a person, waiting for
their answer, nudged at growing gaps until they reply or the relationship goes quiet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped


class OutreachKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    CALL = "call", "Call attempt"
    INVITATION = "invitation", "Invitation"
    MESSAGE = "message", "Message"


class OutreachState(models.TextChoices):
    WAITING = "waiting", "Waiting for a reply"
    REPLIED = "replied", "Replied"
    QUIET = "quiet", "Quiet (no reply after every nudge)"
    CLOSED = "closed", "Closed"


OPEN_STATES = (OutreachState.WAITING, OutreachState.QUIET)


class Outreach(WorkspaceScoped):
    """One outreach to a person. `next_nudge_due` is stored and indexed (with the state)
    so that Today's nudges are an indexed range scan; it is empty once no nudge is due."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="outreach")
    kind = models.CharField(max_length=12, choices=OutreachKind.choices)
    sent_at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=200, blank=True)
    interaction = models.ForeignKey(
        "relationships.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        max_length=10, choices=OutreachState.choices, default=OutreachState.WAITING
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    nudge_count = models.PositiveSmallIntegerField(default=0)
    last_nudged_at = models.DateTimeField(null=True, blank=True)
    next_nudge_due = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name_plural = "outreach"
        indexes = [
            models.Index(fields=["workspace", "state", "next_nudge_due"], name="outreach_ws_due"),
            models.Index(fields=["workspace", "person", "state"], name="outreach_ws_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person} on {self.sent_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
