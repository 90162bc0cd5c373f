"""Writes for sequences and their steps, and what an edit does to the runs on them.

An edit applies to runs not yet past the edited step, without rewriting history: later
steps are read when they are scheduled, so runs pick up added, removed, reordered or
re-timed later steps by themselves. A run whose *current* step changed gets its waiting
follow-up re-titled and (when the offset changed) re-dated from when the step was
scheduled; a run whose current step is removed moves on to the step that came after it,
scheduled from the same moment, or completes when none is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.sequences.models import (
    RunStatus,
    Sequence,
    SequenceRun,
    SequenceStep,
    StepAction,
)
from followthrough.sequences.services.runs import (
    SequenceError,
    sequence_steps,
    step_due,
    step_title,
)
from followthrough.workspaces.models import Workspace

STEP_FIELDS = ("day_offset", "action", "template_key", "title", "instructions", "stop_on_reply")


@dataclass(frozen=True)
class StepSpec:
    """One step as a form or a caller describes it; `id` names an existing step."""

    day_offset: int
    action: str
    title: str = ""
    instructions: str = ""
    template_key: str = ""
    stop_on_reply: bool = False
    id: int | None = None


@dataclass(frozen=True)
class SequenceSpec:
    name: str
    steps: list[StepSpec]
    description: str = ""
    start_on_focus_pick: bool = False
    archived: bool = False


@dataclass
class _Edit:
    """What an edit changed, for the runs: removed steps with the step that followed
    each one (None: it was the last), and the steps whose offset changed."""

    successor: dict[int, SequenceStep | None] = field(default_factory=dict)
    retimed: set[int] = field(default_factory=set)


def _check(workspace: Workspace, spec: SequenceSpec, sequence: Sequence | None) -> None:
    if not spec.name.strip():
        raise SequenceError("Give the sequence a name.")
    if not spec.steps:
        raise SequenceError("Add at least one step.")
    for number, step in enumerate(spec.steps, 1):
        if step.day_offset < 0:
            raise SequenceError(f"Step {number}: the days after cannot be negative.")
        if step.action not in StepAction.values:
            raise SequenceError(f"Step {number}: choose what the step is.")
    if spec.start_on_focus_pick:
        other = Sequence.objects.filter(workspace=workspace, start_on_focus_pick=True)
        if sequence is not None:
            other = other.exclude(pk=sequence.pk)
        if first := other.first():
            raise SequenceError(
                f"“{first.name}” already starts on focus picks; turn it off there first."
            )


@transaction.atomic
def sequence_save(
    *,
    workspace: Workspace,
    spec: SequenceSpec,
    sequence: Sequence | None = None,
    now: datetime | None = None,
) -> Sequence:
    """Create a sequence, or edit one with its steps (in the order given), and bring the
    runs on it in step (see the module's docstring). Raises `SequenceError`."""
    if sequence is not None and sequence.workspace_id != workspace.pk:
        raise SequenceError("That sequence is not in this workspace.")
    _check(workspace, spec, sequence)
    if sequence is None:
        sequence = Sequence(workspace=workspace)
    sequence.name, sequence.description = spec.name.strip(), spec.description
    sequence.start_on_focus_pick, sequence.archived = spec.start_on_focus_pick, spec.archived
    try:
        with transaction.atomic():
            sequence.save()
    except IntegrityError:  # two members turned it on at once
        raise SequenceError("Another sequence already starts on focus picks.") from None
    edit = _save_steps(sequence, spec.steps)
    _apply_to_runs(sequence, edit, now or timezone.now())
    SequenceStep.objects.filter(workspace=workspace, pk__in=list(edit.successor)).delete()
    return sequence


def _save_steps(sequence: Sequence, specs: list[StepSpec]) -> _Edit:
    old = sequence_steps(sequence=sequence)
    existing = {step.pk: step for step in old}
    edit, kept = _Edit(), []
    for position, spec in enumerate(specs, 1):
        step = existing.get(spec.id) if spec.id is not None else None
        if step is None:
            step = SequenceStep(workspace_id=sequence.workspace_id, sequence=sequence)
        elif step.day_offset != spec.day_offset:
            edit.retimed.add(step.pk)
        step.position = position
        for name in STEP_FIELDS:
            setattr(step, name, getattr(spec, name))
        step.save()
        kept.append(step.pk)
    for index, step in enumerate(old):
        if step.pk not in kept:
            after = (s for s in old[index + 1 :] if s.pk in kept)
            edit.successor[step.pk] = next(after, None)
    return edit


def _apply_to_runs(sequence: Sequence, edit: _Edit, now: datetime) -> None:
    """Re-title every active run's waiting follow-up ("step 2 of 4" may have changed),
    re-date those whose step was re-timed, move runs off removed steps."""
    steps = [s for s in sequence_steps(sequence=sequence) if s.pk not in edit.successor]
    by_id = {s.pk: s for s in steps}
    zone = sequence.workspace.timezone
    runs = SequenceRun.objects.filter(
        workspace_id=sequence.workspace_id, sequence=sequence, status=RunStatus.ACTIVE
    ).select_related("current_follow_up")
    changed_runs: list[SequenceRun] = []
    changed_follow_ups: list[FollowUp] = []
    for run in runs.iterator(chunk_size=500):
        follow_up = run.current_follow_up
        step_id = run.current_step_id
        if step_id in edit.successor:
            successor = edit.successor[step_id]
            if successor is None:
                run.status, run.ended_at, run.current_step = RunStatus.COMPLETED, now, None
                _cancel(follow_up)
                changed_runs.append(run)
                continue
            run.current_step = successor
            changed_runs.append(run)
        step = by_id.get(run.current_step_id or 0)
        if step is None or follow_up is None or follow_up.status != FollowUpStatus.OPEN:
            continue
        follow_up.title = step_title(step=step, sequence=sequence, steps=steps)
        if step_id in edit.successor or step.pk in edit.retimed:
            follow_up.due_at = step_due(step=step, start=run.step_from, zone=zone)
        changed_follow_ups.append(follow_up)
    SequenceRun.objects.bulk_update(
        changed_runs, ["status", "ended_at", "current_step"], batch_size=500
    )
    FollowUp.objects.bulk_update(changed_follow_ups, ["title", "due_at"], batch_size=500)


def _cancel(follow_up: FollowUp | None) -> None:
    if follow_up is not None and follow_up.status == FollowUpStatus.OPEN:
        follow_up.status = FollowUpStatus.CANCELLED
        follow_up.save(update_fields=["status"])


@transaction.atomic
def sequence_delete(*, sequence: Sequence) -> None:
    """Delete a sequence, its steps and runs; the waiting follow-ups of its active runs
    are cancelled (done and past ones stay on the timelines)."""
    pending = SequenceRun.objects.filter(
        workspace_id=sequence.workspace_id, sequence=sequence, status=RunStatus.ACTIVE
    ).values("current_follow_up_id")
    FollowUp.objects.filter(
        workspace_id=sequence.workspace_id, pk__in=pending, status=FollowUpStatus.OPEN
    ).update(status=FollowUpStatus.CANCELLED)
    sequence.delete()


def sequence_archive(*, sequence: Sequence, archived: bool = True) -> Sequence:
    """Archive (or bring back) a sequence: archived ones cannot be started, and stop
    starting on focus picks; runs already on carry on."""
    sequence.archived = archived
    if archived:
        sequence.start_on_focus_pick = False
    sequence.save(update_fields=["archived", "start_on_focus_pick"])
    return sequence


SUGGESTED = SequenceSpec(
    name="After an event",
    description="Thank them soon after meeting, invite them to coffee, then check in.",
    steps=[
        StepSpec(day_offset=0, action=StepAction.EMAIL, title="Send the thank-you e-mail",
                 template_key="thank-you"),
        StepSpec(day_offset=4, action=StepAction.COFFEE, title="Invite them to coffee",
                 template_key="coffee-invitation"),
        StepSpec(day_offset=21, action=StepAction.CHECK_IN, title="Send the check-in e-mail",
                 template_key="check-in", stop_on_reply=True),
    ],
)  # fmt: skip


def sequence_add_suggested(*, workspace: Workspace) -> Sequence:
    """Add the suggested "After an event" sequence (not started on focus picks: turning
    that on is the workspace's choice)."""
    return sequence_save(workspace=workspace, spec=SUGGESTED)
