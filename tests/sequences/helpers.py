"""Small helpers for the sequences tests (keyword overrides, no fixture files)."""

from __future__ import annotations

from typing import Any

from followthrough.relationships.models import FollowUp
from followthrough.sequences.models import Sequence, SequenceRun
from followthrough.sequences.services.editing import SequenceSpec, StepSpec, sequence_save

AFTER_AN_EVENT = [
    StepSpec(day_offset=0, action="email", title="Send the thank-you e-mail"),
    StepSpec(day_offset=4, action="coffee", title="Invite them to coffee"),
    StepSpec(day_offset=21, action="check_in", title="Send the check-in e-mail",
             stop_on_reply=True),
]  # fmt: skip


def make_sequence(workspace, steps: list[StepSpec] | None = None, **kwargs: Any) -> Sequence:
    kwargs.setdefault("name", "After the event")
    spec = SequenceSpec(steps=list(AFTER_AN_EVENT if steps is None else steps), **kwargs)
    return sequence_save(workspace=workspace, spec=spec)


def pending(run: SequenceRun) -> FollowUp:
    run.refresh_from_db()
    assert run.current_follow_up is not None
    return FollowUp.objects.get(pk=run.current_follow_up_id)


def specs_of(sequence: Sequence) -> list[StepSpec]:
    """The sequence's steps as specs (with their ids), for an edit."""
    return [
        StepSpec(id=s.pk, day_offset=s.day_offset, action=s.action, title=s.title,
                 stop_on_reply=s.stop_on_reply)
        for s in sequence.steps.all()
    ]  # fmt: skip
