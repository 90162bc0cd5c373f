"""Relationships with people, the interactions that feed them, and follow-ups."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped


class Stage(models.IntegerChoices):
    # Gaps between values leave room for stages a later release may add.
    NOTICED = 10, "Noticed"
    MET = 20, "Met"
    FOLLOWED_UP = 30, "Followed up"
    MET_ONE_TO_ONE = 40, "Met one-to-one"
    ONGOING = 50, "Ongoing"
    PARTNER = 60, "Partner"


BUDDING_STAGES = (Stage.MET, Stage.FOLLOWED_UP)


class Relationship(WorkspaceScoped):
    """The workspace's relationship with one person (optionally about one organization).

    `next_touch_due` is stored (not derived at read time) and indexed so that Today's
    "slipping" list is an indexed range scan.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="relationship"
    )
    organization = models.ForeignKey(
        "people.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relationships",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_relationships",
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.NOTICED)
    cadence_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Keep in touch every this many days; empty uses the stage or tag default.",
    )
    last_interaction_at = models.DateTimeField(null=True, blank=True)
    next_touch_due = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "stage", "next_touch_due"], name="rel_ws_stage_due"),
            models.Index(fields=["workspace", "next_touch_due"], name="rel_ws_due"),
            models.Index(fields=["workspace", "last_interaction_at"], name="rel_ws_last"),
        ]

    def __str__(self) -> str:
        return f"Relationship with {self.person}"

    @property
    def is_budding(self) -> bool:
        return self.stage in BUDDING_STAGES


class InteractionKind(models.TextChoices):
    MET_AT_EVENT = "met", "Met at an event"
    EMAIL_SENT = "email_sent", "E-mail sent"
    EMAIL_RECEIVED = "email_received", "E-mail received"
    MESSAGE_SENT = "message_sent", "Message sent"
    MESSAGE_RECEIVED = "message_received", "Message received"
    CALL = "call", "Call"
    CALL_ATTEMPT = "call_attempt", "Call attempt (no answer yet)"
    INVITATION = "invitation", "Invitation sent (coffee, meeting)"
    COFFEE = "coffee", "Coffee or meeting"
    NOTE = "note", "Note"
    NOTICED = "noticed", "Noticed"
    # A member moved the relationship to another stage by hand: an entry of its history
    # (summary "Met → Getting to know"), never a contact: it moves no cadence or outreach.
    STAGE_CHANGED = "stage", "Stage changed"


# Outbound: we reached out and wait for an answer. Inbound: they answered (a call or a
# coffee is a conversation, so it answers too; being listed at the same event is not: an
# attendee list import would close every outreach). `outreach` keeps the waiting state.
OUTBOUND_KINDS = frozenset(
    {
        InteractionKind.EMAIL_SENT,
        InteractionKind.MESSAGE_SENT,
        InteractionKind.CALL_ATTEMPT,
        InteractionKind.INVITATION,
    }
)
INBOUND_KINDS = frozenset(
    {
        InteractionKind.EMAIL_RECEIVED,
        InteractionKind.MESSAGE_RECEIVED,
        InteractionKind.CALL,
        InteractionKind.COFFEE,
    }
)


class Interaction(WorkspaceScoped):
    """One entry of a timeline: with a person, or (for "noticed") with an organization."""

    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    organization = models.ForeignKey(
        "people.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True, help_text="Markdown.")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The e-mail's Message-ID (without angle brackets) when the entry is an e-mail sent
    # from the app or read from a mailbox or file: replies name it in In-Reply-To, and a
    # re-import finds it and changes nothing.
    message_id = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["workspace", "message_id"],
                name="interaction_message_id",
                condition=~models.Q(message_id=""),
            ),
            models.Index(fields=["workspace", "person", "occurred_at"], name="interaction_person"),
            models.Index(
                fields=["workspace", "organization", "occurred_at"], name="interaction_org"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(organization__isnull=False),
                name="interaction_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at:%Y-%m-%d}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class FollowUp(WorkspaceScoped):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="follow_ups")
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    focus_pick = models.ForeignKey(
        "events.FocusPick",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    snooze_count = models.PositiveSmallIntegerField(default=0)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="followup_ws_due"),
            models.Index(
                fields=["workspace", "person", "status", "due_at"], name="followup_ws_person"
            ),
            # Today's "focus people not yet followed up": only focus-pick follow-ups.
            models.Index(
                fields=["workspace", "status", "due_at"],
                condition=models.Q(focus_pick__isnull=False),
                name="followup_ws_focus_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title
