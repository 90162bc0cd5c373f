"""All-day events show as dates, never as midnights: iCalendar's exclusive DTEND (the day
after the last day) is kept as imports store it, and the days are read in the event's
own zone."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthrough.events.models import Event
from followthrough.events.templatetags.event_days import DaySpan, day_span
from followthrough.exchange import formats
from followthrough.exchange.loader import import_records
from followthrough.exchange.result import ImportSource
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
    options = formats.ParseOptions(time_zone=workspace.timezone, mapping={})
    import_records(
        workspace=workspace,
        records=formats.parse("ics", io.BytesIO(data), options),
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
