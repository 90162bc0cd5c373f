from followthrough.events.models import FocusPick
from followthrough.events.services import attendance_add, focus_pick
from followthrough.relationships.models import FollowUp, FollowUpStatus
from tests.events.helpers import htmx, url
from tests.factories import make_event, make_person


def test_it_picks_and_creates_a_follow_up(owner_client, workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    attendance_add(event=event, person=person)
    response = owner_client.post(url("focus-pick", workspace, event.pk), {"person_id": person.pk})
    assert response.status_code == 303
    pick = FocusPick.objects.get(event=event, person=person)
    assert pick.picked_by == owner and pick.over_limit is False
    follow_up = FollowUp.objects.get(focus_pick=pick)
    assert follow_up.status == FollowUpStatus.OPEN


def test_it_asks_for_an_override_past_the_limit(owner_client, workspace, owner):
    event = make_event(workspace)
    people = [make_person(workspace, first_name=f"P{i}", last_name="X") for i in range(3)]
    focus_pick(event=event, person=people[0], actor=owner)
    focus_pick(event=event, person=people[1], actor=owner)
    response = owner_client.post(
        url("focus-pick", workspace, event.pk), {"person_id": people[2].pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "You already picked 2 people at this event." in body
    assert 'name="override" value="1"' in body
    assert 'name="reason"' in body
    assert "Pick anyway" in body
    assert FocusPick.objects.count() == 2


def test_it_asks_for_the_override_in_the_htmx_region(owner_client, workspace, owner):
    workspace.focus_pick_limit = 1
    workspace.save()
    event = make_event(workspace)
    first, second = make_person(workspace), make_person(workspace)
    focus_pick(event=event, person=first, actor=owner)
    response = owner_client.post(
        url("focus-pick", workspace, event.pk), {"person_id": second.pk}, **htmx()
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "Pick anyway" in body
    assert "You already picked 1 person at this event." in body


def test_it_records_an_override(owner_client, workspace, owner):
    event = make_event(workspace)
    people = [make_person(workspace) for _ in range(3)]
    focus_pick(event=event, person=people[0], actor=owner)
    focus_pick(event=event, person=people[1], actor=owner)
    response = owner_client.post(
        url("focus-pick", workspace, event.pk),
        {"person_id": people[2].pk, "override": "1", "reason": "Chairs the coalition"},
    )
    assert response.status_code == 303
    pick = FocusPick.objects.get(person=people[2])
    assert pick.over_limit is True and pick.reason == "Chairs the coalition"
    body = owner_client.get(url("event-detail", workspace, event.pk)).content.decode()
    assert "Over the limit" in body and "(1 over the limit)" in body


def test_it_unpicks_and_cancels_the_follow_up(owner_client, workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    focus_pick(event=event, person=person, actor=owner)
    response = owner_client.post(url("focus-unpick", workspace, event.pk, person.pk))
    assert response.status_code == 303
    assert not FocusPick.objects.exists()
    assert FollowUp.objects.get(person=person).status == FollowUpStatus.CANCELLED


def test_it_refuses_to_pick_a_person_of_another_workspace(owner_client, workspace, other_workspace):
    event = make_event(workspace)
    stranger = make_person(other_workspace)
    response = owner_client.post(
        url("focus-pick", workspace, event.pk), {"person_id": stranger.pk, "override": "1"}
    )
    assert response.status_code == 404
    assert not FocusPick.objects.exists()
    assert not FollowUp.objects.exists()


def test_it_refuses_a_pick_without_a_person(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.post(url("focus-pick", workspace, event.pk), {"person_id": "x"})
    assert response.status_code == 400
