"""Writes for sequence runs: starting one, moving it on when its step is done, ending it
by a reply or by hand, and putting it back when a Done is undone.

A run's current step is an ordinary follow-up. Every way a follow-up is done reaches
`runs_follow_ups_done` through `relationships.hooks` (Today's Done, the person page, an
interaction that closes the follow-ups due), so the next step is scheduled whichever way
the person was followed up. Steps are due `day_offset` calendar days after the start or
the previous step's completion, at the same local time of day in the workspace's zone
(`outreach.schedule.days_later_same_time`, the rule nudges use too).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from followthrough.outreach.schedule import days_later_same_time
from followthrough.relationships.models import INBOUND_KINDS, FollowUp, FollowUpStatus
from followthrough.relationships.services import follow_up_create
from followthrough.sequences.models import (
    RunStatus,
    Sequence,
    SequenceRun,
    SequenceStep,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from followthrough.events.models import FocusPick
    from followthrough.people.models import Person
    from followthrough.relationships.models import Interaction


TITLE_LENGTH = 200  # FollowUp.title's max_length
QUERY_SLICE = 900  # ids per IN (…): below SQLite's oldest limit on bound parameters


class SequenceError(ValueError):
    """A sequence change that cannot be made, with a message for the user."""


def sequence_steps(*, sequence: Sequence) -> list[SequenceStep]:
    """The sequence's steps in order (one query)."""
    return list(SequenceStep.objects.filter(workspace_id=sequence.workspace_id, sequence=sequence))


def step_due(*, step: SequenceStep, start: datetime, zone: str) -> datetime:
    """When a step scheduled from `start` is due: its offset in calendar days, at the
    same local time of day in the workspace's zone, across DST changes."""
    return days_later_same_time(start=start, days=step.day_offset, zone=zone)


def step_title(*, step: SequenceStep, sequence: Sequence, steps: list[SequenceStep]) -> str:
    """The follow-up's title: "Invite them to coffee (After an event, step 2 of 3)"."""
    position = next((i for i, s in enumerate(steps, 1) if s.pk == step.pk), len(steps))
    title = f"{step.wording} ({sequence.name}, step {position} of {len(steps)})"
    return title[:TITLE_LENGTH]


def _zone(run: SequenceRun) -> str:
    return run.sequence.workspace.timezone


def _schedule(
    run: SequenceRun,
    step: SequenceStep,
    steps: list[SequenceStep],
    start: datetime,
    *,
    follow_up: FollowUp | None = None,
) -> None:
    """Make `step` the run's current step, due from `start`, as a new follow-up or (when
    given) the open one retitled and re-dated. The caller saves the run."""
    due = step_due(step=step, start=start, zone=_zone(run))
    title = step_title(step=step, sequence=run.sequence, steps=steps)
    if follow_up is None:
        follow_up = follow_up_create(
            person=run.person, title=title, due_at=due, assigned_to=run.started_by
        )
    elif follow_up.status == FollowUpStatus.OPEN:
        follow_up.title, follow_up.due_at = title, due
        follow_up.save(update_fields=["title", "due_at"])
    run.current_step, run.current_follow_up, run.step_from = step, follow_up, start


@transaction.atomic
def run_start(
    *,
    sequence: Sequence,
    person: Person,
    actor: User | None = None,
    now: datetime | None = None,
    follow_up: FollowUp | None = None,
) -> SequenceRun:
    """Start the sequence for the person: step 1 is scheduled from now.

    `follow_up` (a focus pick's) is taken over as step 1 instead of adding a second one:
    it keeps its due date unless step 1's offset makes it later. Raises `SequenceError`
    for an archived or empty sequence, another workspace's person, or a run already on.
    """
    if person.workspace_id != sequence.workspace_id:
        raise SequenceError("That person is not in this workspace.")
    if sequence.archived:
        raise SequenceError(f"“{sequence.name}” is archived and cannot be started.")
    steps = sequence_steps(sequence=sequence)
    if not steps:
        raise SequenceError(f"“{sequence.name}” has no steps yet.")
    if SequenceRun.objects.filter(
        workspace_id=sequence.workspace_id,
        person=person,
        sequence=sequence,
        status=RunStatus.ACTIVE,
    ).exists():
        raise SequenceError(f"{person.full_name} is already going through “{sequence.name}”.")
    now = now or timezone.now()
    run = SequenceRun(
        workspace_id=sequence.workspace_id,
        sequence=sequence,
        person=person,
        started_at=now,
        started_by=actor,
        step_from=now,
    )
    promised = follow_up.due_at if follow_up is not None else None
    _schedule(run, steps[0], steps, now, follow_up=follow_up)
    if follow_up is not None and promised is not None and promised > follow_up.due_at:
        # The pick's window (usually 48 hours) is a promise; step 1 may only push it later.
        follow_up.due_at = promised
        follow_up.save(update_fields=["due_at"])
    run.save()
    return run


