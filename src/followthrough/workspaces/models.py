"""Workspaces (one organization's team), memberships with roles, and the tenant base."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. Europe/Berlin).")


class Engine(models.TextChoices):
    """How mission intersection is scored (`matching`): the lexical engine needs nothing
    more; the semantic one needs the `followthrough[semantic]` extra."""

    LEXICAL = "lexical", "Lexical (matching words; fast, nothing to install)"
    SEMANTIC = "semantic", "Semantic (sentence embeddings)"
    BLENDED = "blended", "Blended (semantic and lexical together)"


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
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
    # Our own organization's profile (mission, offers, needs) lives in the directory too.
    organization = models.OneToOneField(
        "people.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

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
