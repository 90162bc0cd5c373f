from followthrough.events.models import Attendance, FocusPick
from followthrough.events.services import attendance_add, focus_pick
from followthrough.people.models import Person
from followthrough.relationships.models import (
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
)
from tests.events.helpers import htmx, url
from tests.factories import make_event, make_person


def test_it_adds_an_existing_person(owner_client, workspace):
    event = make_event(workspace)
    person = make_person(workspace)
    response = owner_client.post(
        url("attendee-add", workspace, event.pk), {"person_id": person.pk, "rsvp": "tentative"}
    )
    assert response.status_code == 303
    assert response["Location"] == url("event-detail", workspace, event.pk)
    attendance = Attendance.objects.get(event=event, person=person)
    assert attendance.rsvp == "tentative"
    # The event has begun: the attendee counts as met.
    assert Interaction.objects.filter(person=person, kind=InteractionKind.MET_AT_EVENT).exists()


def test_it_quick_creates_a_person(owner_client, workspace, owner):
    event = make_event(workspace)
    response = owner_client.post(
        url("attendee-add", workspace, event.pk),
        {
            "first_name": "Ana",
            "last_name": "Ruiz",
            "email": "ana@example.org",
            "rsvp": "accepted",
        },
    )
    assert response.status_code == 303
    person = Person.objects.get(workspace=workspace, full_name="Ana Ruiz")
    assert person.contact_points.get().value == "ana@example.org"
    assert person.relationship.owner == owner
    assert Attendance.objects.filter(event=event, person=person).exists()


def test_it_needs_a_name_or_a_person(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.post(
        url("attendee-add", workspace, event.pk), {"first_name": " ", "rsvp": "accepted"}
    )
    assert response.status_code == 400
    assert "first_name" in response.context["add_form"].errors
    assert not Person.objects.exists()


def test_it_refuses_a_person_of_another_workspace(owner_client, workspace, other_workspace):
    event = make_event(workspace)
    stranger = make_person(other_workspace)
    response = owner_client.post(
        url("attendee-add", workspace, event.pk), {"person_id": stranger.pk}
    )
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_it_answers_htmx_with_the_region(owner_client, workspace):
    event = make_event(workspace)
    person = make_person(workspace, first_name="Ana", last_name="Ruiz")
    response = owner_client.post(
        url("attendee-add", workspace, event.pk), {"person_id": person.pk}, **htmx()
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="event-people"')
    assert "<html" not in body
    assert "Added Ana Ruiz to the attendees." in body


def test_it_answers_htmx_form_errors_with_200_so_they_are_swapped(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.post(url("attendee-add", workspace, event.pk), {}, **htmx())
    assert response.status_code == 200
    assert "Type a first or last name" in response.content.decode()


def test_it_searches_people_of_the_workspace(owner_client, workspace, other_workspace):
    event = make_event(workspace)
    ana = make_person(workspace, first_name="Ana", last_name="Ruiz")
    make_person(workspace, first_name="Ben", last_name="Okafor")
    make_person(other_workspace, first_name="Ana", last_name="Stranger")
    attendance_add(event=event, person=ana)
    response = owner_client.get(url("attendee-search", workspace, event.pk) + "?q=an")
    body = response.content.decode()
    assert "Ana Ruiz" in body and "Already attending" in body
    assert "Stranger" not in body and "Okafor" not in body
    assert "<html" not in body


def test_it_limits_search_results_to_ten(owner_client, workspace):
    event = make_event(workspace)
    for _ in range(12):
        make_person(workspace, last_name="Garcia")
    response = owner_client.get(url("attendee-search", workspace, event.pk) + "?q=garc")
    assert len(response.context["results"]) == 10
    assert response.content.decode().count('name="person_id"') == 10


def test_it_searches_without_javascript_on_the_page(owner_client, workspace):
    event = make_event(workspace)
    make_person(workspace, first_name="Ana", last_name="Ruiz")
    response = owner_client.get(url("event-detail", workspace, event.pk) + "?q=ruiz")
    body = response.content.decode()
    assert "<html" in body and "Add<span" in body and "Ana Ruiz" in body


def test_it_escapes_the_search_query(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.get(
        url("attendee-search", workspace, event.pk), {"q": "<svg onload=alert(1)>"}
    )
    assert "<svg onload" not in response.content.decode()


def test_it_removes_an_attendee_and_their_pick(owner_client, workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    focus_pick(event=event, person=person, actor=owner)
    response = owner_client.post(url("attendee-remove", workspace, event.pk, person.pk))
    assert response.status_code == 303
    assert not Attendance.objects.filter(event=event).exists()
    assert not FocusPick.objects.exists()
    assert FollowUp.objects.get(person=person).status == FollowUpStatus.CANCELLED


def test_it_refuses_to_remove_a_person_of_another_workspace(
    owner_client, workspace, other_workspace
):
    event = make_event(workspace)
    stranger = make_person(other_workspace)
    response = owner_client.post(url("attendee-remove", workspace, event.pk, stranger.pk))
    assert response.status_code == 404
