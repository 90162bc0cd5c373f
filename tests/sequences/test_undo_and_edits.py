"""Undoing Today's Done puts a run back a step; editing a sequence applies to runs not
yet past the edited step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.relationships.services import follow_up_done, follow_up_snooze
from followthrough.sequences.models import RunStatus, Sequence
from followthrough.sequences.services.editing import (
    SequenceSpec,
    StepSpec,
    sequence_delete,
    sequence_save,
)
from followthrough.sequences.services.runs import SequenceError, run_start, step_due
from tests.factories import make_person
from tests.sequences.helpers import make_sequence, pending, specs_of


def _done_on_today(client, workspace, follow_up):
    response = client.post(
        reverse("outreach:follow-up-done", args=[workspace.slug, follow_up.pk]),
        {"next": reverse("agenda:today", args=[workspace.slug])},
    )
    assert response.status_code == 303
    return client.session["outreach_undo"]["token"]


def _undo(client, workspace, token):
    response = client.post(
        reverse("outreach:outreach-undo", args=[workspace.slug]), {"undo": token}
    )
    assert response.status_code == 303


def test_undoing_a_done_puts_the_run_back_one_step(owner_client, workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    step_one = pending(run)
    token = _done_on_today(owner_client, workspace, step_one)
    step_two = pending(run)
    assert step_two != step_one
    _undo(owner_client, workspace, token)
    run.refresh_from_db()
    assert run.current_follow_up_id == step_one.pk and run.current_step.position == 1
    assert not FollowUp.objects.filter(pk=step_two.pk).exists()
    assert list(
        FollowUp.objects.filter(person=run.person, status=FollowUpStatus.OPEN).values_list(
            "pk", flat=True
        )
    ) == [step_one.pk]
    # Done again: exactly one step ahead, not two.
    follow_up_done(follow_up=FollowUp.objects.get(pk=step_one.pk))
    assert "step 2 of 3" in pending(run).title


def test_undoing_the_last_done_makes_the_run_active_again(owner_client, workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    follow_up_done(follow_up=pending(run))
    follow_up_done(follow_up=pending(run))
    last = pending(run)
    token = _done_on_today(owner_client, workspace, last)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    _undo(owner_client, workspace, token)
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE and run.ended_at is None
    assert run.current_follow_up_id == last.pk


def test_undoing_a_reply_puts_the_run_back_on(owner_client, workspace):
    run = run_start(
        sequence=make_sequence(workspace, steps=[StepSpec(0, "email", stop_on_reply=True)]),
        person=make_person(workspace),
    )
    owner_client.post(reverse("outreach:outreach-replied", args=[workspace.slug, run.person.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.REPLIED
    _undo(owner_client, workspace, owner_client.session["outreach_undo"]["token"])
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE and pending(run).status == FollowUpStatus.OPEN


def _started(workspace, days_ago=1):
    sequence = make_sequence(workspace)
    start = timezone.now() - timedelta(days=days_ago)
    run = run_start(sequence=sequence, person=make_person(workspace), now=start)
    return sequence, run


def _edit(sequence, steps, **kwargs):
    spec = SequenceSpec(name=kwargs.pop("name", sequence.name), steps=steps, **kwargs)
    return sequence_save(workspace=sequence.workspace, spec=spec, sequence=sequence)


def test_a_new_offset_of_the_current_step_re_dates_its_follow_up(workspace):
    sequence, run = _started(workspace)
    steps = specs_of(sequence)
    steps[0] = StepSpec(id=steps[0].id, day_offset=3, action="email", title="Say thanks")
    _edit(sequence, steps)
    follow_up = pending(run)
    assert follow_up.due_at == run.step_from + timedelta(days=3)
    assert follow_up.title == "Say thanks (After the event, step 1 of 3)"


def test_an_edit_elsewhere_keeps_a_snoozed_due_date_and_renumbers(workspace):
    sequence, run = _started(workspace)
    follow_up_snooze(follow_up=pending(run), days=2)
    snoozed = pending(run).due_at
    steps = specs_of(sequence)
    steps[2] = StepSpec(id=steps[2].id, day_offset=30, action="check_in")
    _edit(sequence, [*steps, StepSpec(day_offset=90, action="call")])
    assert pending(run).due_at == snoozed
    assert pending(run).title.endswith("step 1 of 4)")


def test_runs_past_the_edited_step_are_left_alone(workspace):
    sequence, run = _started(workspace, days_ago=10)
    follow_up_done(follow_up=pending(run))
    before = pending(run)
    steps = specs_of(sequence)
    steps[0] = StepSpec(id=steps[0].id, day_offset=9, action="email")
    _edit(sequence, steps)
    assert pending(run).due_at == before.due_at


def test_later_steps_are_read_when_they_are_scheduled(workspace):
    sequence, run = _started(workspace)
    first, second, third = specs_of(sequence)
    _edit(sequence, [first, third, second])  # reordered: the check-in comes second
    done_at = timezone.now()
    follow_up_done(follow_up=pending(run), now=done_at)
    step = pending(run)
    assert step.title == "Send the check-in e-mail (After the event, step 2 of 3)"
    assert step.due_at == step_due(
        step=sequence.steps.get(pk=third.id), start=done_at, zone=workspace.timezone
    )


def test_removing_the_current_step_moves_the_run_to_the_next(workspace):
    sequence, run = _started(workspace)
    follow_up_done(follow_up=pending(run))  # now on the coffee step
    run.refresh_from_db()
    step_from = run.step_from
    first, _coffee, third = specs_of(sequence)
    _edit(sequence, [first, third])
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE and run.current_step.pk == third.id
    follow_up = pending(run)
    assert follow_up.title == "Send the check-in e-mail (After the event, step 2 of 2)"
    assert follow_up.due_at == step_due(
        step=run.current_step, start=step_from, zone=workspace.timezone
    )


def test_removing_the_current_last_step_completes_the_run(workspace):
    sequence, run = _started(workspace)
    follow_up_done(follow_up=pending(run))
    follow_up_done(follow_up=pending(run))  # now on the check-in, the last step
    follow_up = pending(run)
    first, second, _check_in = specs_of(sequence)
    _edit(sequence, [first, second])
    run.refresh_from_db()
    follow_up.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.current_step is None
    assert follow_up.status == FollowUpStatus.CANCELLED


def test_only_one_sequence_starts_on_focus_picks(workspace):
    make_sequence(workspace, name="First", start_on_focus_pick=True)
    with pytest.raises(SequenceError, match="“First” already starts on focus picks"):
        make_sequence(workspace, name="Second", start_on_focus_pick=True)


def test_the_database_refuses_two_focus_pick_sequences(workspace):
    from django.db import IntegrityError, transaction

    make_sequence(workspace, name="First", start_on_focus_pick=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sequence.objects.create(workspace=workspace, name="Second", start_on_focus_pick=True)


def test_deleting_a_sequence_cancels_what_its_runs_wait_for(workspace):
    sequence, run = _started(workspace)
    follow_up = pending(run)
    sequence_delete(sequence=sequence)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CANCELLED
