from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from followthrough.outreach.models import Outreach, OutreachState
from followthrough.outreach.services import (
    OutreachError,
    outreach_log_nudge,
    outreach_log_reply,
    outreach_snooze,
)
from followthrough.relationships.models import FollowUp, FollowUpStatus, InteractionKind
from followthrough.relationships.services import relationship_log_interaction
from tests.factories import make_person


def _send(person, kind=InteractionKind.EMAIL_SENT, at=None):
    relationship_log_interaction(person=person, kind=kind, occurred_at=at)
    return Outreach.objects.filter(person=person).order_by("-id").first()


@pytest.mark.parametrize(
    "kind",
    [
        InteractionKind.EMAIL_SENT,
        InteractionKind.CALL_ATTEMPT,
        InteractionKind.INVITATION,
        InteractionKind.MESSAGE_SENT,
    ],
)
def test_logging_an_outbound_interaction_opens_an_outreach_waiting_for_a_reply(workspace, kind):
    person = make_person(workspace)
    sent = timezone.now() - timedelta(hours=1)
    outreach = _send(person, kind, sent)
    assert outreach.state == OutreachState.WAITING
    assert outreach.sent_at == sent
    assert outreach.interaction.kind == kind
    assert outreach.next_nudge_due > sent


def test_a_note_opens_nothing(workspace):
    person = make_person(workspace)
    relationship_log_interaction(person=person, kind=InteractionKind.NOTE)
    assert not Outreach.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    "kind", [InteractionKind.EMAIL_RECEIVED, InteractionKind.CALL, InteractionKind.COFFEE]
)
def test_an_answer_closes_the_outreach_as_replied(workspace, kind):
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=2))
    relationship_log_interaction(person=person, kind=kind)
    outreach.refresh_from_db()
    assert outreach.state == OutreachState.REPLIED
    assert outreach.replied_at is not None and outreach.next_nudge_due is None


def test_being_listed_at_an_event_is_not_a_reply(workspace):
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=2))
    relationship_log_interaction(person=person, kind=InteractionKind.MET_AT_EVENT)
    outreach.refresh_from_db()
    assert outreach.state == OutreachState.WAITING


def test_an_answer_older_than_the_outreach_does_not_close_it(workspace):
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=2))
    relationship_log_interaction(
        person=person,
        kind=InteractionKind.EMAIL_RECEIVED,
        occurred_at=timezone.now() - timedelta(days=5),
    )
    outreach.refresh_from_db()
    assert outreach.state == OutreachState.WAITING


def test_nudges_follow_the_workspace_gaps_in_its_time_zone_across_dst(workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.nudge_gaps = "4, 10, 21"
    workspace.save()
    person = make_person(workspace)
    sent = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)  # Friday 09:00 in Berlin
    outreach = _send(person, at=sent)
    assert outreach.next_nudge_due == datetime(2025, 10, 28, 8, 0, tzinfo=UTC)
    outreach_log_nudge(outreach=outreach, now=datetime(2025, 10, 28, 9, 0, tzinfo=UTC))
    outreach.refresh_from_db()
    assert outreach.nudge_count == 1
    assert outreach.next_nudge_due == datetime(2025, 11, 3, 8, 0, tzinfo=UTC)  # day 10


def test_after_the_cap_the_relationship_goes_quiet_and_is_never_nudged(workspace):
    workspace.nudge_cap = 2
    workspace.save()
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=30))
    for _ in range(2):
        outreach_log_nudge(outreach=outreach)
        outreach.refresh_from_db()
    assert outreach.state == OutreachState.QUIET
    assert outreach.next_nudge_due is None
    with pytest.raises(OutreachError):
        outreach_log_nudge(outreach=outreach)


def test_a_reply_revives_a_quiet_relationship(workspace):
    workspace.nudge_cap = 1
    workspace.save()
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=30))
    outreach_log_nudge(outreach=outreach)
    outreach_log_reply(person=person)
    outreach.refresh_from_db()
    assert outreach.state == OutreachState.REPLIED
    assert person.interactions.filter(kind=InteractionKind.EMAIL_RECEIVED).exists()


def test_new_outreach_after_quiet_starts_the_count_again(workspace):
    workspace.nudge_cap = 1
    workspace.save()
    person = make_person(workspace)
    quiet = _send(person, at=timezone.now() - timedelta(days=30))
    outreach_log_nudge(outreach=quiet)
    fresh = _send(person)
    quiet.refresh_from_db()
    assert quiet.state == OutreachState.CLOSED
    assert fresh.pk != quiet.pk and fresh.state == OutreachState.WAITING


def test_another_outbound_message_while_waiting_counts_as_a_nudge(workspace):
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=5))
    _send(person)
    outreach.refresh_from_db()
    assert Outreach.objects.filter(person=person).count() == 1
    assert outreach.nudge_count == 1


def test_snooze_pushes_the_next_nudge(workspace):
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=5))
    due = outreach.next_nudge_due
    now = timezone.now()
    outreach_snooze(outreach=outreach, days=2, now=now)
    assert outreach.next_nudge_due == max(now, due) + timedelta(days=2)


def test_logging_a_nudge_still_closes_the_follow_ups_due(workspace):
    person = make_person(workspace)
    outreach = _send(person, at=timezone.now() - timedelta(days=5))
    follow_up = FollowUp.objects.create(
        workspace=workspace, person=person, title="Again", due_at=timezone.now()
    )
    outreach_log_nudge(outreach=outreach)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE
