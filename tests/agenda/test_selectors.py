from datetime import timedelta

from django.utils import timezone

from followthrough.agenda.selectors import today_items
from followthrough.events.services import focus_pick
from followthrough.relationships.models import Relationship, Stage
from followthrough.relationships.services import follow_up_create
from tests.factories import make_event, make_person


def _slipping(person, stage, days_overdue):
    Relationship.objects.filter(person=person).update(
        stage=stage, next_touch_due=timezone.now() - timedelta(days=days_overdue)
    )


def test_it_lists_budding_relationships_before_established_ones(workspace):
    old_partner = make_person(workspace, first_name="Old", last_name="Partner")
    new_contact = make_person(workspace, first_name="New", last_name="Contact")
    met = make_person(workspace, first_name="Met", last_name="Once")
    _slipping(old_partner, Stage.PARTNER, 90)
    _slipping(new_contact, Stage.FOLLOWED_UP, 2)
    _slipping(met, Stage.MET, 5)
    names = [r.person_name for r in today_items(workspace=workspace).slipping]
    assert names == ["Met Once", "New Contact", "Old Partner"]


def test_it_lists_due_and_overdue_follow_ups_oldest_first(workspace):
    person, other = make_person(workspace), make_person(workspace)
    now = timezone.now()
    later = follow_up_create(person=person, title="later", due_at=now + timedelta(days=3))
    overdue = follow_up_create(person=person, title="overdue", due_at=now - timedelta(days=2))
    due = follow_up_create(person=other, title="due", due_at=now - timedelta(minutes=5))
    today = today_items(workspace=workspace, now=now)
    assert [f.id for f in today.follow_ups_due] == [overdue.id, due.id]
    assert later.id not in {f.id for f in today.follow_ups_due}


def test_a_person_with_two_follow_ups_due_is_listed_once_with_both(workspace):
    person = make_person(workspace)
    now = timezone.now()
    first = follow_up_create(person=person, title="Thank", due_at=now - timedelta(days=2))
    follow_up_create(person=person, title="Invite", due_at=now - timedelta(minutes=5))
    today = today_items(workspace=workspace, now=now)
    assert [f.id for f in today.follow_ups_due] == [first.id]
    assert today.follow_ups_due[0].also == ("overdue: Invite",)


def test_it_shows_focus_people_whose_follow_up_is_still_ahead(workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    focus_pick(event=event, person=person, actor=owner)
    today = today_items(workspace=workspace)
    assert [f.person_id for f in today.focus_waiting] == [person.pk]
    assert today.follow_ups_due == []


def test_it_lists_upcoming_events_only(workspace):
    soon = make_event(workspace, starts_at=timezone.now() + timedelta(days=2))
    make_event(workspace, starts_at=timezone.now() - timedelta(days=2))
    make_event(workspace, starts_at=timezone.now() + timedelta(days=40))
    assert [e.id for e in today_items(workspace=workspace).upcoming_events] == [soon.pk]


def test_it_lists_events_under_way_until_they_end(workspace):
    now = timezone.now()
    fair = make_event(
        workspace, starts_at=now - timedelta(hours=9), ends_at=now + timedelta(hours=15)
    )
    talk = make_event(workspace, starts_at=now - timedelta(minutes=30))  # ends in 90 minutes
    make_event(workspace, starts_at=now - timedelta(hours=3))  # ended an hour ago
    make_event(workspace, starts_at=now - timedelta(days=9), ends_at=now + timedelta(days=1))
    soon = make_event(workspace, starts_at=now + timedelta(days=1))
    ids = [e.id for e in today_items(workspace=workspace).upcoming_events]
    assert ids == [fair.pk, talk.pk, soon.pk]  # under way for over a week: not on Today


def test_it_never_shows_another_workspaces_rows(workspace, other_workspace):
    stranger = make_person(other_workspace)
    _slipping(stranger, Stage.MET, 3)
    follow_up_create(person=stranger, title="x", due_at=timezone.now())
    make_event(other_workspace, starts_at=timezone.now() + timedelta(days=1))
    assert today_items(workspace=workspace).is_empty


def test_it_filters_to_the_owners_relationships(workspace, owner, teammate):
    mine = make_person(workspace, owner=owner)
    theirs = make_person(workspace, owner=teammate)
    _slipping(mine, Stage.MET, 3)
    _slipping(theirs, Stage.MET, 4)
    assert [r.person_id for r in today_items(workspace=workspace, owner=owner).slipping] == [
        mine.pk
    ]


def test_it_keeps_the_list_short_and_says_when_more_wait(workspace):
    for i in range(12):
        _slipping(make_person(workspace), Stage.ONGOING, i + 1)
    today = today_items(workspace=workspace)
    assert len(today.slipping) == 10 and today.more_slipping
    assert [r.next_touch_due for r in today.slipping] == sorted(
        r.next_touch_due for r in today.slipping
    )
