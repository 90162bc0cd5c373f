"""Today, before an event: whom to try to meet there, and why."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from followthrough.agenda.selectors import today_items
from followthrough.events.services import attendance_add, focus_pick
from followthrough.people.services import organization_update
from tests.factories import make_event, make_org, make_person


def _tomorrow(workspace, title="Harbor Breakfast"):
    return make_event(workspace, starts_at=timezone.now() + timedelta(days=1), title=title)


def _describe(workspace):
    organization_update(
        organization=workspace.organization, offers="trained tutors", needs="volunteer drivers"
    )
    return make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")


def test_today_says_whom_to_meet_at_the_next_event_and_why(owner_client, workspace):
    drivers = _describe(workspace)
    event = _tomorrow(workspace)
    nia = make_person(workspace, first_name="Nia", last_name="Ray", organization=drivers)
    sol = make_person(workspace, first_name="Sol", last_name="Vega", organization=drivers)
    other = make_person(workspace, first_name="Ola", organization=make_org(workspace))
    for person in (nia, sol, other):
        attendance_add(event=event, person=person)
    meet = today_items(workspace=workspace).meet_at
    assert meet is not None and meet.event.id == event.pk
    assert sorted(p.name for p in meet.people) == ["Nia Ray", "Sol Vega"]
    assert meet.people[0].reason == (
        "at Eastport Seniors: they offer volunteer drivers — you need volunteer drivers"
    )
    page = owner_client.get(reverse("agenda:today", args=[workspace.slug])).content.decode()
    assert "Harbor Breakfast</a>, try to meet" in page


def test_nothing_to_suggest_once_the_picks_are_made_or_without_attendees(workspace, owner):
    drivers = _describe(workspace)
    event = _tomorrow(workspace)
    assert today_items(workspace=workspace).meet_at is None
    people = [make_person(workspace, organization=drivers) for _ in range(3)]
    for person in people:
        attendance_add(event=event, person=person)
    focus_pick(event=event, person=people[0], actor=owner)
    meet = today_items(workspace=workspace).meet_at
    assert meet is not None and len(meet.people) == 1  # one pick left of two
    focus_pick(event=event, person=people[1], actor=owner)
    assert today_items(workspace=workspace).meet_at is None


def test_an_event_under_way_is_not_ahead(workspace):
    drivers = _describe(workspace)
    event = make_event(workspace)  # began three hours ago
    attendance_add(event=event, person=make_person(workspace, organization=drivers))
    assert today_items(workspace=workspace).meet_at is None


def test_todays_query_count_stays_bounded_with_a_suggestion(
    owner_client, workspace, django_assert_max_num_queries
):
    drivers = _describe(workspace)
    event = _tomorrow(workspace)
    for _ in range(20):
        attendance_add(event=event, person=make_person(workspace, organization=drivers))
    url = reverse("agenda:today", args=[workspace.slug])
    owner_client.get(url)
    with django_assert_max_num_queries(24):
        owner_client.get(url)
