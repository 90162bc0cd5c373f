from datetime import timedelta

from django.utils import timezone

from followthrough.events import selectors
from followthrough.events.services import attendance_add, focus_pick
from tests.factories import make_event, make_person


def test_it_orders_upcoming_then_past_and_counts(workspace, other_workspace, owner):
    now = timezone.now()
    later = make_event(workspace, starts_at=now + timedelta(days=9))
    sooner = make_event(workspace, starts_at=now + timedelta(days=2))
    ongoing = make_event(
        workspace, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    recent = make_event(workspace, starts_at=now - timedelta(days=1))
    older = make_event(workspace, starts_at=now - timedelta(days=40))
    make_event(other_workspace, starts_at=now + timedelta(days=1))
    met = make_person(workspace)
    attendance_add(event=recent, person=met)
    attendance_add(event=recent, person=make_person(workspace), rsvp="declined")
    focus_pick(event=recent, person=met, actor=owner)

    rows = list(selectors.event_list(workspace=workspace, now=now))

    assert rows == [ongoing, sooner, later, recent, older]
    assert [r.is_upcoming for r in rows] == [True, True, True, False, False]
    assert (rows[3].attendee_count, rows[3].pick_count) == (1, 1)
    assert (rows[4].attendee_count, rows[4].pick_count) == (0, 0)


def test_it_details_an_event_by_name(workspace, owner):
    event = make_event(workspace)
    zoe = make_person(workspace, first_name="Zoe", last_name="A")
    amy = make_person(workspace, first_name="Amy", last_name="B")
    attendance_add(event=event, person=zoe)
    attendance_add(event=event, person=amy)
    focus_pick(event=event, person=zoe, actor=owner)

    detail = selectors.event_detail(event=event)

    assert [a.person for a in detail.attendances] == [amy, zoe]
    assert detail.picked_person_ids == {zoe.pk}
    assert detail.limit == 2 and not detail.limit_reached
    assert len(detail.picks[0].open_follow_ups) == 1


def test_it_searches_only_the_workspace(workspace, other_workspace):
    event = make_event(workspace)
    mine = make_person(workspace, first_name="Sam", last_name="Lee")
    make_person(other_workspace, first_name="Sam", last_name="Other")
    assert selectors.attendee_search(event=event, query="sam") == [mine]
    assert selectors.attendee_search(event=event, query="  ") == []


def test_it_finds_the_event_to_capture_at(workspace, other_workspace):
    now = timezone.now()
    assert selectors.capture_event_for(workspace=workspace, now=now) is None
    make_event(workspace, starts_at=now - timedelta(days=3))
    make_event(other_workspace, starts_at=now - timedelta(hours=1))
    assert selectors.capture_event_for(workspace=workspace, now=now) is None
    yesterday = make_event(workspace, starts_at=now - timedelta(days=1))
    assert selectors.capture_event_for(workspace=workspace, now=now) == yesterday
    make_event(workspace, starts_at=now + timedelta(minutes=30))
    assert selectors.capture_event_for(workspace=workspace, now=now) == yesterday


def test_it_offers_the_next_event_and_recent_ones(workspace):
    now = timezone.now()
    past = [make_event(workspace, starts_at=now - timedelta(days=d)) for d in (3, 10, 20)]
    soon = make_event(workspace, starts_at=now + timedelta(days=1))
    make_event(workspace, starts_at=now + timedelta(days=5))
    assert selectors.capture_recent_events(workspace=workspace, now=now) == [soon, *past]
