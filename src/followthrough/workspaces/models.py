"""Workspaces (one organization's team), memberships with roles, and the tenant base."""

from __future__ import annotations

import itertools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

MAX_NUDGES = 10
MAX_NUDGE_GAP_DAYS = 365


def parse_nudge_gaps(value: str) -> list[int]:
    """“4, 10, 21” → [4, 10, 21]; raises `ValidationError` naming what is wrong."""
    parts = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise ValidationError("Give at least one gap in days, e.g. “4, 10, 21”.")
    try:
        gaps = [int(part) for part in parts]
    except ValueError:
        raise ValidationError(
            "Gaps are whole days separated by commas, e.g. “4, 10, 21”."
        ) from None
    if any(not 1 <= gap <= MAX_NUDGE_GAP_DAYS for gap in gaps):
        raise ValidationError(f"Each gap is between 1 and {MAX_NUDGE_GAP_DAYS} days.")
    if any(later <= earlier for earlier, later in itertools.pairwise(gaps)):
        raise ValidationError("Gaps must grow: each later than the one before.")
    if len(gaps) > MAX_NUDGES:
        raise ValidationError(f"At most {MAX_NUDGES} gaps.")
    return gaps


def validate_nudge_gaps(value: str) -> None:
    parse_nudge_gaps(value)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Europe/Berlin).")


class Engine(models.TextChoices):
    """How mission intersection is scored (`matching`): the lexical engine needs nothing
    more; the semantic one needs the `followthrough[semantic]` extra."""

    LEXICAL = "lexical", "Lexical (matching words; fast, nothing to install)"
    SEMANTIC = "semantic", "Semantic (sentence embeddings)"
    BLENDED = "blended", "Blended (semantic and lexical together)"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class ExportRole(models.TextChoices):
    """Who may take the workspace's data out (exports and full backups); viewers never."""

    OWNER = "owner", "Owners only"
    MEMBER = "member", "Owners and members"


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # Whether a person chose the zone (at sign-up or in the settings), or it is the default:
    # the getting-started checklist asks for it until then.
    timezone_chosen = models.BooleanField(default=False, db_default=False)
    focus_pick_limit = models.PositiveSmallIntegerField(
        default=2, help_text="How many people to pick to get to know at each event."
    )
    follow_up_window_hours = models.PositiveSmallIntegerField(
        default=48, help_text="A focus pick's first follow-up is due within this many hours."
    )
    match_engine = models.CharField(
        max_length=16,
        choices=Engine.choices,
        default=Engine.LEXICAL,
        db_default=Engine.LEXICAL,  # rows written by raw SQL (bench, older migrations) too
        help_text="How potential partners are found. The semantic engines also find "
        "offers and needs worded differently; they need the semantic extra installed.",
    )
    nudge_gaps = models.CharField(
        max_length=60,
        default="4, 10, 21",
        db_default="4, 10, 21",
        validators=[validate_nudge_gaps],
        help_text="Days after an unanswered outreach to nudge, e.g. “4, 10, 21”: each "
        "counted from the day it was sent, growing.",
    )
    nudge_cap = models.PositiveSmallIntegerField(
        default=3,
        db_default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_NUDGES)],
        help_text="Nudges before a relationship goes quiet (until they reply or you reach "
        "out anew).",
    )
    export_role = models.CharField(
        max_length=10,
        choices=ExportRole.choices,
        default=ExportRole.MEMBER,
        db_default=ExportRole.MEMBER,
        help_text="Who may download exports and full backups. Viewers never may.",
    )
    # True while a restore writes it batch by batch: nobody sees it, and a restore that
    # fails or is cut short deletes it.
    restoring = models.BooleanField(default=False, db_default=False)
    # Our own organization's profile (mission, offers, needs) lives in the directory too.
    organization = models.OneToOneField(
        "people.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def nudge_gap_days(self) -> list[int]:
        return parse_nudge_gaps(self.nudge_gaps)


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    # The member hid Today's getting-started checklist, or saw it complete.
    getting_started_closed = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in (Role.OWNER, Role.MEMBER)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


INVITABLE_ROLES = (Role.MEMBER, Role.VIEWER)


class Invitation(models.Model):
    """An invitation of one e-mail address to a workspace, with the role it grants.

    The link carries a random token; only its SHA-256 is kept, so the table (or a backup of
    it) cannot be turned back into working links. One use: accepting it stamps
    `accepted_at`, and a second accept finds it stamped. Not `WorkspaceScoped` (like
    `Membership`): it is the team's, not part of the workspace's data, and stays out of
    backups and exports.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()  # lower-cased by `invitation_create`
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # An owner is never made by a link: ownership is given on the team page.
            models.CheckConstraint(
                condition=models.Q(role__in=INVITABLE_ROLES), name="invitation_role_not_owner"
            ),
            # Inviting an address again replaces its open invitation.
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "created_at"], name="invitation_ws_created")]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.workspace} ({self.role})"


class WorkspaceQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> WorkspaceQuerySet:
        return self.filter(workspace=workspace)


class WorkspaceScoped(models.Model):
    """Base of every domain row: it carries its workspace, and queries go through it.

    The workspace key is also the distribution column if a deployment moves to
    Citus, so domain tables never join across workspaces.
    """

    # No single-column index: every table gets composite indexes led by the workspace
    # instead. A lone workspace index would look as selective as a person or event index
    # to SQLite's planner (before ANALYZE) and send per-person lookups over the whole
    # workspace.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True
