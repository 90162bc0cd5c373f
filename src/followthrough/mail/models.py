"""E-mail from the app: the workspace's SMTP settings, each member's sender profile, the
templates with merge fields, the outgoing messages (the outbox) and the meetings a
confirmed coffee invitation becomes."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped


class Security(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS (usually port 587)"
    SSL = "ssl", "SSL/TLS from the start (usually port 465)"
    NONE = "none", "None (only for a server on this machine)"


class MailSettings(WorkspaceScoped):
    """One per workspace. The password is write-only: no form renders it, no page shows
    it and no backup or export carries it."""

    host = models.CharField(max_length=255, blank=True)
    port = models.PositiveIntegerField(
        default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.STARTTLS)
    username = models.CharField(max_length=255, blank=True)
    password = models.CharField(max_length=255, blank=True)
    from_address = models.EmailField(blank=True)
    from_name = models.CharField(max_length=100, blank=True)
    timeout = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Seconds to wait for the mail server before giving up on an attempt.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="mail_settings_one_per_workspace")
        ]

    def __str__(self) -> str:
        return f"SMTP {self.host or '(not set)'}"

    @property
    def is_configured(self) -> bool:
        return bool(self.host and self.from_address)


class SenderProfile(WorkspaceScoped):
    """How one member signs the e-mail they send from this workspace."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    display_name = models.CharField(max_length=100, blank=True)
    signature = models.TextField(blank=True, help_text="Plain text, added where a template says.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="sender_profile_unique")
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.user)


class Purpose(models.TextChoices):
    THANK_YOU = "thank_you", "Thank-you after an event"
    COFFEE = "coffee", "Coffee invitation"
    CHECK_IN = "check_in", "Check-in"
    NUDGE = "nudge", "Nudge"
    INTRODUCTION = "introduction", "Introduction"
    CUSTOM = "custom", "Other"


class EmailTemplate(WorkspaceScoped):
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=100)
    purpose = models.CharField(max_length=14, choices=Purpose.choices, default=Purpose.CUSTOM)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="email_template_key")
        ]

    def __str__(self) -> str:
        return self.name


class MessageKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    INVITATION = "invitation", "Invitation"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutgoingMessage(WorkspaceScoped):
    """One e-mail to send (or sent) over the workspace's SMTP server. It is logged on the
    person's timeline only once the server accepted it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="outgoing_messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_address = models.EmailField()
    to_name = models.CharField(max_length=201, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.EMAIL)
    ics = models.TextField(blank=True)
    # The proposed times of an invitation (ISO 8601, UTC) and its length and place, so
    # that "They chose …" can become a meeting.
    proposals = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    template_key = models.CharField(max_length=60, blank=True)
    interaction = models.ForeignKey(
        "relationships.Interaction", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outreach = models.ForeignKey(
        "outreach.Outreach", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "created_at"], name="outgoing_ws_status"),
            models.Index(fields=["workspace", "person", "created_at"], name="outgoing_ws_person"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_address} ({self.status})"


class Meeting(WorkspaceScoped):
    """A confirmed time with a person (from a coffee invitation's proposals)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    invitation = models.ForeignKey(
        OutgoingMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "person", "starts_at"], name="meeting_ws_person")
        ]

    def __str__(self) -> str:
        return f"Meeting with {self.person} at {self.starts_at:%Y-%m-%d %H:%M}"
