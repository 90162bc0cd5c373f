"""All-day events show as dates, never as midnights: iCalendar's exclusive DTEND (the day
after the last day) is kept as imports store it, and the days are read in the event's
own zone."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from followthrough.events.days import DaySpan, day_span
from followthrough.events.models import Event
from followthrough.exchange.formats import registry
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from tests.events.helpers import url
from tests.factories import make_event

BERLIN = ZoneInfo("Europe/Berlin")


def _import_ics(workspace, *events: tuple[str, str, str]) -> None:
    """Import all-day events (uid, first day, exclusive end day) through the ICS importer."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for uid, start, end in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@example.org",
            f"SUMMARY:{uid}",
            f"DTSTART;VALUE=DATE:{start}",
            f"DTEND;VALUE=DATE:{end}",
            "END:VEVENT",
        ]
    data = ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()
    options = registry.ParseOptions(time_zone=workspace.timezone, mapping={})
    import_records(
        workspace=workspace,
        records=registry.parse("ics", io.BytesIO(data), options),
        source=ImportSource("ics", "calendar.ics"),
    )


@pytest.fixture
def berlin(workspace):
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    return workspace


def test_the_list_shows_imported_all_day_events_as_dates(owner_client, berlin):
    _import_ics(berlin, ("Fair", "20260501", "20260502"), ("Retreat", "20260501", "20260504"))
    body = owner_client.get(url("event-list", berlin)).content.decode()
    assert '<time datetime="2026-05-01">Fri 1 May 2026</time><' in body  # the fair
    assert (
        '<time datetime="2026-05-01">Fri 1 May 2026</time> \u2013 '
        '<time datetime="2026-05-03">Sun 3 May 2026</time>' in body
    )
    assert "00:00" not in body
    assert "Sat 2 May" not in body and "4 May" not in body


def test_the_detail_shows_a_one_day_event_as_its_date(owner_client, berlin):
    _import_ics(berlin, ("Fair", "20260501", "20260502"))
    event = Event.objects.get()
    assert event.all_day and event.ends_at == datetime(2026, 5, 2, tzinfo=BERLIN)
    body = owner_client.get(url("event-detail", berlin, event.pk)).content.decode()
    assert '<time datetime="2026-05-01">Friday 1 May 2026</time>' in body
    assert "00:00" not in body and "Saturday" not in body and "(Europe/Berlin)" not in body


def test_the_detail_shows_a_multi_day_event_as_a_range_of_days(owner_client, berlin):
    _import_ics(berlin, ("Retreat", "20260501", "20260504"))
    event = Event.objects.get()
    body = owner_client.get(url("event-detail", berlin, event.pk)).content.decode()
    assert "Friday 1 May 2026</time> \u2013" in body
    assert '<time datetime="2026-05-03">Sunday 3 May 2026</time>' in body
    assert "00:00" not in body and "Monday 4 May" not in body


def test_the_days_are_those_of_the_events_own_zone(owner_client, workspace):
    # Midnight in Auckland is noon the day before in the workspace's UTC.
    auckland = ZoneInfo("Pacific/Auckland")
    event = make_event(
        workspace,
        starts_at=datetime(2026, 5, 1, tzinfo=auckland),
        ends_at=datetime(2026, 5, 2, tzinfo=auckland),
    )
    Event.objects.filter(pk=event.pk).update(all_day=True, time_zone="Pacific/Auckland")
    body = owner_client.get(url("event-detail", workspace, event.pk)).content.decode()
    assert '<time datetime="2026-05-01">Friday 1 May 2026</time>' in body
    assert "30 April" not in body


def test_a_timed_event_still_shows_its_times(owner_client, berlin):
    event = make_event(
        berlin,
        title="Lunch",
        starts_at=datetime(2026, 5, 1, 12, 30, tzinfo=BERLIN),
        ends_at=datetime(2026, 5, 1, 14, tzinfo=BERLIN),
    )
    detail = owner_client.get(url("event-detail", berlin, event.pk)).content.decode()
    assert "Friday 1 May 2026, 12:30</time> \u2013" in detail and "14:00" in detail
    listing = owner_client.get(url("event-list", berlin)).content.decode()
    assert "Fri 1 May 2026, 12:30" in listing


def _day(month: int, day: int) -> date:
    return date(2026, month, day)


def _midnight(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "span"),
    [
        # One day, end exclusive; no end; an end equal to the start (some calendars).
        (_midnight(5, 1), _midnight(5, 2), DaySpan(_day(5, 1), None)),
        (_midnight(5, 1), None, DaySpan(_day(5, 1), None)),
        (_midnight(5, 1), _midnight(5, 1), DaySpan(_day(5, 1), None)),
        # Across the change to summer time (a 23-hour day), read back in UTC.
        (
            _midnight(3, 28).astimezone(UTC),
            _midnight(3, 30).astimezone(UTC),
            DaySpan(_day(3, 28), _day(3, 29)),
        ),
        # An end later than midnight counts its own day.
        (_midnight(5, 1), _midnight(5, 2) + timedelta(hours=9), DaySpan(_day(5, 1), _day(5, 2))),
    ],
)
def test_day_span(starts_at, ends_at, span):
    assert day_span(starts_at, ends_at, "Europe/Berlin") == span


