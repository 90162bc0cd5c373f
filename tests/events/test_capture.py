from datetime import timedelta

from django.utils import timezone

from followthrough.events.models import Attendance, FocusPick
from followthrough.events.services import focus_pick
from followthrough.people.models import Person
from followthrough.relationships.models import Interaction, InteractionKind
from tests.events.helpers import htmx, url
from tests.factories import make_event, make_person


def _person_data(**overrides):
    data = {
        "first_name": "Ana",
        "last_name": "Ruiz",
        "email": "ana@example.org",
        "organization": "Riverside Food Bank",
        "note": "Runs the volunteer program",
    }
    data.update(overrides)
    return data


def test_it_goes_to_the_event_on_now(owner_client, workspace):
    now = timezone.now()
    make_event(workspace, starts_at=now - timedelta(days=1))
    current = make_event(workspace, starts_at=now - timedelta(hours=1))
    make_event(workspace, starts_at=now + timedelta(hours=5))
    response = owner_client.get(url("capture", workspace))
    assert response.status_code == 302
    assert response["Location"] == url("capture-event", workspace, current.pk)


def test_it_goes_to_a_multi_day_event_still_on(owner_client, workspace):
    now = timezone.now()
    conference = make_event(
        workspace, starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1)
    )
    response = owner_client.get(url("capture", workspace))
    assert response["Location"] == url("capture-event", workspace, conference.pk)


def test_it_asks_which_event_when_none_is_on(owner_client, workspace):
    old = make_event(workspace, title="Spring gala", starts_at=timezone.now() - timedelta(days=5))
    response = owner_client.get(url("capture", workspace))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Which event are you at?" in body
    assert url("capture-event", workspace, old.pk) in body
    assert url("event-new", workspace) + "?then=capture" in body


def test_it_shows_a_phone_friendly_form(owner_client, workspace):
    event = make_event(workspace)
    body = owner_client.get(url("capture-event", workspace, event.pk)).content.decode()
    assert 'autocapitalize="words"' in body
    assert 'inputmode="email"' in body
    assert "Get to know (focus pick)" in body
    assert "Save person" in body
    for name in ("first_name", "last_name", "email", "organization", "note", "pick"):
        assert f'for="id_{name}"' in body


def test_it_captures_a_person_met_at_the_event(owner_client, workspace, owner):
    event = make_event(workspace)
    response = owner_client.post(url("capture-event", workspace, event.pk), _person_data())
    person = Person.objects.get(full_name="Ana Ruiz")
    assert response.status_code == 303
    assert response["Location"] == url("capture-event", workspace, event.pk) + f"?added={person.pk}"
    assert person.affiliations.get().organization.name == "Riverside Food Bank"
    attendance = Attendance.objects.get(event=event, person=person)
    assert attendance.checked_in
    assert Interaction.objects.filter(
        person=person, kind=InteractionKind.MET_AT_EVENT, event=event
    ).exists()
    assert not FocusPick.objects.exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Added" in page and "Ana Ruiz" in page and "add another" in page
    assert 'value="Ana"' not in page  # the form is cleared


def test_it_picks_when_checked(owner_client, workspace, owner):
    event = make_event(workspace)
    owner_client.post(url("capture-event", workspace, event.pk), _person_data(pick="on"))
    pick = FocusPick.objects.get(event=event)
    assert pick.person.full_name == "Ana Ruiz" and pick.follow_ups.exists()


def test_it_answers_htmx_with_a_cleared_form(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.post(
        url("capture-event", workspace, event.pk), _person_data(pick="on"), **htmx()
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "(picked to get to know) — add another" in body
    assert 'value="Ana"' not in body


def test_it_asks_for_an_override_past_the_limit(owner_client, workspace, owner):
    event = make_event(workspace)
    for _ in range(2):
        focus_pick(event=event, person=make_person(workspace), actor=owner)
    response = owner_client.post(url("capture-event", workspace, event.pk), _person_data(pick="on"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Picking more needs a deliberate override." in body
    assert 'name="override" value="1"' in body
    assert 'value="Ana"' in body  # the typed details stay
    assert not Person.objects.filter(full_name="Ana Ruiz").exists()

    response = owner_client.post(
        url("capture-event", workspace, event.pk),
        _person_data(pick="on", override="1", reason="Key partner"),
    )
    assert response.status_code == 303
    pick = FocusPick.objects.get(person__full_name="Ana Ruiz")
    assert pick.over_limit is True and pick.reason == "Key partner"


def test_it_saves_without_the_pick_when_asked(owner_client, workspace, owner):
    workspace.focus_pick_limit = 1
    workspace.save()
    event = make_event(workspace)
    focus_pick(event=event, person=make_person(workspace), actor=owner)
    owner_client.post(
        url("capture-event", workspace, event.pk), _person_data(pick="on", skip_pick="1")
    )
    person = Person.objects.get(full_name="Ana Ruiz")
    assert not FocusPick.objects.filter(person=person).exists()


def test_it_needs_a_name(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.post(
        url("capture-event", workspace, event.pk), _person_data(first_name="", last_name="")
    )
    assert response.status_code == 400
    assert "first_name" in response.context["form"].errors
    assert not Person.objects.exists()


def test_it_refuses_an_added_person_of_another_workspace(owner_client, workspace, other_workspace):
    event = make_event(workspace)
    stranger = make_person(other_workspace)
    response = owner_client.get(url("capture-event", workspace, event.pk) + f"?added={stranger.pk}")
    assert response.status_code == 404
