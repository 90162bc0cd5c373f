"""iCalendar export: events and open follow-ups, read back with icalendar."""

from __future__ import annotations

import io
import zoneinfo
from datetime import date, datetime, timedelta

import icalendar
import pytest

from followthrough.events.models import Attendance, Event
from followthrough.exchange.exports.ics_export import events_ics, follow_ups_ics
from followthrough.exchange.formats import registry
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from followthrough.exchange.models import ExternalId
from followthrough.people.models import Person
from tests.exchange.test_backup import T0, rich_workspace
from tests.factories import make_event, make_person

pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
T0S = T0.replace(microsecond=0)  # iCalendar counts whole seconds


def calendar(chunks) -> icalendar.Calendar:
    text = "".join(chunks)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    return icalendar.Calendar.from_ical(text)


def events_by_title(workspace) -> dict[str, icalendar.Event]:
    parsed = calendar(events_ics(workspace=workspace))
    return {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}


def test_an_event_keeps_its_zone_rule_place_and_attendees(db):
    ws = rich_workspace()
    parsed = calendar(events_ics(workspace=ws))
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["America/Chicago"]
    event = next(e for e in parsed.walk("VEVENT") if e["SUMMARY"] == "Alpha breakfast")
    start = event.decoded("DTSTART")
    assert start == T0S and start.tzinfo.key == "America/Chicago"
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert event.decoded("DTEND") == T0S + timedelta(hours=2)
    assert event["UID"] == "ev-Alpha@example"  # the calendar's own UID
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;COUNT=10;BYDAY=2TH"
    assert event["LOCATION"] == "Hall"
    attendees = {str(a.params["CN"]): a for a in event["ATTENDEE"]}
    maria = attendees['María O\'Kafor "Alpha"']
    assert str(maria) == "mailto:maria@Alpha.example"
    assert maria.params["PARTSTAT"] == "ACCEPTED"
    assert attendees["Dev Alpha"].params["PARTSTAT"] == "TENTATIVE"


def test_all_day_events_are_dates_and_others_are_utc(workspace):
    chicago_noon = datetime(2025, 5, 1, 12, 0, tzinfo=CHICAGO)
    whole = make_event(workspace, starts_at=chicago_noon, ends_at=chicago_noon, title="Fair")
    Event.objects.filter(pk=whole.pk).update(
        all_day=True,
        time_zone="America/Chicago",
        ends_at=datetime(2025, 5, 3, tzinfo=CHICAGO),
    )
    make_event(workspace, starts_at=T0, title="Plain", notes="Bring *notes*,\nplease")
    events = events_by_title(workspace)
    assert events["Fair"].decoded("DTSTART") == date(2025, 5, 1)
    assert events["Fair"].decoded("DTEND") == date(2025, 5, 3)  # exclusive, as in iCalendar
    plain = events["Plain"]
    assert plain["DTSTART"].to_ical() == b"20250312T133015Z"
    assert plain["DESCRIPTION"] == "Bring *notes*,\nplease"
    assert (
        plain["UID"]
        == f"followthrough-{workspace.slug}-event-{Event.objects.get(title='Plain').pk}"
    )


def test_an_unknown_zone_or_rule_does_not_break_the_calendar(workspace):
    event = make_event(workspace, starts_at=T0, title="Odd")
    Event.objects.filter(pk=event.pk).update(time_zone="Mars/Olympus", rrule="FREQ=SOMETIMES")
    odd = events_by_title(workspace)["Odd"]
    assert odd.decoded("DTSTART") == T0S
    assert "RRULE" not in odd


def test_open_follow_ups_are_tasks_with_due_dates(db):
    ws = rich_workspace()
    todos = list(calendar(follow_ups_ics(workspace=ws)).walk("VTODO"))
    assert str(todos[0]["SUMMARY"]) == "Alpha call back"  # soonest first
    assert "Send notes" not in [str(t["SUMMARY"]) for t in todos]  # done: not exported
    call_back = todos[0]
    assert call_back.decoded("DUE") == T0S + timedelta(days=2)
    assert call_back["STATUS"] == "NEEDS-ACTION"
    assert "María" in call_back["DESCRIPTION"] and "Alpha breakfast" in call_back["DESCRIPTION"]
    assert str(call_back["UID"]).startswith(f"followthrough-{ws.slug}-follow-up-")


def _reimport(text: str, into):
    """Import an exported calendar's text into a workspace, as `followthrough import` does."""
    options = registry.ParseOptions(time_zone="UTC", mapping={})
    records = registry.parse("ics", io.BytesIO(text.encode()), options)
    return import_records(workspace=into, records=records, source=ImportSource("ics", "events.ics"))


def test_reimporting_our_own_export_matches_its_events(workspace, other_workspace):
    gala = make_event(workspace, title="Annual Literacy Gala", location="Town hall")
    text = "".join(events_ics(workspace=workspace))
    assert f"UID:followthrough-{workspace.slug}-event-{gala.pk}" in text
    result = _reimport(text, workspace)
    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    assert list(Event.objects.filter(workspace=workspace)) == [gala]
    # Another workspace gets a copy: the id in the UID is not one of its events.
    assert _reimport(text, other_workspace).created == 1


def test_reimporting_our_own_export_finds_attendees_without_an_e_mail(workspace, other_workspace):
    gala = make_event(workspace, title="Annual Literacy Gala")
    lena = make_person(workspace, first_name="Lena", last_name="Fischer")  # no e-mail
    Attendance.objects.create(workspace=workspace, event=gala, person=lena, rsvp="accepted")
    text = "".join(events_ics(workspace=workspace))
    assert f"urn:x-followthrough:{workspace.slug}-{lena.pk}" in text.replace("\r\n ", "")
    again = _reimport(text, workspace)
    assert (again.created, again.updated) == (0, 0)
    assert Person.objects.filter(workspace=workspace, first_name="Lena").count() == 1
    assert not ExternalId.objects.filter(workspace=workspace).exists()  # lena is that card
    # Into another workspace: a copy, found again by the same UID her vCard has.
    assert _reimport(text, other_workspace).created == 2  # the gala and Lena
    copy = ExternalId.objects.get(workspace=other_workspace)
    assert (copy.system, copy.value) == ("vcard-uid", f"followthrough-{workspace.slug}-{lena.pk}")
    assert _reimport(text, other_workspace).created == 0
