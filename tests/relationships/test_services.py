from datetime import timedelta

import pytest
from django.utils import timezone

from followthrough.events.services import FocusLimitReached, focus_pick
from followthrough.relationships.due import working_hour
from followthrough.relationships.models import FollowUpStatus, InteractionKind, Stage
from followthrough.relationships.services import relationship_log_interaction
from tests.factories import make_event, make_person


def test_it_starts_new_people_at_noticed(workspace):
    person = make_person(workspace)
    assert person.relationship.stage == Stage.NOTICED
    assert person.relationship.next_touch_due is None


def test_it_advances_stage_and_resets_cadence_on_coffee(workspace):
    person = make_person(workspace)
    when = timezone.now() - timedelta(days=1)
    relationship_log_interaction(person=person, kind=InteractionKind.COFFEE, occurred_at=when)
    person.relationship.refresh_from_db()
    assert person.relationship.stage == Stage.MET_ONE_TO_ONE
    assert person.relationship.last_interaction_at == when
    assert person.relationship.next_touch_due == when + timedelta(days=30)


def test_it_never_moves_stage_backward(workspace):
    person = make_person(workspace)
    relationship_log_interaction(person=person, kind=InteractionKind.COFFEE)
    relationship_log_interaction(person=person, kind=InteractionKind.MET_AT_EVENT)
    person.relationship.refresh_from_db()
    assert person.relationship.stage == Stage.MET_ONE_TO_ONE


def test_picking_creates_follow_up_within_window(workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    pick = focus_pick(event=event, person=person, actor=owner)
    follow_up = pick.follow_ups.get()
    assert follow_up.status == FollowUpStatus.OPEN
    # Within the 48-hour window, at the next working hour in the workspace's zone.
    assert follow_up.due_at == working_hour(
        max(pick.picked_at, event.ends_at) + timedelta(hours=48), workspace.timezone
    )
    person.relationship.refresh_from_db()
    assert person.relationship.stage == Stage.MET


def test_picking_past_the_limit_needs_override(workspace, owner):
    event = make_event(workspace)
    people = [make_person(workspace) for _ in range(3)]
    focus_pick(event=event, person=people[0], actor=owner)
    focus_pick(event=event, person=people[1], actor=owner)
    with pytest.raises(FocusLimitReached):
        focus_pick(event=event, person=people[2], actor=owner)
    pick = focus_pick(event=event, person=people[2], actor=owner, override=True)
    assert pick.over_limit is True


def test_outreach_closes_due_follow_up(workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    pick = focus_pick(event=event, person=person, actor=owner)
    relationship_log_interaction(person=person, kind=InteractionKind.EMAIL_SENT)
    assert pick.follow_ups.get().status == FollowUpStatus.DONE