def _advance(run: SequenceRun, done_at: datetime) -> None:
    """The current step is done: schedule the next from `done_at`, or complete the run."""
    steps = sequence_steps(sequence=run.sequence)
    ids = [s.pk for s in steps]
    after = ids.index(run.current_step_id) + 1 if run.current_step_id in ids else len(ids)
    run.previous_step_id = run.current_step_id
    run.previous_follow_up_id = run.current_follow_up_id
    run.previous_step_from = run.step_from
    if after < len(steps):
        _schedule(run, steps[after], steps, done_at)
    else:
        run.status, run.ended_at = RunStatus.COMPLETED, done_at
        run.current_step, run.current_follow_up = None, None
    run.save()


@transaction.atomic
def runs_follow_ups_done(workspace_id: int, follow_up_ids: list[int]) -> None:
    """Follow-ups were done (any path): the runs waiting on them move on, each from the
    moment its follow-up was done. Registered on `relationships.hooks`."""
    runs = (
        SequenceRun.objects.filter(
            workspace_id=workspace_id,
            status=RunStatus.ACTIVE,
            current_follow_up_id__in=follow_up_ids,
        )
        .select_related("sequence__workspace", "person", "started_by", "current_follow_up")
        .select_for_update(of=("self",))
    )
    for run in runs:
        follow_up = run.current_follow_up
        assert follow_up is not None  # filtered on it
        _advance(run, follow_up.done_at or timezone.now())


@transaction.atomic
def runs_follow_ups_reopened(workspace_id: int, follow_up_ids: list[int]) -> None:
    """Follow-ups were opened again (an Undo): a run that moved on from one goes back to
    it, and the step it had scheduled goes; a run ended by a reply that was undone is on
    again. Registered on `relationships.hooks`."""
    reopened = set(
        FollowUp.objects.filter(
            workspace_id=workspace_id, pk__in=follow_up_ids, status=FollowUpStatus.OPEN
        ).values_list("pk", flat=True)
    )
    if not reopened:
        return
    base = SequenceRun.objects.filter(workspace_id=workspace_id).select_for_update()
    for run in base.filter(previous_follow_up_id__in=reopened):
        if run.current_follow_up_id is not None and run.current_follow_up_id not in reopened:
            # Made by the step the Undo takes back; clear the run's key to it first.
            made = run.current_follow_up_id
            run.current_follow_up_id = None
            run.save(update_fields=["current_follow_up"])
            FollowUp.objects.filter(workspace_id=workspace_id, pk=made).delete()
        run.current_step_id, run.current_follow_up_id = (
            run.previous_step_id,
            run.previous_follow_up_id,
        )
        run.step_from = run.previous_step_from or run.step_from
        run.previous_step_id = run.previous_follow_up_id = run.previous_step_from = None
        _reactivate(run)
    for run in base.filter(status=RunStatus.REPLIED, current_follow_up_id__in=reopened):
        _reactivate(run)


def _reactivate(run: SequenceRun) -> None:
    other_active = SequenceRun.objects.filter(
        workspace_id=run.workspace_id,
        person_id=run.person_id,
        sequence_id=run.sequence_id,
        status=RunStatus.ACTIVE,
    ).exclude(pk=run.pk)
    if run.status != RunStatus.ACTIVE and other_active.exists():
        return  # started again meanwhile: the newer run goes on, this one stays ended
    run.status, run.ended_at = RunStatus.ACTIVE, None
    run.save()


