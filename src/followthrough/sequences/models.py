"""Sequences of follow-up steps and their runs, one run per person at a time.

A step is never a row of its own on Today: a run schedules its current step as a
relationships `FollowUp`, so Today, the person page, the calendar feed and the digest
show it with no code of their own. A run points at the step it is on (not at a
position), so reordering a sequence's steps leaves every run on the step it was on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped


class Sequence(WorkspaceScoped):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    start_on_focus_pick = models.BooleanField(
        default=False,
        help_text="Start this sequence for everyone picked as a focus person at an event "
        "(one sequence of the workspace at most).",
    )
    archived = models.BooleanField(
        default=False, help_text="Archived sequences cannot be started; runs carry on."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "name"], name="sequence_ws_name")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(start_on_focus_pick=True),
                name="sequence_one_focus_pick_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class StepAction(models.TextChoices):
    EMAIL = "email", "Template e-mail"
    COFFEE = "coffee", "Coffee invitation"
    CALL = "call", "Call"
    CHECK_IN = "check_in", "Check-in"


# The follow-up's wording when a step has no title of its own.
DEFAULT_STEP_TITLE: dict[str, str] = {
    StepAction.EMAIL: "Send the e-mail",
    StepAction.COFFEE: "Invite them to coffee",
    StepAction.CALL: "Call them",
    StepAction.CHECK_IN: "Check in",
}


class SequenceStep(WorkspaceScoped):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    # Steps are read in (position, id) order; positions are rewritten 1, 2, 3 … on every
    # edit, so they are not unique while an edit is being saved.
    position = models.PositiveSmallIntegerField()
    day_offset = models.PositiveSmallIntegerField(
        help_text="Days after the sequence starts (step 1) or after the previous step is done."
    )
    action = models.CharField(max_length=10, choices=StepAction.choices)
    # The key of an e-mail template of the `mail` room; kept as text, since sequences
    # must not depend on which templates exist when a step is saved or restored.
    template_key = models.SlugField(max_length=100, blank=True)
    title = models.CharField(max_length=150, blank=True)
    instructions = models.TextField(blank=True)
    stop_on_reply = models.BooleanField(
        default=False, help_text="A reply while this step is waiting ends the sequence."
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["workspace", "sequence", "position"], name="seqstep_ws_seq")
        ]

    def __str__(self) -> str:
        return self.wording

    @property
    def wording(self) -> str:
        return self.title or DEFAULT_STEP_TITLE[self.action]


class RunStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"
    REPLIED = "replied", "Ended by a reply"


class SequenceRun(WorkspaceScoped):
    """One person going through one sequence.

    `step_from` is when the current step was scheduled from (the start, or when the
    previous step was done): an edit of the step's offset recomputes the due date from it.
    The `previous_*` fields remember the step before, so that undoing a Done (Today's
    Undo reopens the follow-up) puts the run back one step instead of leaving it ahead.
    """

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="runs")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="sequence_runs"
    )
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    current_step = models.ForeignKey(
        SequenceStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_follow_up = models.ForeignKey(
        "relationships.FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    step_from = models.DateTimeField()
    previous_step = models.ForeignKey(
        SequenceStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_follow_up = models.ForeignKey(
        "relationships.FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    previous_step_from = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "person", "status"], name="seqrun_ws_person"),
            models.Index(fields=["workspace", "current_follow_up"], name="seqrun_ws_follow_up"),
            models.Index(fields=["workspace", "previous_follow_up"], name="seqrun_ws_previous"),
            models.Index(fields=["workspace", "sequence", "status"], name="seqrun_ws_seq"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "sequence"],
                condition=models.Q(status="active"),
                name="seqrun_one_active_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sequence} for {self.person}"
