from datetime import UTC, datetime, timedelta

from django.utils import timezone

from followthrough.events.services import attendance_add, focus_pick
from tests.events.helpers import url
from tests.factories import make_event, make_person


def test_it_shows_the_empty_state(owner_client, workspace):
    response = owner_client.get(url("event-list", workspace))
    assert response.status_code == 200
    assert "No events yet — add the next one you will attend." in response.content.decode()


def test_it_lists_upcoming_soonest_first_then_past_most_recent_first(owner_client, workspace):
    now = timezone.now()
    make_event(workspace, title="Next month", starts_at=now + timedelta(days=30))
    make_event(workspace, title="Tomorrow", starts_at=now + timedelta(days=1))
    make_event(workspace, title="Last year", starts_at=now - timedelta(days=365))
    make_event(workspace, title="Last week", starts_at=now - timedelta(days=7))
    body = owner_client.get(url("event-list", workspace)).content.decode()
    order = [body.index(t) for t in ("Tomorrow", "Next month", "Last week", "Last year")]
    assert order == sorted(order)
    assert body.index("Upcoming") < body.index("Tomorrow") < body.index("Past")


def test_it_shows_counts_kind_location_and_picks_of_the_limit(owner_client, workspace, owner):
    event = make_event(workspace, title="Breakfast", kind="hosted", location="Town Hall")
    ana, ben = make_person(workspace), make_person(workspace)
    attendance_add(event=event, person=ana)
    attendance_add(event=event, person=ben)
    focus_pick(event=event, person=ana, actor=owner)
    body = owner_client.get(url("event-list", workspace)).content.decode()
    assert "2 attendees" in body
    assert "1 picked (limit 2)" in body
    assert "Hosted" in body
    assert "Town Hall" in body


def test_picks_past_the_limit_read_as_overrides(owner_client, workspace, owner):
    event = make_event(workspace, title="Breakfast")
    other = make_event(workspace, title="Lunch")
    for person in [make_person(workspace) for _ in range(3)]:
        focus_pick(event=event, person=person, actor=owner, override=True)
    body = owner_client.get(url("event-list", workspace)).content.decode()
    assert "3 picked (limit 2, 1 override)" in body
    assert "none picked yet (limit 2)" in body and other.title in body


def test_it_shows_times_in_the_workspace_time_zone(owner_client, workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    starts = datetime(2030, 1, 15, 8, 0, tzinfo=UTC)
    make_event(workspace, title="Winter meetup", starts_at=starts)
    body = owner_client.get(url("event-list", workspace)).content.decode()
    assert "15 Jan 2030, 09:00" in body


def test_it_paginates(owner_client, workspace):
    now = timezone.now()
    for day in range(30):
        make_event(workspace, title=f"Gathering {day:02}", starts_at=now - timedelta(days=day + 1))
    first = owner_client.get(url("event-list", workspace)).content.decode()
    second = owner_client.get(url("event-list", workspace) + "?page=2").content.decode()
    assert "Gathering 00" in first and "Gathering 29" not in first
    assert "Gathering 29" in second and "Page 2 of 2" in second


def test_it_keeps_a_constant_number_of_queries(owner_client, workspace, django_assert_num_queries):
    def add_event(days: int) -> None:
        event = make_event(workspace, starts_at=timezone.now() + timedelta(days=days))
        for _ in range(3):
            attendance_add(event=event, person=make_person(workspace))

    add_event(1)
    owner_client.get(url("event-list", workspace))  # warm the session
    # session, user, membership, page count, the page's ids, its rows with their counts
    with django_assert_num_queries(6):
        owner_client.get(url("event-list", workspace))
    for days in range(2, 8):
        add_event(-days)
    with django_assert_num_queries(6):
        response = owner_client.get(url("event-list", workspace))
    assert response.content.decode().count("3 attendees") == 7


def test_it_escapes_an_event_title(owner_client, workspace):
    make_event(workspace, title="<img src=x onerror=alert(1)>", location='"><svg onload=alert(1)>')
    body = owner_client.get(url("event-list", workspace)).content.decode()
    assert "<img src=x" not in body and "<svg onload" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
