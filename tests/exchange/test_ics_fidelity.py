"""iCalendar fidelity (issue 13): no event merged away or dropped silently, our own export
comes back unchanged, and odd but readable files are imported with every record skipped
or repaired listed, with its line. Each bug has a minimal repro in `data/ics/`."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from followthrough.events.models import Attendance, Event
from followthrough.exchange.exports.ics_export import event_component, events_ics
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportResult, ImportSource
from followthrough.workspaces.models import Workspace
from tests.factories import make_event, make_person

pytestmark = pytest.mark.usefixtures("media_root")

DATA = Path(__file__).parent / "data" / "ics"
UTC_OPTIONS = {"time_zone": "UTC"}


def _import(text: str | bytes, into, *, time_zone: str = "UTC") -> ImportResult:
    raw = text.encode() if isinstance(text, str) else text
    options = registry.ParseOptions(time_zone=time_zone, mapping={})
    records = registry.parse("ics", io.BytesIO(raw), options)
    return import_records(workspace=into, records=records, source=ImportSource("ics", "x.ics"))


def _event(workspace, starts_at: datetime, **values) -> Event:
    """An event as the app or an earlier import left it (rrule and zone come from imports)."""
    extra = {k: values.pop(k) for k in ("rrule", "time_zone", "source_uid") if k in values}
    event = make_event(workspace, starts_at, **values)
    Event.objects.filter(pk=event.pk).update(**extra)
    return event


def _repro(name: str) -> bytes:
    return (DATA / name).read_bytes()


# --- 1. Distinct events are never merged away ---------------------------------------


def test_two_events_without_uid_at_the_same_start_are_both_kept(workspace):
    result = _import(_repro("no_uid_same_start.ics"), workspace)
    events = Event.objects.filter(workspace=workspace).order_by("pk")
    assert [e.location for e in events] == ["Room A", "Room B"]
    assert result.created == 2
    assert any(w.startswith("line 9:") and "line 4" in w for w in result.warnings), result.warnings
    # Importing the same file again finds both, changes nothing.
    again = _import(_repro("no_uid_same_start.ics"), workspace)
    assert (again.created, again.updated) == (0, 0)
    assert Event.objects.filter(workspace=workspace).count() == 2


def test_two_events_sharing_a_uid_are_both_kept(workspace):
    result = _import(_repro("shared_uid_no_recurrence_id.ics"), workspace)
    titles = sorted(Event.objects.filter(workspace=workspace).values_list("title", flat=True))
    assert titles == ["Afternoon session", "Morning session"]
    assert result.created == 2
    assert any(w.startswith("line 9:") and "shared@example.org" in w for w in result.warnings)
    again = _import(_repro("shared_uid_no_recurrence_id.ics"), workspace)
    assert (again.created, again.updated) == (0, 0)


def test_a_true_repeat_is_kept_once_with_a_warning(workspace):
    event = (
        "BEGIN:VEVENT\r\nSUMMARY:Gala\r\nDTSTART:20240812T150000Z\r\n"
        "LOCATION:Hall\r\nEND:VEVENT\r\n"
    )
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n{event}{event}END:VCALENDAR\r\n"
    result = _import(text, workspace)
    assert Event.objects.filter(workspace=workspace).count() == 1
    assert any(w.startswith("line 9:") and "same as" in w for w in result.warnings), result.warnings


# --- 2. Our own export comes back unchanged ------------------------------------------


def test_reimporting_our_export_changes_nothing(workspace):
    start = datetime(2024, 8, 12, 15, 0, tzinfo=UTC)
    _event(workspace, start, title="Series", rrule="INTERVAL=2;BYDAY=MO,TU;FREQ=WEEKLY")
    day = datetime(2024, 9, 1, tzinfo=ZoneInfo(workspace.timezone))
    _event(workspace, day, title="Day out", all_day=True, ends_at=day)
    _event(
        workspace, start, title="Bogotá time", time_zone="Etc/GMT+5", ends_at=start + timedelta(1)
    )
    _event(workspace, start, title="Greenwich", time_zone="Etc/GMT", cancelled=True)
    _event(workspace, start, title="Coordinated", time_zone="Etc/UTC")
    chicago = datetime(2024, 3, 9, 18, 0, tzinfo=ZoneInfo("America/Chicago"))  # DST next day
    gala = _event(
        workspace,
        chicago,
        title="Gala, with dinner; and \\ more",
        location="Town hall, room 2",
        notes="First line\nsecond, line",
        time_zone="America/Chicago",
        rrule="FREQ=DAILY;COUNT=3",
    )
    week = datetime(2024, 10, 7, tzinfo=ZoneInfo(workspace.timezone))
    _event(workspace, week, title="Week away", all_day=True, ends_at=week + timedelta(days=5))
    lena = make_person(
        workspace, first_name="Lena", last_name="Fischer", emails=["lena@example.org"]
    )
    Attendance.objects.create(workspace=workspace, event=gala, person=lena, rsvp="tentative")
    before = list(
        Event.objects.filter(workspace=workspace)
        .order_by("pk")
        .values("title", "starts_at", "ends_at", "all_day", "time_zone", "rrule", "notes",
                "cancelled")
    )  # fmt: skip
    result = _import("".join(events_ics(workspace=workspace)), workspace)
    assert (result.created, result.updated, result.merged) == (0, 0, 0), result.warnings
    assert sum(result.rows_created.values()) == 0
    after = list(
        Event.objects.filter(workspace=workspace)
        .order_by("pk")
        .values("title", "starts_at", "ends_at", "all_day", "time_zone", "rrule", "notes",
                "cancelled")
    )  # fmt: skip
    assert after == before


def test_an_rrule_with_its_parts_in_another_order_is_no_change(workspace):
    start = datetime(2024, 8, 12, 15, 0, tzinfo=UTC)
    _event(
        workspace,
        start,
        title="Series",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU;INTERVAL=2",
        source_uid="s@example.org",
    )
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:s@example.org\r\n"
        "SUMMARY:Series\r\nDTSTART:20240812T150000Z\r\nDTEND:20240812T170000Z\r\n"
        "RRULE:INTERVAL=2;BYDAY=MO,TU;FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert _import(text, workspace).updated == 0


def test_an_rrule_list_in_another_order_is_no_change(workspace):
    """BYDAY=TU,MO and BYDAY=MO,TU are the same set of days (RFC 5545's BYxxx parts are
    sets); a different set is a change."""
    start = datetime(2024, 8, 12, 15, 0, tzinfo=UTC)
    _event(workspace, start, title="Series", rrule="FREQ=WEEKLY;BYDAY=MO,TU",
           source_uid="s@example.org")  # fmt: skip
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:s@example.org\r\n"
        "SUMMARY:Series\r\nDTSTART:20240812T150000Z\r\nDTEND:20240812T170000Z\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY={days}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert _import(text.format(days="TU,MO"), workspace).updated == 0
    assert _import(text.format(days="TU,WE"), workspace).updated == 1


# --- 3. Lenient where the standards and real files are -------------------------------


def test_an_itip_cancel_without_dtstart_is_skipped_with_a_warning(workspace):
    result = _import(_repro("itip_cancel_without_dtstart.ics"), workspace)
    assert result.created == 0
    assert any(w.startswith("line 5:") and "DTSTART" in w for w in result.warnings), result.warnings


def test_an_itip_reply_keeps_its_events_with_a_start_and_lists_the_others(workspace):
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\n"
        "BEGIN:VEVENT\r\nUID:a@example.org\r\nSUMMARY:Has a start\r\n"
        "DTSTART:20240812T150000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b@example.org\r\nSUMMARY:No start\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    result = _import(text, workspace)
    assert list(Event.objects.filter(workspace=workspace).values_list("title", flat=True)) == [
        "Has a start"
    ]
    assert (result.read, result.created, result.skipped) == (2, 1, 1)
    assert any(w.startswith("line 10:") and "No start" in w for w in result.warnings)
    # The preview lists the skipped record too, with its line.
    assert [(r.line, r.label, r.action) for r in result.preview] == [
        (5, "Has a start", "created"),
        (10, "No start", "skipped"),
    ]


def test_an_itip_cancel_marks_the_event_it_names_cancelled_and_undo_puts_it_back(workspace):
    from followthrough.exchange.imports.undo import import_undo
    from followthrough.exchange.models import ImportBatch

    event = _event(
        workspace,
        datetime(2024, 8, 12, tzinfo=UTC),
        title="Planning call",
        source_uid="cancelled@example.org",
    )
    other = _event(workspace, datetime(2024, 8, 13, tzinfo=UTC), title="Another", source_uid="x")
    result = _import(_repro("itip_cancel_without_dtstart.ics"), workspace)
    assert Event.objects.filter(workspace=workspace).count() == 2  # nothing deleted
    event.refresh_from_db()
    other.refresh_from_db()
    assert (event.cancelled, other.cancelled) == (True, False)
    assert result.updated == 1
    assert any(
        w.startswith("line 5:") and "Planning call" in w and w.endswith("marked cancelled")
        for w in result.warnings
    ), result.warnings
    assert [(r.line, r.action, r.object_id) for r in result.preview] == [(5, "updated", event.pk)]

    # Again: nothing more to do, and said.
    again = _import(_repro("itip_cancel_without_dtstart.ics"), workspace)
    assert again.updated == 0
    assert any(w.endswith("cancelled already") for w in again.warnings), again.warnings

    import_undo(batch=ImportBatch.objects.filter(workspace=workspace).earliest("pk"))
    event.refresh_from_db()
    assert event.cancelled is False


def test_an_itip_cancel_of_an_event_we_do_not_have_changes_nothing(workspace):
    _event(workspace, datetime(2024, 8, 12, tzinfo=UTC), title="Planning call", source_uid="y")
    result = _import(_repro("itip_cancel_without_dtstart.ics"), workspace)
    assert not Event.objects.filter(cancelled=True).exists()
    assert (result.updated, result.skipped) == (0, 1)
    assert any(w.endswith("no event here has that UID: skipped") for w in result.warnings)


def test_a_cancelled_event_is_imported_cancelled(workspace):
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        "BEGIN:VEVENT\r\nUID:a@example.org\r\nSUMMARY:Called off\r\nSTATUS:CANCELLED\r\n"
        "DTSTART:20240812T150000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b@example.org\r\nSUMMARY:On\r\nSTATUS:CONFIRMED\r\n"
        "DTSTART:20240812T150000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    _import(text, workspace)
    assert dict(Event.objects.values_list("title", "cancelled")) == {
        "Called off": True,
        "On": False,
    }
    # The calendar says it is on again: the event follows it, as its times do.
    _import(text.replace("STATUS:CANCELLED", "STATUS:CONFIRMED"), workspace)
    assert not Event.objects.filter(cancelled=True).exists()


def test_an_event_without_dtstart_outside_itip_is_still_refused(workspace):
    text = _repro("itip_cancel_without_dtstart.ics").replace(b"METHOD:CANCEL\r\n", b"")
    with pytest.raises(Exception, match="DTSTART"):
        _import(text, workspace)


def test_a_leading_space_in_a_value_is_read(workspace):
    result = _import(_repro("leading_space_in_value.ics"), workspace)
    event = Event.objects.get(workspace=workspace)
    assert event.ends_at == datetime(2024, 8, 12, 22, 30, tzinfo=UTC)
    assert any("DTEND (line 8)" in w for w in result.warnings), result.warnings


def test_spaces_in_an_rrule_list_are_read(workspace):
    result = _import(_repro("spaces_in_rrule_list.ics"), workspace)
    assert Event.objects.get(workspace=workspace).rrule == "FREQ=WEEKLY;BYDAY=MO,TU"
    assert any("RRULE (line 8)" in w for w in result.warnings), result.warnings


def test_a_floating_start_is_read_in_its_zoned_end_s_zone(workspace):
    # In Los Angeles, 21:30 floating is after 22:30 New York: read in the end's zone.
    result = _import(
        _repro("floating_start_zoned_end.ics"), workspace, time_zone="America/Los_Angeles"
    )
    event = Event.objects.get(workspace=workspace)
    new_york = ZoneInfo("America/New_York")
    assert event.starts_at == datetime(2024, 8, 12, 21, 30, tzinfo=new_york)
    assert event.ends_at == datetime(2024, 8, 12, 22, 30, tzinfo=new_york)
    assert any("America/New_York" in w and "DTEND" in w for w in result.warnings), result.warnings


# --- Any text survives export → import ------------------------------------------------

# What the app stores: no control characters but newline and tab, and (as the import
# strips them) no spaces around a title or place.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029")
    | st.sampled_from(",;:\\\n\"'"),
    max_size=80,
)


@given(
    title=_TEXT.map(str.strip).filter(bool),
    location=_TEXT.map(str.strip),
    notes=_TEXT.map(lambda t: t.strip()),
)
@example(title="0", location="", notes="\\N")  # icalendar's escaping read it as a line break
@example(title="C:\\Notes", location="a\\nb", notes="x\\,y;z")
@settings(max_examples=200, deadline=None)
def test_any_text_survives_export_and_import(title, location, notes):
    workspace = Workspace(slug="riverside", name="Riverside", timezone="UTC")
    start = datetime(2024, 8, 12, 15, 0, tzinfo=UTC)
    event = Event(pk=7, title=title, location=location, notes=notes, starts_at=start,
                  created_at=start)  # fmt: skip
    component = event_component(workspace, event, UTC)
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
    text += component.to_ical().decode() + "END:VCALENDAR\r\n"
    options = registry.ParseOptions(time_zone="UTC", mapping={})
    (record,) = registry.parse("ics", io.BytesIO(text.encode()), options)
    assert (record.title, record.location, record.notes) == (title, location, notes)


def test_a_floating_end_is_read_in_its_zoned_start_s_zone():
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:f@example.org\r\n"
        "SUMMARY:Talk\r\nDTSTART;TZID=Asia/Tokyo:20240812T090000\r\n"
        "DTEND:20240812T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    options = registry.ParseOptions(time_zone="America/Los_Angeles", mapping={})
    (record,) = registry.parse("ics", io.BytesIO(text.encode()), options)
    tokyo = ZoneInfo("Asia/Tokyo")
    assert record.ends_at == datetime(2024, 8, 12, 10, 0, tzinfo=tokyo)
    assert any("DTEND has no zone" in w and "Asia/Tokyo" in w for w in record.warnings)


def test_a_file_of_to_dos_says_what_it_holds_instead_of_events():
    """A to-do list exported from a calendar app (VTODO, VJOURNAL) is refused for what
    it is: the message names the components it holds, so the user knows why."""
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        "BEGIN:VTODO\r\nUID:a\r\nSUMMARY:Call Ada\r\nEND:VTODO\r\n"
        "BEGIN:VTODO\r\nUID:b\r\nSUMMARY:Write Grace\r\nEND:VTODO\r\n"
        "BEGIN:VJOURNAL\r\nUID:c\r\nSUMMARY:Met Ada\r\nEND:VJOURNAL\r\n"
        "END:VCALENDAR\r\n"
    )
    with pytest.raises(ParseError) as caught:
        list(registry.parse("ics", io.BytesIO(text.encode()), registry.ParseOptions()))
    assert str(caught.value) == (
        "the file holds no events (no BEGIN:VEVENT … END:VEVENT); it holds 2 to-dos (VTODO) "
        "and 1 journal entry (VJOURNAL), which Followthrough does not import"
    )
