from datetime import UTC, datetime

from followthrough.events.models import Event
from tests.events.helpers import url
from tests.factories import make_event


def _data(**overrides):
    data = {
        "title": "Nonprofit breakfast",
        "kind": "attended",
        "starts_at": "2030-03-05T08:00",
        "ends_at": "2030-03-05T10:00",
        "location": "Riverside Library",
        "notes": "Bring *cards*.",
    }
    data.update(overrides)
    return data


def test_it_creates_an_event(owner_client, workspace):
    response = owner_client.post(url("event-new", workspace), _data())
    event = Event.objects.get()
    assert response.status_code == 303
    assert response["Location"] == url("event-detail", workspace, event.pk)
    assert event.workspace == workspace
    assert (event.title, event.location, event.notes) == (
        "Nonprofit breakfast",
        "Riverside Library",
        "Bring *cards*.",
    )


def test_it_shows_the_form(owner_client, workspace):
    response = owner_client.get(url("event-new", workspace))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'type="datetime-local"' in body
    assert 'for="id_title"' in body


def test_it_refuses_an_end_before_the_start_on_the_end_field(owner_client, workspace):
    response = owner_client.post(url("event-new", workspace), _data(ends_at="2030-03-05T07:00"))
    assert response.status_code == 400
    assert response.context["form"].errors["ends_at"] == ["An event cannot end before it starts."]
    assert not Event.objects.exists()


def test_it_refuses_a_missing_title_on_the_title_field(owner_client, workspace):
    response = owner_client.post(url("event-new", workspace), _data(title="   "))
    assert response.status_code == 400
    assert "title" in response.context["form"].errors
    assert not Event.objects.exists()


def test_it_reads_times_in_the_workspace_time_zone(owner_client, workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    owner_client.post(
        url("event-new", workspace), _data(starts_at="2030-01-15T09:00", ends_at="2030-01-15T11:00")
    )
    event = Event.objects.get()
    assert event.starts_at == datetime(2030, 1, 15, 8, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2030, 1, 15, 10, 0, tzinfo=UTC)


def test_it_refuses_a_time_that_does_not_exist_locally(owner_client, workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    # Clocks jump from 02:00 to 03:00 on the last Sunday of March.
    response = owner_client.post(
        url("event-new", workspace), _data(starts_at="2030-03-31T02:30", ends_at="")
    )
    assert response.status_code == 400
    assert "starts_at" in response.context["form"].errors


def test_it_edits_showing_local_times(owner_client, workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    event = make_event(workspace, title="Old", starts_at=datetime(2030, 7, 1, 16, 0, tzinfo=UTC))
    form_page = owner_client.get(url("event-edit", workspace, event.pk)).content.decode()
    assert 'value="2030-07-01T18:00"' in form_page  # summer: UTC+2
    response = owner_client.post(
        url("event-edit", workspace, event.pk),
        _data(title="New", starts_at="2030-07-01T19:00", ends_at=""),
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.title == "New"
    assert event.starts_at == datetime(2030, 7, 1, 17, 0, tzinfo=UTC)
    assert event.ends_at is None


def test_it_refuses_an_edit_ending_before_the_start(owner_client, workspace):
    event = make_event(workspace)
    response = owner_client.post(
        url("event-edit", workspace, event.pk),
        _data(starts_at="2030-03-05T08:00", ends_at="2030-03-04T08:00"),
    )
    assert response.status_code == 400
    assert "ends_at" in response.context["form"].errors


def test_it_goes_on_to_capture_after_adding_from_quick_capture(owner_client, workspace):
    response = owner_client.post(url("event-new", workspace) + "?then=capture", _data())
    event = Event.objects.get()
    assert response["Location"] == url("capture-event", workspace, event.pk)
