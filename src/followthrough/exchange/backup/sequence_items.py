"""The sequences' rows of a backup: sequences, their steps and their runs, written and
restored (the writer's and restorer's own modules delegate here to stay readable).

Steps and runs refer to their sequence, steps and follow-ups by backup-local ids; a run
refers to its waiting follow-up (and the one before it, for Undo) by the follow-ups'
ids, which backups since sequences carry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from followthrough.exchange.backup.restore_values import moment
from followthrough.sequences.models import (
    RunStatus,
    Sequence,
    SequenceRun,
    SequenceStep,
    StepAction,
)

# The writer's `utc_text`, passed in: this module is imported by the writer and the
# restorer and imports neither (no cycle), so their objects come typed as Any.
UtcText = Callable[[datetime | None], str | None]

STEP_FIELDS = ("position", "day_offset", "action", "template_key", "title", "instructions",
               "stop_on_reply")  # fmt: skip


def sequence_items(writer: Any, utc_text: UtcText) -> Iterator[dict[str, Any]]:
    fields = ("name", "description", "start_on_focus_pick", "archived")
    for row in writer.values(Sequence, *fields, "created_at"):
        yield {
            "id": writer.sequences.add(row["pk"]),
            **{name: row[name] for name in fields},
            "created_at": utc_text(row["created_at"]),
        }


def sequence_step_items(writer: Any) -> Iterator[dict[str, Any]]:
    for row in writer.values(SequenceStep, "sequence_id", *STEP_FIELDS):
        if sequence := writer.sequences.get(row["sequence_id"]):
            yield {
                "id": writer.sequence_steps.add(row["pk"]),
                "sequence": sequence,
                **{name: row[name] for name in STEP_FIELDS},
            }


def sequence_run_items(writer: Any, utc_text: UtcText) -> Iterator[dict[str, Any]]:
    steps, follow_ups = writer.sequence_steps, writer.follow_ups
    for row in writer.values(
        SequenceRun, "sequence_id", "person_id", "started_at", "started_by_id", "status",
        "current_step_id", "current_follow_up_id", "step_from", "previous_step_id",
        "previous_follow_up_id", "previous_step_from", "ended_at",
    ):  # fmt: skip
        sequence, person = (
            writer.sequences.get(row["sequence_id"]),
            writer.people.get(row["person_id"]),
        )
        if sequence and person:
            yield {
                "sequence": sequence,
                "person": person,
                "started_at": utc_text(row["started_at"]),
                "started_by": writer.user(row["started_by_id"]),
                "status": row["status"],
                "current_step": steps.get(row["current_step_id"]),
                "current_follow_up": follow_ups.get(row["current_follow_up_id"]),
                "step_from": utc_text(row["step_from"]),
                "previous_step": steps.get(row["previous_step_id"]),
                "previous_follow_up": follow_ups.get(row["previous_follow_up_id"]),
                "previous_step_from": utc_text(row["previous_step_from"]),
                "ended_at": utc_text(row["ended_at"]),
            }


def restore_sequence(restorer: Any, item: dict) -> Sequence:
    return Sequence(
        workspace=restorer.ws,
        name=item["name"],
        description=item["description"],
        start_on_focus_pick=item["start_on_focus_pick"],
        archived=item["archived"],
        created_at=moment(item, "created_at"),
    )


def restore_step(restorer: Any, item: dict) -> SequenceStep:
    if item["action"] not in StepAction.values:
        raise ValidationError({"action": f"is not one of {', '.join(StepAction.values)}"})
    # day_offset and position: the fields' own checks (whole numbers, not negative)
    return SequenceStep(
        workspace=restorer.ws,
        sequence_id=restorer.sequences.require(item["sequence"], "sequence"),
        **{name: item[name] for name in STEP_FIELDS},
    )


def restore_run(restorer: Any, item: dict) -> SequenceRun:
    if item["status"] not in RunStatus.values:
        raise ValidationError({"status": f"is not one of {', '.join(RunStatus.values)}"})
    steps, follow_ups = restorer.sequence_steps, restorer.follow_ups
    return SequenceRun(
        workspace=restorer.ws,
        sequence_id=restorer.sequences.require(item["sequence"], "sequence"),
        person_id=restorer.people.require(item["person"], "person"),
        started_at=moment(item, "started_at"),
        started_by=restorer.user(item["started_by"], "started_by"),
        status=item["status"],
        current_step_id=steps.get(item["current_step"], "current_step"),
        current_follow_up_id=follow_ups.get(item["current_follow_up"], "current_follow_up"),
        step_from=moment(item, "step_from"),
        previous_step_id=steps.get(item["previous_step"], "previous_step"),
        previous_follow_up_id=follow_ups.get(item["previous_follow_up"], "previous_follow_up"),
        previous_step_from=moment(item, "previous_step_from"),
        ended_at=moment(item, "ended_at"),
    )
