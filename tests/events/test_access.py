"""Who may reach which events URL. Generated from the URLconf, so a new URL without a row
here fails `test_it_covers_every_url`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from followthrough.events import urls as events_urls
from followthrough.events.models import Attendance, Event, FocusPick
from followthrough.people.models import Person
from tests.factories import make_event, make_person

# name → (methods, needs write access)
MATRIX = {
    "event-list": (["GET"], False),
    "event-new": (["GET", "POST"], True),
    "event-detail": (["GET"], False),
    "event-edit": (["GET", "POST"], True),
    "attendee-add": (["POST"], True),
    "attendee-search": (["GET"], False),
    "attendee-remove": (["POST"], True),
    "focus-pick": (["POST"], True),
    "focus-unpick": (["POST"], True),
    "capture-event": (["GET", "POST"], True),
    "capture": (["GET"], True),
}
CASES = [(name, method) for name, (methods, _) in MATRIX.items() for method in methods]
WRITE_CASES = [(name, method) for name, method in CASES if MATRIX[name][1]]


def _pattern(name: str):
    return next(p for p in events_urls.urlpatterns if p.name == name)


def _url(name: str, workspace, event, person) -> str:
    kwargs = {"workspace_slug": workspace.slug}
    converters = _pattern(name).pattern.converters
    if "pk" in converters:
        kwargs["pk"] = event.pk
    if "person_id" in converters:
        kwargs["person_id"] = person.pk
    return reverse(f"events:{name}", kwargs=kwargs)


def _post_data(person) -> dict[str, str]:
    """Valid data for any of the POST views."""
    return {
        "title": "Changed",
        "kind": "attended",
        "starts_at": "2030-01-01T10:00",
        "person_id": str(person.pk),
        "first_name": "New",
        "last_name": "Person",
        "rsvp": "accepted",
        "override": "1",
    }


def _request(client: Client, method: str, path: str, person):
    if method == "POST":
        return client.post(path, _post_data(person))
    return client.get(path)


def _row_counts() -> tuple[int, ...]:
    return (
        Event.objects.count(),
        Attendance.objects.count(),
        FocusPick.objects.count(),
        Person.objects.count(),
    )


@pytest.fixture
def event(workspace):
    return make_event(workspace)


@pytest.fixture
def person(workspace, event):
    from followthrough.events.services import attendance_add

    person = make_person(workspace)
    attendance_add(event=event, person=person)
    return person


def test_it_covers_every_url():
    assert {p.name for p in events_urls.urlpatterns} == set(MATRIX)


@pytest.mark.parametrize(("name", "method"), CASES)
def test_it_sends_anonymous_visitors_to_log_in(client, workspace, event, person, name, method):
    response = _request(client, method, _url(name, workspace, event, person), person)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), WRITE_CASES)
def test_it_refuses_viewers_every_write(viewer_client, workspace, event, person, name, method):
    before = _row_counts()
    response = _request(viewer_client, method, _url(name, workspace, event, person), person)
    assert response.status_code == 403
    assert _row_counts() == before


@pytest.mark.parametrize("name", [n for n, (_, write) in MATRIX.items() if not write])
def test_it_lets_viewers_read(viewer_client, workspace, event, person, name):
    assert viewer_client.get(_url(name, workspace, event, person)).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"), [c for c in CASES if "pk" in _pattern(c[0]).pattern.converters]
)
def test_it_hides_another_workspace(owner_client, workspace, other_workspace, name, method):
    """Our workspace's URL with their event (and person) ids: 404, nothing changes."""
    their_event = make_event(other_workspace)
    their_person = make_person(other_workspace)
    before = _row_counts()
    path = _url(name, workspace, their_event, their_person)
    response = _request(owner_client, method, path, make_person(workspace))
    assert response.status_code == 404
    assert _row_counts() == (before[0], before[1], before[2], before[3] + 1)


@pytest.mark.parametrize(("name", "method"), CASES)
def test_it_hides_a_workspace_from_non_members(
    outsider_client, workspace, event, person, name, method
):
    before = _row_counts()
    response = _request(outsider_client, method, _url(name, workspace, event, person), person)
    assert response.status_code == 404
    assert _row_counts() == before
