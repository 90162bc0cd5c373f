"""How a merge of two people treats sequence runs (registered with `people.registry` in
`SequencesConfig.ready()`): one active run per person and sequence."""

from __future__ import annotations

from django.utils import timezone

from followthrough.people.models import Person
from followthrough.relationships.models import FollowUp, FollowUpStatus
from followthrough.sequences.models import RunStatus, SequenceRun


def merge_runs(keep: Person, other: Person) -> None:
    """The other person's runs move to the kept one; where both were going through the
    same sequence, the kept person's run goes on and the other's is stopped (its waiting
    follow-up, already moved to the kept person, is cancelled)."""
    ws = keep.workspace_id
    going = set(
        SequenceRun.objects.filter(
            workspace_id=ws, person=keep, status=RunStatus.ACTIVE
        ).values_list("sequence_id", flat=True)
    )
    now, moving = timezone.now(), []
    for run in SequenceRun.objects.filter(workspace_id=ws, person=other):
        if run.status == RunStatus.ACTIVE and run.sequence_id in going:
            FollowUp.objects.filter(
                workspace_id=ws, pk=run.current_follow_up_id, status=FollowUpStatus.OPEN
            ).update(status=FollowUpStatus.CANCELLED)
            run.status, run.ended_at = RunStatus.STOPPED, now
        run.person = keep
        moving.append(run)
    SequenceRun.objects.bulk_update(moving, ["person", "status", "ended_at"])
