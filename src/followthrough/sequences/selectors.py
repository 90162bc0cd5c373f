"""Reads for sequences: the workspace's list, one person's runs, what can be started.

Every read is scoped by the workspace and is a handful of indexed queries whatever the
number of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Case, Count, Q, QuerySet, Value, When

from followthrough.mail.models import Purpose
from followthrough.people.models import Person
from followthrough.relationships.models import FollowUpStatus
from followthrough.sequences.models import (
    RunStatus,
    Sequence,
    SequenceRun,
    SequenceStep,
    StepAction,
)
from followthrough.workspaces.models import Workspace


def sequences_for_workspace(*, workspace: Workspace) -> QuerySet[Sequence]:
    """The workspace's sequences by name, archived last, each with `step_count` and
    `active_runs` (one query)."""
    return (
        Sequence.objects.filter(workspace=workspace)
        .annotate(
            step_count=Count("steps", distinct=True),
            active_runs=Count("runs", filter=Q(runs__status=RunStatus.ACTIVE), distinct=True),
        )
        .order_by("archived", "name", "id")
    )


def sequences_to_start(*, workspace: Workspace, person: Person) -> list[Sequence]:
    """Sequences the person can be started on: not archived, with steps, and not one
    they are going through now (two queries)."""
    going = SequenceRun.objects.filter(
        workspace=workspace, person=person, status=RunStatus.ACTIVE
    ).values("sequence_id")
    return list(
        Sequence.objects.filter(workspace=workspace, archived=False, steps__isnull=False)
        .exclude(pk__in=going)
        .distinct()
        .order_by("name", "id")
    )


@dataclass(frozen=True)
class RunRow:
    """A run as the person page shows it: its step and when that step is due."""

    run: SequenceRun
    step_number: int | None
    step_count: int
    step_wording: str
    due_at: datetime | None
    waiting: bool  # its follow-up is open (not snoozed away or cancelled by hand)

    @property
    def is_active(self) -> bool:
        return self.run.status == RunStatus.ACTIVE

    @property
    def compose_query(self) -> str:
        """The query of the mail room's compose page that writes this step's e-mail (its
        template — the first one when the step names none —, or the coffee invitation),
        or "" when the step is no e-mail."""
        step = self.run.current_step
        if step is None or not self.waiting:
            return ""
        if step.action == StepAction.EMAIL:
            return "?" + urlencode({"template": step.template_key} if step.template_key else {})
        if step.action == StepAction.COFFEE:
            return "?" + urlencode({"purpose": Purpose.COFFEE})
        return ""


def person_runs(*, workspace: Workspace, person: Person, limit: int = 10) -> list[RunRow]:
    """The person's runs, newest first (active ones first), at most `limit`; two
    queries: the runs with their sequence, step and follow-up, and the steps' order."""
    ended = Case(When(status=RunStatus.ACTIVE, then=Value(0)), default=Value(1))
    runs = list(
        SequenceRun.objects.filter(workspace=workspace, person=person)
        .select_related("sequence", "current_step", "current_follow_up")
        .order_by(ended, "-started_at", "-id")[:limit]
    )
    order: dict[int, list[int]] = {}
    for sequence_id, step_id in (
        SequenceStep.objects.filter(
            workspace=workspace, sequence_id__in={r.sequence_id for r in runs}
        )
        .order_by("position", "id")
        .values_list("sequence_id", "id")
    ):
        order.setdefault(sequence_id, []).append(step_id)
    rows = []
    for run in runs:
        steps = order.get(run.sequence_id, [])
        step, follow_up = run.current_step, run.current_follow_up
        rows.append(
            RunRow(
                run=run,
                step_number=steps.index(step.pk) + 1 if step and step.pk in steps else None,
                step_count=len(steps),
                step_wording=step.wording if step else "",
                due_at=follow_up.due_at if follow_up else None,
                waiting=bool(follow_up and follow_up.status == FollowUpStatus.OPEN),
            )
        )
    return rows
