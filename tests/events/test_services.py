import pytest

from followthrough.events.models import Attendance, FocusPick
from followthrough.events.services import (
    EventError,
    FocusLimitReached,
    attendance_add,
    attendance_add_new_person,
    focus_pick,
    quick_capture,
)
from followthrough.people.models import Person
from tests.factories import make_event, make_person


def test_it_adds_a_new_person_as_attendee(workspace, owner):
    event = make_event(workspace)
    attendance = attendance_add_new_person(
        event=event,
        first_name="Ana",
        last_name="Ruiz",
        email="ana@example.org",
        rsvp="tentative",
        actor=owner,
    )
    assert attendance.person.full_name == "Ana Ruiz"
    assert attendance.rsvp == "tentative"


def test_it_adds_nobody_without_a_name(workspace):
    event = make_event(workspace)
    with pytest.raises(EventError):
        attendance_add_new_person(event=event, first_name=" ")
    assert not Person.objects.exists()


def test_it_captures_nothing_when_the_pick_is_refused(workspace, owner):
    workspace.focus_pick_limit = 1
    workspace.save()
    event = make_event(workspace)
    focus_pick(event=event, person=make_person(workspace), actor=owner)
    with pytest.raises(FocusLimitReached):
        quick_capture(event=event, first_name="Ana", pick=True, actor=owner)
    assert not Person.objects.filter(first_name="Ana").exists()
    assert Attendance.objects.count() == 1


def test_it_records_the_reason_of_a_captured_override(workspace, owner):
    workspace.focus_pick_limit = 1
    workspace.save()
    event = make_event(workspace)
    focus_pick(event=event, person=make_person(workspace), actor=owner)
    person = quick_capture(
        event=event, first_name="Ana", pick=True, actor=owner, override=True, reason="Board chair"
    )
    pick = FocusPick.objects.get(person=person)
    assert pick.over_limit and pick.reason == "Board chair"


def test_it_keeps_the_rsvp_of_a_picked_attendee(workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    attendance_add(event=event, person=person, rsvp="tentative")
    focus_pick(event=event, person=person, actor=owner)
    assert Attendance.objects.get(event=event, person=person).rsvp == "tentative"


def test_it_adds_a_picked_person_to_the_attendees(workspace, owner):
    event = make_event(workspace)
    person = make_person(workspace)
    focus_pick(event=event, person=person, actor=owner)
    assert Attendance.objects.get(event=event, person=person).rsvp == "accepted"