def test_day_span_takes_the_current_zone_for_a_missing_or_unknown_one():
    from django.utils import timezone

    starts, ends = datetime(2026, 5, 1, tzinfo=BERLIN), datetime(2026, 5, 2, tzinfo=BERLIN)
    with timezone.override(BERLIN):
        assert day_span(starts, ends, "") == DaySpan(starts.date(), None)
        assert day_span(starts, ends, "Not/AZone") == DaySpan(starts.date(), None)


# --- Editing ---------------------------------------------------------------------------


def _form_data(**overrides: str) -> dict[str, str]:
    return {"title": "Retreat", "kind": "attended", "location": "", "notes": "", **overrides}


def test_the_form_shows_an_all_day_events_first_and_last_day_and_keeps_them(
    owner_client, workspace
):
    # The workspace is in New York, the imported event's days are Berlin's midnights.
    workspace.timezone = "America/New_York"
    workspace.save()
    _import_ics(workspace, ("Retreat", "20260501", "20260504"))
    event = Event.objects.get()
    event.time_zone = "Europe/Berlin"
    event.starts_at = datetime(2026, 5, 1, tzinfo=BERLIN)
    event.ends_at = datetime(2026, 5, 4, tzinfo=BERLIN)
    event.save()
    form = owner_client.get(url("event-edit", workspace, event.pk)).context["form"]
    assert form["starts_at"].value() == datetime(2026, 5, 1)  # the first day, as typed
    assert form["ends_at"].value() == datetime(2026, 5, 3)  # the last day, not the 4th
    assert form["all_day"].value() is True
    data = _form_data(starts_at="2026-05-01T00:00", ends_at="2026-05-03T00:00", all_day="on")
    assert owner_client.post(url("event-edit", workspace, event.pk), data).status_code == 303
    event.refresh_from_db()
    assert (event.starts_at, event.ends_at, event.all_day) == (
        datetime(2026, 5, 1, tzinfo=BERLIN), datetime(2026, 5, 4, tzinfo=BERLIN), True,
    )  # fmt: skip


def test_unticking_all_day_keeps_the_times_typed(owner_client, berlin):
    _import_ics(berlin, ("Fair", "20260501", "20260502"))
    event = Event.objects.get()
    data = _form_data(starts_at="2026-05-01T10:00", ends_at="2026-05-01T12:00")
    owner_client.post(url("event-edit", berlin, event.pk), data)
    event.refresh_from_db()
    assert not event.all_day
    assert event.starts_at == datetime(2026, 5, 1, 10, tzinfo=BERLIN)
    body = owner_client.get(url("event-detail", berlin, event.pk)).content.decode()
    assert "10:00" in body and "12:00" in body


def test_a_new_all_day_event_is_stored_as_midnights_with_the_end_after_its_last_day(
    owner_client, berlin
):
    data = _form_data(starts_at="2026-05-01T09:30", ends_at="2026-05-03T17:00", all_day="on")
    owner_client.post(url("event-new", berlin), data)
    event = Event.objects.get()
    assert event.all_day
    assert (event.starts_at, event.ends_at) == (
        datetime(2026, 5, 1, tzinfo=BERLIN), datetime(2026, 5, 4, tzinfo=BERLIN),
    )  # fmt: skip


def test_the_timeline_dates_a_meeting_at_an_all_day_event_without_a_time(owner_client, berlin):
    from followthrough.relationships.models import InteractionKind
    from followthrough.relationships.services import relationship_log_interaction
    from tests.factories import make_person

    _import_ics(berlin, ("Fair", "20260501", "20260502"))
    fair = Event.objects.get()
    ada = make_person(berlin, first_name="Ada")
    relationship_log_interaction(
        person=ada, kind=InteractionKind.MET_AT_EVENT, occurred_at=fair.starts_at, event=fair
    )
    at_two = datetime(2026, 5, 1, 14, 5, tzinfo=BERLIN)  # a time of its own stays
    relationship_log_interaction(
        person=ada, kind=InteractionKind.NOTE, occurred_at=at_two, event=fair
    )
    page = reverse("people:person-detail", args=[berlin.slug, ada.pk])
    body = owner_client.get(page).content.decode()
    timeline = body.split('id="timeline-heading"', 1)[1]
    assert '<time datetime="2026-05-01">1 May 2026</time> · Fair' in timeline
    assert "1 May 2026, 14:05" in timeline and ", 00:00" not in timeline
