from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from followthrough.relationships.models import FollowUpStatus, Relationship, Stage
from followthrough.relationships.services import follow_up_create
from tests.factories import make_person


def _today(workspace):
    return reverse("agenda:today", args=[workspace.slug])


def test_it_shows_an_empty_state_that_teaches_the_next_step(owner_client, workspace):
    response = owner_client.get(_today(workspace))
    assert response.status_code == 200
    assert "Nothing needs you today" in response.content.decode()


def test_it_lists_follow_ups_with_one_click_actions(owner_client, workspace):
    person = make_person(workspace, first_name="Lee", last_name="Park")
    follow_up_create(person=person, title="Thank Lee for the intro", due_at=timezone.now())
    body = owner_client.get(_today(workspace)).content.decode()
    assert "Thank Lee for the intro" in body
    assert "Log e-mail" in body and "Snooze 2 days" in body


def test_it_marks_a_follow_up_done_and_returns_to_today(owner_client, workspace):
    person = make_person(workspace)
    follow_up = follow_up_create(person=person, title="Call", due_at=timezone.now())
    url = reverse("relationships:follow-up-done", args=[workspace.slug, follow_up.pk])
    response = owner_client.post(url, {"next": _today(workspace)})
    assert response.status_code == 303 and response["Location"] == _today(workspace)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE


def test_it_returns_only_the_list_to_htmx(owner_client, workspace):
    response = owner_client.get(_today(workspace), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="today-list"') and "<html" not in body


def test_it_hides_actions_from_viewers(viewer_client, workspace):
    person = make_person(workspace)
    follow_up_create(person=person, title="Call", due_at=timezone.now())
    body = viewer_client.get(_today(workspace)).content.decode()
    assert "Call" in body and "Log e-mail" not in body


def test_it_escapes_names(owner_client, workspace):
    person = make_person(workspace, first_name="<img src=x onerror=alert(1)>")
    Relationship.objects.filter(person=person).update(
        stage=Stage.MET, next_touch_due=timezone.now() - timedelta(days=1)
    )
    body = owner_client.get(_today(workspace)).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x" in body


def test_its_query_count_is_constant(owner_client, workspace, django_assert_max_num_queries):
    for i in range(30):
        person = make_person(workspace)
        Relationship.objects.filter(person=person).update(
            stage=Stage.MET if i % 2 else Stage.ONGOING,
            next_touch_due=timezone.now() - timedelta(days=i + 1),
        )
        follow_up_create(person=person, title=f"f{i}", due_at=timezone.now() - timedelta(hours=i))
    with django_assert_max_num_queries(14):
        owner_client.get(_today(workspace))


def test_an_all_day_event_coming_up_shows_its_day_without_a_time(owner_client, workspace):
    from datetime import UTC, datetime

    from followthrough.events.models import Event
    from tests.factories import make_event

    day = (timezone.now() + timedelta(days=3)).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    event = make_event(workspace, starts_at=midnight, title="Coalition day")
    Event.objects.filter(pk=event.pk).update(
        all_day=True, time_zone="UTC", ends_at=midnight + timedelta(days=1)
    )
    body = owner_client.get(_today(workspace)).content.decode()
    shown = body.split("Coalition day", 1)[1].split("</small>", 1)[0]
    assert day.strftime("%a %-d %b") in shown and "00:00" not in shown


def test_an_event_under_way_says_so(owner_client, workspace):
    from tests.factories import make_event

    make_event(workspace, starts_at=timezone.now() - timedelta(minutes=30), title="Open house")
    body = owner_client.get(_today(workspace)).content.decode()
    assert "On now · " in body.split("Open house", 1)[1].split("</small>", 1)[0]
