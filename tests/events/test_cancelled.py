"""A cancelled event: called off by its calendar (see tests/exchange/test_ics_fidelity.py)
or by a member; kept with its people, shown as cancelled, and out of Today."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from followthrough.agenda.selectors import today_items
from followthrough.events.models import Event
from followthrough.events.selectors import capture_event_for, capture_recent_events
from followthrough.reminders.services import calendar_feed_create
from tests.events.helpers import url
from tests.factories import make_event


def _form(event: Event, **overrides) -> dict:
    data = {
        "title": event.title,
        "kind": event.kind,
        "starts_at": timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": "",
        "location": event.location,
        "notes": event.notes,
    }
    data.update(overrides)
    return data


def test_a_member_calls_an_event_off_and_the_pages_say_so(owner_client, workspace):
    event = make_event(workspace, timezone.now() + timedelta(days=2), title="Gala")
    response = owner_client.post(
        url("event-edit", workspace, event.pk), _form(event, cancelled="on")
    )
    assert response.status_code == 303
    event.refresh_from_db()
    assert event.cancelled is True
    detail = owner_client.get(url("event-detail", workspace, event.pk)).content.decode()
    listing = owner_client.get(url("event-list", workspace)).content.decode()
    assert '<span class="badge badge-over">Cancelled</span>' in detail
    assert '<span class="badge badge-over">Cancelled</span>' in listing
    # Unticked, it is on again.
    owner_client.post(url("event-edit", workspace, event.pk), _form(event))
    event.refresh_from_db()
    assert event.cancelled is False


def test_a_new_event_cannot_be_cancelled_already(owner_client, workspace):
    body = owner_client.get(url("event-new", workspace)).content.decode()
    assert 'name="cancelled"' not in body


def test_a_cancelled_event_leaves_today_and_capture(workspace):
    now = timezone.now()
    on = make_event(workspace, now + timedelta(days=1), title="On")
    off = make_event(workspace, now + timedelta(days=1), title="Off", cancelled=True)
    assert [e.id for e in today_items(workspace=workspace, now=now).upcoming_events] == [on.pk]
    happening = make_event(workspace, now - timedelta(minutes=30), title="Now", cancelled=True)
    assert capture_event_for(workspace=workspace, now=now) is None
    assert happening not in capture_recent_events(workspace=workspace, now=now)[:1]
    assert [e.pk for e in capture_recent_events(workspace=workspace, now=now)][:1] == [on.pk]
    assert off.pk not in [e.id for e in today_items(workspace=workspace, now=now).upcoming_events]


def test_the_calendar_feed_marks_it_cancelled(client, workspace, owner):
    make_event(workspace, timezone.now() + timedelta(days=1), title="Off", cancelled=True)
    make_event(workspace, timezone.now() + timedelta(days=1), title="On")
    _, token = calendar_feed_create(workspace=workspace, user=owner)
    response = client.get(reverse("reminders-public:calendar", args=[token]))
    calendar = Calendar.from_ical(response.content)
    status = {str(e["SUMMARY"]): str(e.get("STATUS", "")) for e in calendar.walk("VEVENT")}
    assert status == {"Off": "CANCELLED", "On": ""}
