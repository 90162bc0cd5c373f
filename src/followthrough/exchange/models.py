"""Provenance of imports (undoable as a unit), people's identities in other systems, and
saved column mappings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


class ImportBatch(WorkspaceScoped):
    """One import: which file, when, by whom, what it did — and the handle to undo it."""

    format = models.CharField(max_length=20)
    filename = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    # read, created, updated, merged, skipped; and progress while running
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "created_at"], name="importbatch_ws_created")]

    def __str__(self) -> str:
        return f"{self.format} import of {self.filename}"


class ImportedObject(WorkspaceScoped):
    """A row an import created or changed. `before` holds the changed fields' old values,
    so undoing restores them; created rows are deleted."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="objects_touched")
    model = models.CharField(max_length=60)  # "people.person", …
    object_id = models.BigIntegerField()
    created = models.BooleanField(default=True)
    before = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "batch"], name="importedobject_ws_batch")]


class ExternalId(WorkspaceScoped):
    """A person's or organization's identity in another system: a vCard UID, an event
    platform's attendee id. The first dedupe key of imports. (A LinkedIn profile is a
    link, `people.ContactPoint`, whose normalized value is the key.)"""

    system = models.CharField(max_length=40)
    value = models.CharField(max_length=400)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_ids",
    )
    organization = models.ForeignKey(
        "people.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="external_ids",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "system", "value"], name="externalid_unique_value"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(organization__isnull=False),
                name="externalid_has_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "person"], name="externalid_ws_person"),
            models.Index(fields=["workspace", "organization"], name="externalid_ws_org"),
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.value}"


class ColumnMapping(WorkspaceScoped):
    """A saved mapping of a generic CSV's columns to person fields, reused by name."""

    name = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict)  # {"CSV header": "field name", …}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="columnmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", "SSL/TLS (port 993)"
    STARTTLS = "starttls", "STARTTLS (port 143)"
    # Only for a server on this machine (tests, a local bridge such as Proton Bridge).
    PLAIN = "plain", "None (this machine only)"


class MailboxAccount(WorkspaceScoped):
    """A member's IMAP mailbox, polled for mail to log on timelines (`exchange.mailbox`).

    The password is write-only: forms never render it back, and it is left out of
    backups and exports (`backup.sections.LEFT_OUT`). `uidvalidity` and `last_uid` say
    how far the folder has been read; a new UIDVALIDITY starts it again (re-logging is
    harmless: messages already on a timeline are skipped by their Message-ID)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(
        max_length=10, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL
    )
    username = models.CharField(max_length=255)
    password = models.CharField(max_length=255, blank=True)
    folder = models.CharField(max_length=255, default="INBOX")
    enabled = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # What the last successful poll did ({"read": …, "sent": …, "received": …}).
    last_counts = models.JSONField(default=dict, blank=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="mailboxaccount_unique_user")
        ]
        indexes = [
            models.Index(fields=["enabled", "last_polled_at"], name="mailboxaccount_due"),
        ]

    def __str__(self) -> str:
        return f"{self.username} at {self.host}"


class BackupStatus(models.TextChoices):
    PREPARING = "preparing", "Preparing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class BackupDownload(WorkspaceScoped):
    """A full backup prepared in the background for download from the Export page
    (`exchange.backup.downloads`). The file is `DATA_DIR/backups/<workspace>/<token>.json`;
    the row says whether it is there yet. At most one is being prepared per workspace
    (the constraint, not a read-then-write check, holds that under concurrent clicks)."""

    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=BackupStatus.choices, default=BackupStatus.PREPARING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    size = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(status="preparing"),
                name="backupdownload_one_preparing",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="backupdownload_ws_created")
        ]

    def __str__(self) -> str:
        return f"backup {self.token[:6]}… ({self.status})"
