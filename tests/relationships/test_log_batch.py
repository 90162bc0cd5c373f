"""`relationship_log_interactions` (the batch path) against `relationship_log_interaction`
(one by one): the same entries in the same order leave the same rows behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.outreach.models import Outreach, OutreachKind, OutreachState
from followthrough.people.models import Person, Tag
from followthrough.relationships.models import (
    FollowUp,
    Interaction,
    InteractionKind,
    Relationship,
    Stage,
)
from followthrough.relationships.services import (
    InteractionEntry,
    follow_up_create,
    relationship_log_interaction,
    relationship_log_interactions,
)
from followthrough.sequences.models import SequenceRun
from followthrough.sequences.services.editing import StepSpec
from followthrough.sequences.services.runs import run_start
from tests.factories import make_person
from tests.sequences.helpers import make_sequence

NOW = datetime(2026, 3, 27, 9, 30, tzinfo=UTC)  # the Friday before Paris moves its clocks
PEOPLE = 4  # the last one may be going through a sequence
KINDS = [
    InteractionKind.EMAIL_SENT,
    InteractionKind.EMAIL_RECEIVED,
    InteractionKind.MESSAGE_SENT,
    InteractionKind.CALL_ATTEMPT,
    InteractionKind.INVITATION,
    InteractionKind.CALL,
    InteractionKind.COFFEE,
    InteractionKind.MET_AT_EVENT,
    InteractionKind.NOTE,
]

entries_strategy = st.lists(
    st.tuples(
        st.integers(0, PEOPLE - 1),
        st.sampled_from(KINDS),
        # Hours from now: the past weeks, the days around now, some ahead; many ties.
        st.one_of(st.integers(-24 * 40, 24 * 4), st.integers(-48, 72)).map(lambda h: h - h % 6),
    ),
    max_size=25,
)


def _world(workspace, owner, *, with_run: bool) -> list[Person]:
    """People with what logging changes: stages, a tag cadence, an own cadence, open
    follow-ups due before and after, waiting and quiet outreach, maybe an active run."""
    workspace.timezone = "Europe/Paris"
    workspace.nudge_gaps = "2, 5"
    workspace.nudge_cap = 2
    workspace.follow_up_window_hours = 24
    workspace.save()
    people = [make_person(workspace, first_name=f"P{i}") for i in range(PEOPLE)]
    tag = Tag.objects.create(workspace=workspace, name="Board", cadence_days=7)
    people[1].tags.add(tag)
    Relationship.objects.filter(person=people[2]).update(cadence_days=10, stage=Stage.ONGOING)
    Relationship.objects.filter(person=people[0]).update(
        stage=Stage.MET, last_interaction_at=NOW - timedelta(days=50)
    )
    for person in people:
        for days in (-20, -3, 0, 2, 9):
            follow_up_create(person=person, title=f"due {days}", due_at=NOW + timedelta(days=days))
    for person, state, days in (
        (people[0], OutreachState.WAITING, -30),
        (people[1], OutreachState.QUIET, -25),
        (people[1], OutreachState.WAITING, -6),
        (people[3], OutreachState.WAITING, -8),
    ):
        Outreach.objects.create(
            workspace=workspace,
            person=person,
            kind=OutreachKind.EMAIL,
            sent_at=NOW + timedelta(days=days),
            state=state,
            next_nudge_due=NOW + timedelta(days=days + 2) if state == "waiting" else None,
        )
    if with_run:
        # Steps due on the day they are scheduled: an interaction that closes one may
        # close the next, scheduled from the moment the first was done; replies end it.
        sequence = make_sequence(
            workspace,
            steps=[
                StepSpec(day_offset=0, action="email", stop_on_reply=True),
                StepSpec(day_offset=0, action="coffee"),
                StepSpec(day_offset=1, action="call", stop_on_reply=True),
            ],
        )
        run_start(sequence=sequence, person=people[3], actor=owner, now=NOW - timedelta(days=12))
    return people


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row logging may touch, as field tuples, ids replaced by what they name."""

    def title(pk: int | None) -> str | None:
        return FollowUp.objects.get(pk=pk).title if pk else None

    return {
        "interactions": list(
            Interaction.objects.order_by("person__first_name", "id").values_list(
                "person__first_name", "kind", "occurred_at", "summary", "message_id", "logged_by"
            )
        ),
        "relationships": list(
            Relationship.objects.order_by("person__first_name").values_list(
                "person__first_name", "stage", "last_interaction_at", "next_touch_due"
            )
        ),
        "outreach": list(
            Outreach.objects.order_by("person__first_name", "id").values_list(
                "person__first_name",
                "kind",
                "sent_at",
                "by",
                "summary",
                "interaction__summary",
                "state",
                "replied_at",
                "nudge_count",
                "last_nudged_at",
                "next_nudge_due",
            )
        ),
        "follow_ups": list(
            FollowUp.objects.order_by("person__first_name", "id").values_list(
                "person__first_name",
                "title",
                "due_at",
                "status",
                "done_at",
                "snooze_count",
                "assigned_to",
            )
        ),
        "runs": [
            (
                run.person.first_name,
                run.sequence_id,
                run.status,
                run.current_step_id,
                title(run.current_follow_up_id),
                run.step_from,
                run.previous_step_id,
                title(run.previous_follow_up_id),
                run.previous_step_from,
                run.ended_at,
            )
            for run in SequenceRun.objects.order_by("person__first_name", "id")
        ],
    }


