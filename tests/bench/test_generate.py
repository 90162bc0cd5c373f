"""The benchmark generator makes coherent data: what the services would have made.

Runs at a very small scale on the test database; timings are never asserted here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from bench.generator import BENCH_SLUG, generate
from bench.scales import Scale
from django.db.models import Count, Min, OuterRef, Q, Subquery

from followthrough.agenda.selectors import today_items
from followthrough.events.models import Attendance, FocusPick
from followthrough.people.models import Organization, Person
from followthrough.relationships.models import (
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    Relationship,
    Stage,
)
from followthrough.relationships.services import OUTREACH_KINDS, relationship_cadence_days
from followthrough.workspaces.models import Workspace

SCALE = Scale(people=400, organizations=60, interactions=4_000, events=30, users=3, chunk=150)


@pytest.fixture
def bench(db):
    return generate(SCALE, log=lambda _: None, migrate=False, checkpoint=False).workspace


def test_it_makes_the_requested_counts(bench):
    assert Person.objects.for_workspace(bench).count() == SCALE.people
    assert Organization.objects.for_workspace(bench).count() == SCALE.organizations + 1
    assert Interaction.objects.for_workspace(bench).count() == SCALE.interactions
    assert Relationship.objects.for_workspace(bench).count() == SCALE.people
    assert bench.memberships.count() == SCALE.users
    stages = set(Relationship.objects.for_workspace(bench).values_list("stage", flat=True))
    assert stages == set(Stage.values)


def test_relationships_follow_the_services_rules(bench):
    latest = Interaction.objects.filter(person=OuterRef("person")).order_by("-occurred_at")
    relationships = Relationship.objects.for_workspace(bench).annotate(
        latest=Subquery(latest.values("occurred_at")[:1])
    )
    for relationship in relationships.select_related("person"):
        assert relationship.last_interaction_at == relationship.latest
        days = relationship_cadence_days(relationship=relationship)
        since = relationship.last_interaction_at or relationship.created_at
        expected = since + timedelta(days=days) if days else None
        assert relationship.next_touch_due == expected, relationship.pk
    assert relationships.filter(stage__gte=Stage.MET, next_touch_due__lt=bench.created_at).exists()


def test_stages_match_the_interactions(bench):
    per_stage = {
        Stage.MET: Q(interactions__kind=InteractionKind.MET_AT_EVENT),
        Stage.FOLLOWED_UP: Q(interactions__kind=InteractionKind.EMAIL_SENT),
        Stage.MET_ONE_TO_ONE: Q(interactions__kind=InteractionKind.COFFEE),
    }
    people = Person.objects.for_workspace(bench)
    for stage, must_have in per_stage.items():
        at_stage = people.filter(relationship__stage__gte=stage)
        assert at_stage.exists()
        assert at_stage.exclude(pk__in=people.filter(must_have)).count() == 0, stage
    too_far = {
        Stage.MET: ["email_sent", "email_received", "call", "coffee"],
        Stage.FOLLOWED_UP: ["coffee"],
    }
    for stage, kinds in too_far.items():
        assert not people.filter(relationship__stage=stage, interactions__kind__in=kinds).exists()
    met = Interaction.objects.for_workspace(bench).filter(kind=InteractionKind.MET_AT_EVENT)
    assert (
        met.filter(event__isnull=False).count()
        == Attendance.objects.filter(
            workspace=bench, event__starts_at__lte=bench.created_at
        ).count()
    )


def test_focus_picks_keep_the_limit_and_their_follow_ups(bench):
    picks = FocusPick.objects.for_workspace(bench)
    assert picks.exists()
    per_event = picks.filter(over_limit=False).values("event").annotate(n=Count("id"))
    assert max(row["n"] for row in per_event) <= 2
    for pick in picks:
        follow_up = pick.follow_ups.get()
        outreach = Interaction.objects.filter(
            person=pick.person, kind__in=OUTREACH_KINDS, occurred_at__gt=pick.picked_at
        )
        if follow_up.status == FollowUpStatus.DONE:
            assert follow_up.done_at == outreach.aggregate(first=Min("occurred_at"))["first"]
        else:
            assert not outreach.exists()


def test_today_has_something_in_every_section(bench):
    today = today_items(workspace=bench)
    assert today.follow_ups_due and today.slipping and today.focus_waiting
    assert today.upcoming_events
    assert FollowUp.objects.for_workspace(bench).filter(snooze_count__gt=0).exists()


def test_running_it_again_replaces_the_workspace_with_the_same_data(bench):
    names = list(
        Person.objects.for_workspace(bench)
        .order_by("pk")
        .values_list("full_name", "relationship__stage")
    )
    again = generate(SCALE, log=lambda _: None, migrate=False, checkpoint=False).workspace
    assert Workspace.objects.filter(slug=BENCH_SLUG).count() == 1
    assert (
        list(
            Person.objects.for_workspace(again)
            .order_by("pk")
            .values_list("full_name", "relationship__stage")
        )
        == names
    )
    assert Interaction.objects.for_workspace(again).count() == SCALE.interactions


def test_outreach_follows_the_services_rules(bench):
    from followthrough.outreach.models import OPEN_STATES, Outreach, OutreachState
    from followthrough.outreach.schedule import nudge_due
    from followthrough.relationships.models import INBOUND_KINDS

    outreach = Outreach.objects.for_workspace(bench).select_related("interaction")
    states = set(outreach.values_list("state", flat=True))
    assert {OutreachState.WAITING, OutreachState.REPLIED, OutreachState.QUIET} <= states
    for row in outreach:
        assert row.interaction.person_id == row.person_id
        assert row.interaction.occurred_at == row.sent_at
        answers = Interaction.objects.filter(person=row.person_id, kind__in=INBOUND_KINDS)
        if row.state == OutreachState.WAITING:
            assert row.next_nudge_due == nudge_due(
                sent_at=row.sent_at, nudge_count=row.nudge_count,
                gaps=bench.nudge_gap_days, cap=bench.nudge_cap, zone="UTC",
            )  # fmt: skip
            assert not answers.filter(occurred_at__gte=row.sent_at).exists()
        if row.state == OutreachState.REPLIED:
            assert answers.filter(occurred_at=row.replied_at).exists()
    open_per_person = (
        outreach.filter(state__in=OPEN_STATES).values("person").annotate(n=Count("id"))
    )
    assert max(row["n"] for row in open_per_person) == 1
