"""Runs: starting one, moving on when a step is done (by any path), across DST
changes, replies, stopping, and a focus pick starting the workspace's sequence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from followthrough.events.services import focus_pick, focus_unpick
from followthrough.relationships.due import working_hour
from followthrough.relationships.models import FollowUp, FollowUpStatus, InteractionKind
from followthrough.relationships.services import follow_up_done, relationship_log_interaction
from followthrough.sequences.models import RunStatus, SequenceRun
from followthrough.sequences.services.editing import StepSpec
from followthrough.sequences.services.runs import SequenceError, run_start, run_stop
from tests.factories import make_event, make_person, make_workspace
from tests.sequences.helpers import make_sequence, pending


@pytest.fixture
def berlin(workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    return workspace


def test_it_schedules_step_one_at_the_same_local_time(berlin, owner):
    sequence = make_sequence(berlin, steps=[StepSpec(day_offset=2, action="call")])
    person = make_person(berlin)
    started = datetime(2025, 3, 20, 8, 30, tzinfo=UTC)  # 09:30 in Berlin
    run = run_start(sequence=sequence, person=person, actor=owner, now=started)
    follow_up = pending(run)
    assert follow_up.due_at == datetime(2025, 3, 22, 8, 30, tzinfo=UTC)
    assert follow_up.title == "Call them (After the event, step 1 of 1)"
    assert follow_up.person == person and follow_up.assigned_to == owner
    assert run.status == RunStatus.ACTIVE


def test_it_schedules_the_next_step_from_the_completion_date(berlin):
    run = run_start(sequence=make_sequence(berlin), person=make_person(berlin))
    done_at = timezone.now() + timedelta(days=3)
    follow_up_done(follow_up=pending(run), now=done_at)
    step_two = pending(run)
    assert step_two.title == "Invite them to coffee (After the event, step 2 of 3)"
    assert step_two.due_at == done_at + timedelta(days=4)  # no DST change in between
    run.refresh_from_db()
    assert run.step_from == done_at and run.current_step.position == 2


@pytest.mark.parametrize(
    ("zone", "done_at", "due_at"),
    [
        # Thursday 27 Mar 2025 10:00 CET; clocks go forward on Sunday 30 Mar: 10:00 CEST.
        ("Europe/Berlin", datetime(2025, 3, 27, 9, 0, tzinfo=UTC),
         datetime(2025, 3, 31, 8, 0, tzinfo=UTC)),
        # Friday 24 Oct 2025 09:00 CEST; clocks go back on Sunday 26 Oct: 09:00 CET.
        ("Europe/Berlin", datetime(2025, 10, 24, 7, 0, tzinfo=UTC),
         datetime(2025, 10, 28, 8, 0, tzinfo=UTC)),
        # Friday 7 Mar 2025 09:00 EST; clocks go forward on Sunday 9 Mar: 09:00 EDT.
        ("America/New_York", datetime(2025, 3, 7, 14, 0, tzinfo=UTC),
         datetime(2025, 3, 11, 13, 0, tzinfo=UTC)),
        # Friday 31 Oct 2025 09:00 EDT; clocks go back on Sunday 2 Nov: 09:00 EST.
        ("America/New_York", datetime(2025, 10, 31, 13, 0, tzinfo=UTC),
         datetime(2025, 11, 4, 14, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_it_keeps_the_local_time_of_day_across_a_dst_change(workspace, zone, done_at, due_at):
    workspace.timezone = zone
    workspace.save()
    run = run_start(
        sequence=make_sequence(workspace),
        person=make_person(workspace),
        now=done_at - timedelta(days=1),
    )
    follow_up_done(follow_up=pending(run), now=done_at)
    assert pending(run).due_at == due_at


def test_it_completes_the_run_after_the_last_step(workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    for _ in range(3):
        follow_up_done(follow_up=pending(run))
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED and run.ended_at is not None
    assert run.current_follow_up is None
    assert not FollowUp.objects.filter(person=run.person, status=FollowUpStatus.OPEN).exists()


def test_an_outreach_interaction_that_closes_the_step_moves_the_run_on(workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    step_one = pending(run)
    relationship_log_interaction(person=run.person, kind=InteractionKind.EMAIL_SENT)
    step_one.refresh_from_db()
    assert step_one.status == FollowUpStatus.DONE
    assert "step 2 of 3" in pending(run).title


def _at_step_three(workspace):
    run = run_start(
        sequence=make_sequence(workspace),
        person=make_person(workspace),
        now=timezone.now() - timedelta(days=40),
    )
    follow_up_done(follow_up=pending(run), now=timezone.now() - timedelta(days=30))
    follow_up_done(follow_up=pending(run), now=timezone.now() - timedelta(days=2))
    return run


def test_a_reply_ends_the_run_when_the_step_says_so(workspace):
    run = _at_step_three(workspace)
    check_in = pending(run)
    relationship_log_interaction(person=run.person, kind=InteractionKind.EMAIL_RECEIVED)
    run.refresh_from_db()
    check_in.refresh_from_db()
    assert run.status == RunStatus.REPLIED and run.ended_at is not None
    assert check_in.status == FollowUpStatus.CANCELLED


def test_a_reply_leaves_the_run_alone_when_the_step_does_not_say_so(workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    relationship_log_interaction(person=run.person, kind=InteractionKind.EMAIL_RECEIVED)
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE
    assert pending(run).status == FollowUpStatus.OPEN


def test_a_reply_from_before_the_step_began_does_not_end_it(workspace):
    run = _at_step_three(workspace)  # an old e-mail, imported late
    relationship_log_interaction(
        person=run.person,
        kind=InteractionKind.EMAIL_RECEIVED,
        occurred_at=timezone.now() - timedelta(days=10),
    )
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE


def test_the_coffee_that_does_the_coffee_step_is_not_a_reply_to_the_next(workspace):
    run = run_start(
        sequence=make_sequence(workspace),
        person=make_person(workspace),
        now=timezone.now() - timedelta(days=10),
    )
    follow_up_done(follow_up=pending(run), now=timezone.now() - timedelta(days=5))
    # Logged a minute ahead (a clock a little fast): the coffee answers the coffee step,
    # which it closes, and is judged before the check-in it schedules exists.
    relationship_log_interaction(
        person=run.person,
        kind=InteractionKind.COFFEE,
        occurred_at=timezone.now() + timedelta(minutes=1),
    )
    run.refresh_from_db()
    assert run.status == RunStatus.ACTIVE
    assert "step 3 of 3" in pending(run).title


def test_stopping_a_run_cancels_its_follow_up(workspace):
    run = run_start(sequence=make_sequence(workspace), person=make_person(workspace))
    follow_up = pending(run)
    run_stop(run=run)
    run.refresh_from_db()
    follow_up.refresh_from_db()
    assert run.status == RunStatus.STOPPED and follow_up.status == FollowUpStatus.CANCELLED
    with pytest.raises(SequenceError):
        run_stop(run=run)


def test_it_refuses_a_second_active_run_another_workspace_and_an_archived_sequence(workspace):
    sequence = make_sequence(workspace)
    person = make_person(workspace)
    run_start(sequence=sequence, person=person)
    with pytest.raises(SequenceError, match="already going through"):
        run_start(sequence=sequence, person=person)
    with pytest.raises(SequenceError, match="not in this workspace"):
        run_start(sequence=sequence, person=make_person(make_workspace()))
    sequence.archived = True
    sequence.save()
    with pytest.raises(SequenceError, match="archived"):
        run_start(sequence=sequence, person=make_person(workspace))


def test_a_focus_pick_starts_the_workspace_sequence_with_one_follow_up(workspace, owner):
    make_sequence(workspace, start_on_focus_pick=True)
    event = make_event(workspace, title="Literacy breakfast")
    person = make_person(workspace)
    pick = focus_pick(event=event, person=person, actor=owner)
    run = SequenceRun.objects.get(person=person)
    open_ones = FollowUp.objects.filter(person=person, status=FollowUpStatus.OPEN)
    assert [f.pk for f in open_ones] == [run.current_follow_up_id]
    follow_up = open_ones.get()
    assert follow_up.focus_pick_id == pick.pk  # still Today's "focus people" follow-up
    assert follow_up.title == "Send the thank-you e-mail (After the event, step 1 of 3)"
    window = timedelta(hours=workspace.follow_up_window_hours)
    due = working_hour(max(event.ends_at, pick.picked_at) + window, workspace.timezone)
    assert follow_up.due_at == due  # as promised
    assert run.started_by == owner


def test_a_focus_pick_starts_nothing_unless_the_workspace_says_so(workspace):
    make_sequence(workspace)
    person = make_person(workspace)
    focus_pick(event=make_event(workspace), person=person)
    assert not SequenceRun.objects.filter(person=person).exists()
    assert FollowUp.objects.filter(person=person).count() == 1


def test_undoing_the_pick_takes_back_the_run_it_started(workspace):
    make_sequence(workspace, start_on_focus_pick=True)
    event, person = make_event(workspace), make_person(workspace)
    focus_pick(event=event, person=person)
    focus_unpick(event=event, person=person)
    assert not SequenceRun.objects.filter(person=person).exists()
    assert not FollowUp.objects.filter(person=person, status=FollowUpStatus.OPEN).exists()