def _cancel_pending(run: SequenceRun) -> None:
    if run.current_follow_up_id is not None:
        FollowUp.objects.filter(
            workspace_id=run.workspace_id, pk=run.current_follow_up_id, status=FollowUpStatus.OPEN
        ).update(status=FollowUpStatus.CANCELLED)


@transaction.atomic
def runs_hear_interaction(interaction: Interaction) -> None:
    """A reply (an inbound interaction) ends the person's runs whose current step says
    so, if it came while that step was waiting; its follow-up is cancelled. Registered
    on `relationships.hooks.on_interaction_logged`."""
    if interaction.kind not in INBOUND_KINDS or interaction.person_id is None:
        return
    runs = SequenceRun.objects.filter(
        workspace_id=interaction.workspace_id,
        person_id=interaction.person_id,
        status=RunStatus.ACTIVE,
        current_step__stop_on_reply=True,
        step_from__lte=interaction.occurred_at,
    )
    for run in runs.select_for_update():
        _cancel_pending(run)
        run.status, run.ended_at = RunStatus.REPLIED, interaction.occurred_at
        run.save(update_fields=["status", "ended_at"])


def runs_people_on_a_run(workspace_id: int, person_ids: list[int]) -> set[int]:
    """Of these people, those going through a sequence (an active run): a batch of
    interactions logs theirs one at a time, so that each reply and each follow-up it
    closes reaches `runs_hear_interaction` and `runs_follow_ups_done` in the order the
    single path makes (a step done schedules the next follow-up, which a later
    interaction of the batch may close). They are few; one query per 900 people.
    Registered on `relationships.hooks.on_one_by_one`."""
    found: set[int] = set()
    for start in range(0, len(person_ids), QUERY_SLICE):
        found.update(
            SequenceRun.objects.filter(
                workspace_id=workspace_id,
                person_id__in=person_ids[start : start + QUERY_SLICE],
                status=RunStatus.ACTIVE,
            ).values_list("person_id", flat=True)
        )
    return found


@transaction.atomic
def run_stop(*, run: SequenceRun, now: datetime | None = None) -> SequenceRun:
    """Stop a run by hand; its waiting follow-up is cancelled."""
    if run.status != RunStatus.ACTIVE:
        raise SequenceError("This sequence has already ended for them.")
    _cancel_pending(run)
    run.status, run.ended_at = RunStatus.STOPPED, now or timezone.now()
    run.save(update_fields=["status", "ended_at"])
    return run


def focus_pick_sequence(*, workspace_id: int) -> Sequence | None:
    """The workspace's sequence that starts on focus picks, if any (and not archived)."""
    return (
        Sequence.objects.filter(workspace_id=workspace_id, start_on_focus_pick=True, archived=False)
        .select_related("workspace")
        .first()
    )


def runs_start_on_focus_pick(pick: FocusPick, follow_up: FollowUp, actor: User | None) -> None:
    """A focus pick starts the workspace's focus-pick sequence, taking the pick's
    follow-up as step 1, so the person is asked to be followed up once, not twice.
    Registered on `events.hooks.on_focus_picked`."""
    sequence = focus_pick_sequence(workspace_id=pick.workspace_id)
    if sequence is None:
        return
    try:
        run_start(
            sequence=sequence,
            person=pick.person,
            actor=actor,
            now=pick.picked_at,
            follow_up=follow_up,
        )
    except SequenceError:
        return  # already going through it, or no steps: the pick's own follow-up stands


def runs_drop_on_unpick(workspace_id: int, follow_up_ids: list[int]) -> None:
    """A pick was undone: a run it started that is still on step 1 (waiting on the pick's
    follow-up, now cancelled) goes too, as if never started; a run that moved on stays.
    Registered on `events.hooks.on_focus_unpicked`."""
    if follow_up_ids:
        SequenceRun.objects.filter(
            workspace_id=workspace_id,
            status=RunStatus.ACTIVE,
            current_follow_up_id__in=follow_up_ids,
            previous_follow_up__isnull=True,
        ).delete()