def _after(log) -> dict[str, list[tuple[Any, ...]]]:
    """The rows after `log()`, then rolled back; the clock stands at NOW meanwhile."""
    sid = transaction.savepoint()
    try:
        with mock.patch("django.utils.timezone.now", return_value=NOW):
            log()
        return _rows()
    finally:
        transaction.savepoint_rollback(sid)


def _entries(drawn, people, actor) -> list[InteractionEntry]:
    return [
        InteractionEntry(
            person_id=people[who].pk,
            kind=kind,
            occurred_at=NOW + timedelta(hours=hours),
            summary=f"#{n}",
            message_id=f"m{n}@x" if n % 2 else "",
            actor=actor if n % 3 else None,
        )
        for n, (who, kind, hours) in enumerate(drawn)
    ]


def _one_by_one(entries: list[InteractionEntry]) -> None:
    for entry in entries:
        relationship_log_interaction(
            person=Person.objects.select_related("workspace").get(pk=entry.person_id),
            kind=entry.kind,
            occurred_at=entry.occurred_at,
            summary=entry.summary,
            actor=entry.actor,
            message_id=entry.message_id,
        )


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=entries_strategy, with_run=st.booleans())
def test_a_batch_leaves_the_rows_logging_one_by_one_leaves(workspace, owner, drawn, with_run):
    with transaction.atomic():
        people = _world(workspace, owner, with_run=with_run)
        entries = _entries(drawn, people, owner)
        expected = _after(lambda: _one_by_one(entries))
        got = _after(lambda: relationship_log_interactions(workspace=workspace, entries=entries))
        transaction.set_rollback(True)
    for table, rows in expected.items():
        assert got[table] == rows, table


def test_the_batch_returns_the_interactions_in_the_entries_order(workspace):
    people = [make_person(workspace) for _ in range(3)]
    entries = [
        InteractionEntry(
            person_id=people[n % 3].pk,
            kind=InteractionKind.EMAIL_SENT,
            occurred_at=NOW - timedelta(days=n),
            summary=f"#{n}",
        )
        for n in range(7)
    ]
    logged = relationship_log_interactions(workspace=workspace, entries=entries)
    assert [i.summary for i in logged] == [f"#{n}" for n in range(7)]
    assert all(i.pk for i in logged)
    assert relationship_log_interactions(workspace=workspace, entries=[]) == []


def test_the_batch_costs_a_few_queries_whatever_its_size(
    workspace, owner, django_assert_max_num_queries
):
    people = [make_person(workspace) for _ in range(20)]
    for person in people:
        follow_up_create(person=person, title="Call", due_at=NOW - timedelta(days=1))
    entries = [
        InteractionEntry(
            person_id=people[n % 20].pk,
            kind=[InteractionKind.EMAIL_SENT, InteractionKind.EMAIL_RECEIVED][n % 7 % 2],
            occurred_at=NOW - timedelta(hours=n),
            summary=f"#{n}",
            actor=owner,
        )
        for n in range(200)
    ]
    # Active runs, relationships, tag cadences, the interactions (3 inserts: Django keeps
    # to SQLite's oldest limit of 999 parameters), relationships, follow-ups found and
    # closed, outreach read, inserted (2) and updated, sequences' hook on the follow-ups
    # closed, savepoints. One by one it would be ≈ 1,600.
    with django_assert_max_num_queries(20):
        relationship_log_interactions(workspace=workspace, entries=entries)
    assert Interaction.objects.filter(workspace=workspace).count() == 200
    assert not FollowUp.objects.filter(workspace=workspace, status="open").exists()


def test_a_person_without_a_relationship_fails_the_whole_batch(workspace):
    person = make_person(workspace)
    Relationship.objects.filter(person=person).delete()
    entry = InteractionEntry(person_id=person.pk, kind=InteractionKind.NOTE, occurred_at=NOW)
    with pytest.raises(Relationship.DoesNotExist):
        relationship_log_interactions(workspace=workspace, entries=[entry])
    assert not Interaction.objects.filter(person=person).exists()
