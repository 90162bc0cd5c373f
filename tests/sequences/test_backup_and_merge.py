"""Sequences in a backup and its restore, in a merge of two people, and in a bulk
delete of people with its undo."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from django.utils import timezone

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.writer import backup_chunks
from followthrough.people.bulk import people_delete, people_restore
from followthrough.people.merge import person_merge
from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.relationships.services import follow_up_done
from followthrough.sequences.models import RunStatus, Sequence, SequenceRun, SequenceStep
from followthrough.sequences.services.runs import run_start, run_stop
from tests.factories import make_person
from tests.sequences.helpers import make_sequence, pending


def _backup(workspace) -> str:
    return "".join(backup_chunks(workspace=workspace))


def test_a_backup_restores_sequences_steps_and_runs_to_the_same_bytes(workspace, owner):
    sequence = make_sequence(workspace, start_on_focus_pick=True)
    make_sequence(workspace, name="Old", archived=True)
    moving = run_start(
        sequence=sequence,
        person=make_person(workspace),
        actor=owner,
        now=timezone.now() - timedelta(days=3),
    )
    follow_up_done(follow_up=pending(moving))
    run_stop(run=run_start(sequence=sequence, person=make_person(workspace)))
    first = _backup(workspace)
    document = json.loads(first)
    assert [len(document[k]) for k in ("sequences", "sequence_steps", "sequence_runs")] == [
        2, 6, 2,
    ]  # fmt: skip
    restored = workspace_restore(stream=io.StringIO(first), slug="restored").workspace
    assert _backup(restored) == first
    run = SequenceRun.objects.get(workspace=restored, status=RunStatus.ACTIVE)
    assert run.current_follow_up.workspace_id == restored.pk
    assert run.current_follow_up.title.startswith("Invite them to coffee")
    assert run.previous_follow_up.status == FollowUpStatus.DONE
    assert run.current_step.sequence.workspace_id == restored.pk
    assert run.started_by == owner
    # The restored run moves on like the original.
    follow_up_done(follow_up=run.current_follow_up)
    assert "step 3 of 3" in pending(run).title


def test_a_merge_keeps_one_active_run_per_sequence(workspace, owner):
    sequence = make_sequence(workspace)
    other_sequence = make_sequence(workspace, name="Partners")
    keep, other = make_person(workspace), make_person(workspace)
    kept_run = run_start(sequence=sequence, person=keep)
    doubled = run_start(sequence=sequence, person=other)
    moved = run_start(sequence=other_sequence, person=other)
    doubled_follow_up = pending(doubled)
    person_merge(keep=keep, other=other, actor=owner)
    for run in (kept_run, doubled, moved):
        run.refresh_from_db()
    assert {run.person_id for run in (kept_run, doubled, moved)} == {keep.pk}
    assert (kept_run.status, doubled.status, moved.status) == (
        RunStatus.ACTIVE, RunStatus.STOPPED, RunStatus.ACTIVE,
    )  # fmt: skip
    doubled_follow_up.refresh_from_db()
    assert doubled_follow_up.status == FollowUpStatus.CANCELLED
    follow_up_done(follow_up=pending(moved))  # still moves on after the merge
    assert "step 2 of 3" in pending(moved).title


def test_deleting_people_takes_their_runs_and_undo_brings_them_back(workspace, owner):
    sequence = make_sequence(workspace)
    person = make_person(workspace)
    run = run_start(sequence=sequence, person=person)
    follow_up_id = pending(run).pk
    deletion = people_delete(workspace=workspace, person_ids=[person.pk], actor=owner)
    assert not SequenceRun.objects.filter(pk=run.pk).exists()
    assert Sequence.objects.filter(pk=sequence.pk).exists()
    people_restore(deletion=deletion)
    run = SequenceRun.objects.get(pk=run.pk)
    assert run.current_follow_up_id == follow_up_id and run.status == RunStatus.ACTIVE
    follow_up_done(follow_up=FollowUp.objects.get(pk=follow_up_id))
    assert "step 2 of 3" in pending(run).title
    assert SequenceStep.objects.filter(sequence=sequence).count() == 3
