"""The iCalendar parser: every sample, the iCalendar cases of the reliability checklist
(section (b) "iCalendar" and section E7), and a robustness run over the calendars in
icalendar's own test suite."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from followthrough.exchange.formats.ics import parser as ics_parser
from followthrough.exchange.formats.records import EventRecord, ParseError
from followthrough.exchange.formats.registry import ParseOptions, get_parser

DATA = Path(__file__).parent / "data"
BERLIN = ZoneInfo("Europe/Berlin")


def parse(text: str | bytes, **options) -> list[EventRecord]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return list(ics_parser.parse(io.BytesIO(raw), options=ParseOptions(**options)))


def calendar(*parts: str, header: str = "") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        + header
        + "".join(parts)
        + ("END:VCALENDAR\r\n")
    )


def vevent(*lines: str, uid: str = "e1@example.org", summary: str = "Meeting") -> str:
    head = [f"UID:{uid}", f"SUMMARY:{summary}"]
    return (
        "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in [*head, *lines]) + "END:VEVENT\r\n"
    )


def one(*lines: str, header: str = "", **options) -> EventRecord:
    (record,) = parse(calendar(vevent(*lines), header=header), **options)
    return record


CUSTOM_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:{summer}\r\nTZOFFSETTO:{winter}\r\n"
    "END:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:{winter}\r\nTZOFFSETTO:{summer}\r\n"
    "END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def custom_zone(tzid: str = "Customized Time Zone", winter="+0100", summer="+0200") -> str:
    return CUSTOM_ZONE.format(tzid=tzid, winter=winter, summer=summer)


def test_registered_as_the_ics_format():
    assert get_parser("ics") is ics_parser.parse


# --- The samples (tests/exchange/data/README.md) -----------------------------------------


def test_google_calendar_sample():
    (series,) = ics_parser.parse(
        (DATA / "google_calendar_breakfast.ics").open("rb"), options=ParseOptions()
    )
    assert series.title == "Springfield Nonprofit Networking Breakfast"
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TH;COUNT=10"  # one series, not expanded
    assert series.time_zone == "America/Chicago"
    assert series.starts_at == datetime(2026, 3, 12, 7, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert series.starts_at.utcoffset() == timedelta(hours=-5)  # CDT on 12 March 2026
    assert series.ends_at == datetime(2026, 3, 12, 9, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert not series.all_day
    assert series.location == "Community Center, 200 Main St, Springfield"
    assert series.notes == (
        "Monthly networking breakfast for local nonprofits.\n"
        "Bring a friend, bring your needs and offers."
    )
    assert series.uid == "7kukuqrfedlm2f9t0vn7e1k5o4@google.com"
    assert series.line == 23
    assert [(a.name, a.email, a.rsvp) for a in series.attendees] == [
        ("Maria Okafor", "maria.okafor@riversidefoodbank.org", "accepted"),
        ("Raman, Dev", "dev@literacynow.org", "unknown"),  # CN quoted with a comma
        ("", "kwame@youthbuild.example", "tentative"),  # CN that is the address
    ]
    assert [a.line for a in series.attendees] == [29, 30, 31]
    # The ORGANIZER is not an attendee.
    assert "events@springfieldnonprofits.example" not in [a.email for a in series.attendees]
    assert series.warnings == []


def test_outlook_windows_time_zone_sample():
    meeting, all_day = ics_parser.parse(
        (DATA / "outlook_calendar_windows_tz.ics").open("rb"), options=ParseOptions()
    )
    assert meeting.starts_at == datetime(2026, 4, 15, 17, 0, tzinfo=BERLIN)
    assert meeting.starts_at.utcoffset() == timedelta(hours=2)
    assert meeting.ends_at == datetime(2026, 4, 15, 19, 0, tzinfo=BERLIN)
    assert meeting.time_zone == "Europe/Berlin"
    assert meeting.title == "Netzwerktreffen Ehrenamt"
    assert meeting.location == "Bürgerhaus Köln"
    assert meeting.notes == "Partner-Treffen der Kölner Tafel mit lokalen Initiativen."
    assert all_day.all_day
    assert all_day.starts_at == date(2026, 5, 1)
    assert type(all_day.starts_at) is date
    assert all_day.ends_at == date(2026, 5, 2)  # DTEND as given: exclusive
    assert all_day.time_zone == ""
    assert meeting.warnings == all_day.warnings == []


def test_outlook_custom_time_zone_sample():
    (event,) = ics_parser.parse(
        (DATA / "ics" / "outlook_custom_timezone.ics").open("rb"),
        options=ParseOptions(time_zone="Europe/Berlin"),
    )
    # tzone://Microsoft/Custom follows Berlin's rules: it is taken as Europe/Berlin.
    assert event.starts_at == datetime(2024, 7, 10, 16, 0, tzinfo=BERLIN)
    assert event.time_zone == "Europe/Berlin"
    assert event.ends_at == datetime(2024, 7, 10, 17, 30, tzinfo=BERLIN)
    # A room is no attendee; the VALARM is not read.
    assert [(a.name, a.rsvp) for a in event.attendees] == [("Müller, Jürgen", "declined")]
    assert event.warnings == ["the room or resource “Konferenzraum 2” is not an attendee"]


# --- Checklist (b) "iCalendar" -------------------------------------------------------


def test_windows_time_zone_without_vtimezone():
    event = one("DTSTART;TZID=W. Europe Standard Time:20200305T090000")
    assert event.starts_at == datetime(2020, 3, 5, 9, 0, tzinfo=BERLIN)
    assert event.time_zone == "Europe/Berlin"
    assert event.warnings == []


@pytest.mark.parametrize(
    ("tzid", "zone"),
    [
        ("Romance Standard Time", "Europe/Paris"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
        ('"W. Europe Standard Time"', "Europe/Berlin"),
        ("/mozilla.org/20050126_1/America/New_York", "America/New_York"),
        (
            "/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires",
            "America/Argentina/Buenos_Aires",
        ),
    ],
)
def test_windows_and_globally_unique_names(tzid, zone):
    event = one(f"DTSTART;TZID={tzid}:20240115T100000")
    assert event.time_zone == zone
    assert event.starts_at == datetime(2024, 1, 15, 10, 0, tzinfo=ZoneInfo(zone))


def test_tzone_microsoft_custom_uses_the_embedded_vtimezone():
    text = calendar(
        custom_zone("tzone://Microsoft/Custom"),
        vevent('DTSTART;TZID="tzone://Microsoft/Custom":20240710T160000'),
    )
    (event,) = parse(text, time_zone="America/Chicago")
    assert event.starts_at.utcoffset() == timedelta(hours=2)  # July: +2 h, as checked
    assert event.starts_at.astimezone(UTC) == datetime(2024, 7, 10, 14, 0, tzinfo=UTC)
    assert event.time_zone == ""  # not Chicago's rules: no IANA name to give
    assert "keep their UTC offset (UTC+02:00)" in event.warnings[0]


def test_custom_zone_in_winter_and_with_escaped_commas_in_its_tzid():
    name = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
    text = calendar(
        custom_zone(name.replace(",", "\\,")),
        vevent(f'DTSTART;TZID="{name}":20240110T160000'),
    )
    (event,) = parse(text, time_zone="Europe/Vienna")
    assert event.starts_at == datetime(2024, 1, 10, 16, 0, tzinfo=ZoneInfo("Europe/Vienna"))
    assert event.time_zone == "Europe/Vienna"


def test_a_custom_zone_name_means_each_files_own_definition():
    """icalendar caches a VTIMEZONE by its TZID for the whole process; two users' files
    that both say "Customized Time Zone" must each keep their own."""
    berlin = calendar(custom_zone(), vevent('DTSTART;TZID="Customized Time Zone":20240710T160000'))
    icalendar.Calendar.from_ical(berlin)  # as if something else in the process read it
    new_york = calendar(
        custom_zone(winter="-0500", summer="-0400"),
        vevent('DTSTART;TZID="Customized Time Zone":20240710T160000'),
    )
    (first,) = parse(berlin)
    (second,) = parse(new_york)
    assert first.starts_at.utcoffset() == timedelta(hours=2)
    assert second.starts_at.utcoffset() == timedelta(hours=-4)


def test_vtimezone_after_the_event_that_uses_it():
    text = calendar(
        vevent('DTSTART;TZID="Customized Time Zone":20240110T160000', uid="a"),
        vevent("DTSTART:20240111T100000Z", uid="b"),
        custom_zone(),
    )
    records = parse(text, time_zone="Europe/Berlin")
    assert {r.uid: r.starts_at for r in records} == {
        "a": datetime(2024, 1, 10, 16, 0, tzinfo=BERLIN),
        "b": datetime(2024, 1, 11, 10, 0, tzinfo=UTC),
    }


def test_unknown_tzid_without_vtimezone_takes_the_option_zone_with_a_warning():
    event = one("DTSTART;TZID=Mars/Olympus_Mons:20240710T160000", time_zone="Europe/Berlin")
    assert event.starts_at == datetime(2024, 7, 10, 16, 0, tzinfo=BERLIN)
    assert event.time_zone == "Europe/Berlin"
    assert event.warnings == [
        "the time zone “Mars/Olympus_Mons” is unknown; its times taken in Europe/Berlin"
    ]


def test_floating_time_takes_the_option_zone_with_a_warning():
    event = one("DTSTART:20240710T160000", "DTEND:20240710T170000", time_zone="America/Chicago")
    assert event.starts_at == datetime(2024, 7, 10, 16, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert event.ends_at == datetime(2024, 7, 10, 17, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert event.warnings == ["floating times (no zone) taken in America/Chicago"]


def test_floating_time_takes_the_calendars_x_wr_timezone_first():
    event = one(
        "DTSTART:20240710T160000", header="X-WR-TIMEZONE:Europe/Berlin\r\n", time_zone="UTC"
    )
    assert event.starts_at == datetime(2024, 7, 10, 16, 0, tzinfo=BERLIN)
    assert event.warnings == ["floating times (no zone) taken in Europe/Berlin"]


def test_utc_times_are_shown_in_the_calendars_zone():
    event = one("DTSTART:20240710T140000Z", header="X-WR-TIMEZONE:Europe/Berlin\r\n")
    assert event.starts_at == datetime(2024, 7, 10, 16, 0, tzinfo=BERLIN)
    assert event.time_zone == "Europe/Berlin"
    plain = one("DTSTART:20240710T140000Z")
    assert plain.starts_at == datetime(2024, 7, 10, 14, 0, tzinfo=UTC)
    assert plain.time_zone == "UTC"


def test_z_wins_over_a_tzid():
    event = one("DTSTART;TZID=Europe/Berlin:20240101T100000Z")
    assert event.starts_at == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)


def test_dst_gap_is_read_as_rfc_5545_says_with_a_warning():
    event = one("DTSTART;TZID=Europe/Berlin:20240331T023000")
    assert event.starts_at == datetime(2024, 3, 31, 3, 30, tzinfo=BERLIN)
    assert event.starts_at.astimezone(UTC) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert event.warnings == [
        "DTSTART: 2024-03-31 02:30 does not exist in Europe/Berlin (the clocks go forward); "
        "taken as 03:30, as RFC 5545 reads it"
    ]


def test_dst_gap_in_a_custom_zone():
    text = calendar(custom_zone(), vevent('DTSTART;TZID="Customized Time Zone":20240331T023000'))
    (event,) = parse(text, time_zone="Europe/Berlin")
    assert event.starts_at == datetime(2024, 3, 31, 3, 30, tzinfo=BERLIN)
    assert "does not exist" in event.warnings[0]


def test_ambiguous_time_is_its_first_occurrence():
    event = one("DTSTART;TZID=Europe/Berlin:20241027T023000")
    assert event.starts_at.utcoffset() == timedelta(hours=2)  # still summer time
    assert event.warnings == []


def test_recurrence_bomb_is_one_record_kept_as_its_rule():
    event = one(
        "DTSTART;TZID=Europe/Berlin:20240710T160000", "RRULE:FREQ=SECONDLY;COUNT=2000000000"
    )
    assert event.rrule == "FREQ=SECONDLY;COUNT=2000000000"
    assert event.warnings == [
        "the series has 2,000,000,000 occurrences, more than the 1,000 that are ever expanded"
    ]


def test_impossible_rule_costs_nothing():
    event = one("DTSTART:20240101T100000Z", "RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30")
    assert event.rrule == "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"


def test_count_under_the_cap_gives_no_warning():
    event = one("DTSTART:20240101T100000Z", "RRULE:FREQ=WEEKLY;COUNT=20", max_occurrences=50)
    assert event.warnings == []


def test_a_vtimezone_rule_that_is_not_yearly_is_refused():
    bomb = custom_zone().replace("RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "RRULE:FREQ=SECONDLY")
    text = calendar(bomb, vevent('DTSTART;TZID="Customized Time Zone":20240110T160000'))
    with pytest.raises(ParseError, match="unsupported rule") as caught:
        parse(text)
    assert caught.value.field == "DTSTART"


def test_an_unused_bad_vtimezone_is_harmless():
    bad = custom_zone().replace("TZOFFSETTO:+0200", "TZOFFSETTO:garbage")
    assert parse(calendar(bad, vevent("DTSTART:20240110T160000Z")))[0].title == "Meeting"


def test_icalendar_errors_become_parse_errors_with_line_and_field():
    text = calendar(vevent("DTSTART:20240101T100000Z"), vevent("DTSTART:not-a-date", uid="b"))
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.field) == (9, "DTSTART")
    assert "line 12" in caught.value.message


def test_a_garbage_line_in_an_event_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse(calendar(vevent("DTSTART:20240101T100000Z", "this is no content line")))
    assert caught.value.line == 4
    assert "line 8 is not an iCalendar property" in caught.value.message


def test_an_unreadable_property_that_is_not_read_is_harmless():
    event = one(
        "DTSTART:20240101T100000Z",
        "GEO:not;a;geo",
        'X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-TITLE="Somewhere":geo:1,2',
        "X-APPLE-RADIUS=49.9",  # a broken fold after a property that is not read
        "CATEGORIES:a,b",
    )
    assert event.title == "Meeting"


def test_bad_rrule_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse(calendar(vevent("DTSTART:20240101T100000Z", "RRULE:FREQ=SOMETIMES")))
    assert caught.value.field == "RRULE"


# --- Event fields --------------------------------------------------------------------


def test_attendees_rsvp_and_organizer():
    event = one(
        "DTSTART:20240101T100000Z",
        "ORGANIZER;CN=Org:mailto:org@example.org",
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=A:mailto:a@example.org",
        "ATTENDEE;PARTSTAT=DECLINED;CN=B:MAILTO:b@example.org",
        "ATTENDEE;PARTSTAT=TENTATIVE;CN=C:mailto:c@example.org",
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=D:mailto:d@example.org",
        "ATTENDEE;PARTSTAT=DELEGATED;CN=E:mailto:e@example.org",
        "ATTENDEE;CN=F:mailto:f@example.org",
        "ATTENDEE;CN=Org;PARTSTAT=ACCEPTED:mailto:org@example.org",
        "ATTENDEE;CN=A again:mailto:A@example.org",
        "ATTENDEE;CUTYPE=RESOURCE;CN=Projector:mailto:projector@example.org",
        "ATTENDEE;CN=No Mail;X-CHECKED-IN=TRUE:urn:x-followthrough:ws-12",
    )
    assert [(a.name, a.email, a.rsvp) for a in event.attendees] == [
        ("A", "a@example.org", "accepted"),
        ("B", "b@example.org", "declined"),
        ("C", "c@example.org", "tentative"),
        ("D", "d@example.org", "unknown"),
        ("E", "e@example.org", "unknown"),
        ("F", "f@example.org", "unknown"),
        ("Org", "org@example.org", "accepted"),  # the organizer, also listed
        ("No Mail", "", "unknown"),
    ]
    no_mail = event.attendees[-1]
    assert no_mail.checked_in
    # Our own export's address for someone without an e-mail stands for their UID.
    assert no_mail.external_ids == {"vcard-uid": "followthrough-ws-12"}


def test_alarms_and_todos_are_not_read():
    text = calendar(
        vevent(
            "DTSTART:20240101T100000Z",
            "BEGIN:VALARM",
            "ACTION:EMAIL",
            "REPEAT:2000000000",
            "DURATION:PT1S",
            "TRIGGER:-PT15M",
            "ATTENDEE:mailto:alarm@example.org",
            "SUMMARY:not the title",
            "END:VALARM",
        ),
        "BEGIN:VTODO\r\nUID:todo\r\nSUMMARY:a task\r\nDUE:20240101T100000Z\r\nEND:VTODO\r\n",
    )
    (event,) = parse(text)
    assert event.title == "Meeting"
    assert event.attendees == []
    assert event.ends_at is None


def test_description_html_is_kept_as_plain_text():
    event = one(
        "DTSTART:20240101T100000Z",
        "DESCRIPTION:<script>alert(1)</script>\\n<img src=x onerror=alert(1)>",
        "X-ALT-DESC;FMTTYPE=text/html:<html><b>rich</b></html>",
        "LOCATION:<b>Hall</b>",
    )
    assert event.notes == "<script>alert(1)</script>\n<img src=x onerror=alert(1)>"
    assert event.location == "<b>Hall</b>"


def test_duration_instead_of_dtend():
    event = one("DTSTART;TZID=Europe/Berlin:20240330T120000", "DURATION:P1DT1H")
    # one nominal day across the DST change, then an exact hour
    assert event.ends_at == datetime(2024, 3, 31, 13, 0, tzinfo=BERLIN)
    all_day = one("DTSTART;VALUE=DATE:20240101", "DURATION:P2D")
    assert (all_day.starts_at, all_day.ends_at) == (date(2024, 1, 1), date(2024, 1, 3))


def test_end_before_start_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse(calendar(vevent("DTSTART:20240102T100000Z", "DTEND:20240101T100000Z")))
    assert caught.value.field == "DTEND"


def test_date_start_with_date_time_end_is_an_error():
    with pytest.raises(ParseError, match="both be dates"):
        parse(calendar(vevent("DTSTART;VALUE=DATE:20240102", "DTEND:20240103T100000Z")))


def test_missing_dtstart_is_an_error():
    with pytest.raises(ParseError, match="no start") as caught:
        parse(calendar(vevent()))
    assert (caught.value.line, caught.value.field) == (4, "DTSTART")


def test_dtstart_twice_is_an_error():
    with pytest.raises(ParseError, match="more than once"):
        parse(calendar(vevent("DTSTART:20240102T100000Z", "DTSTART:20240103T100000Z")))


def test_missing_title_and_uid_are_warnings():
    text = calendar("BEGIN:VEVENT\r\nDTSTART:20240102T100000Z\r\nEND:VEVENT\r\n")
    (event,) = parse(text)
    assert event.title == "(no title)"
    assert event.uid == ""
    assert len(event.warnings) == 2


def test_changed_occurrence_is_an_event_of_its_own():
    text = calendar(
        vevent("DTSTART:20240102T100000Z", "RRULE:FREQ=WEEKLY", "EXDATE:20240109T100000Z"),
        vevent("DTSTART:20240116T120000Z", "RECURRENCE-ID:20240116T100000Z"),
    )
    series, changed = parse(text)
    assert series.uid == "e1@example.org"
    assert series.warnings == ["EXDATE (dates added to or taken out of the series) is not kept"]
    assert changed.uid == "e1@example.org;RECURRENCE-ID=20240116T100000Z"
    assert "changed occurrence" in changed.warnings[0]


def test_cancelled_is_kept_on_the_record():
    event = one("DTSTART:20240102T100000Z", "STATUS:CANCELLED")
    assert (event.cancelled, event.warnings) == (True, [])
    assert one("DTSTART:20240102T100000Z", "STATUS:CONFIRMED").cancelled is False


# --- Files, structure and limits (sections E3, E4, E7) ----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
    ],
)
def test_a_file_without_events_is_an_error(text):
    with pytest.raises(ParseError, match="no events"):
        parse(text)


def test_not_an_icalendar_file():
    with pytest.raises(ParseError) as caught:
        parse("Subject,Start Date\r\nBreakfast,2024-01-01\r\n")
    assert caught.value.line == 1


def test_cut_off_file_is_an_error():
    text = calendar(vevent("DTSTART:20240102T100000Z"))
    with pytest.raises(ParseError, match="never ends"):
        parse(text[: text.index("END:VEVENT")])
    with pytest.raises(ParseError, match="never ends"):
        parse(text.removesuffix("END:VCALENDAR\r\n"))


def test_end_without_begin_is_an_error():
    with pytest.raises(ParseError, match="END:VTODO"):
        parse(calendar(vevent("DTSTART:20240102T100000Z"), "END:VTODO\r\n"))


def test_deeply_nested_calendars_are_refused():
    text = (
        "BEGIN:VCALENDAR\r\n" * 100 + vevent("DTSTART:20240101T100000Z") + "END:VCALENDAR\r\n" * 100
    )
    with pytest.raises(ParseError, match="nested"):
        parse(text)


@pytest.mark.parametrize(
    "lines",
    [
        ("DTSTART;TZID=Asia/Tokyo:00010101T000000",),
        ("DTSTART;TZID=America/Chicago:99991231T230000",),
        ("DTSTART:20240101T000000Z", "DURATION:P500000W"),
        ("DTSTART;VALUE=DATE:99991231", "DURATION:P2D"),
    ],
)
def test_times_out_of_range_are_parse_errors(lines):
    with pytest.raises(ParseError, match="out of range"):
        parse(calendar(vevent(*lines)))


def test_100_kb_of_backslashes():
    event = one("DTSTART:20240101T100000Z", "DESCRIPTION:" + "\\" * 100_000)
    assert set(event.notes) == {"\\"}


def test_a_bare_vevent_without_vcalendar():
    (event,) = parse(vevent("DTSTART:20240101T100000Z"))
    assert event.title == "Meeting"


def test_x_comment_after_the_calendar_is_allowed():
    text = calendar(vevent("DTSTART:20240101T100000Z")) + "X-COMMENT:cached\r\n"
    assert len(parse(text)) == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_encodings(encoding):
    text = calendar(vevent("DTSTART:20240101T100000Z", summary="Café Köln"))
    assert parse(text.encode(encoding))[0].title == "Café Köln"


def test_folded_lines_and_lf_endings():
    text = calendar(vevent("DTSTART:20240101T100000Z", "DESCRIPTION:one\r\n  two\r\n\t three"))
    assert one_of(text.replace("\r\n", "\n")).notes == "one two three"


def one_of(text: str) -> EventRecord:
    (record,) = parse(text)
    return record


def test_unknown_option_zone_is_an_error():
    with pytest.raises(ParseError, match="unknown time zone"):
        parse(calendar(vevent("DTSTART:20240101T100000Z")), time_zone="Nowhere/Special")


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.furthest = self.tell()
        return chunk


def test_events_stream():
    events = [vevent(f"DTSTART:20240101T{i % 24:02d}0000Z", uid=f"e{i}") for i in range(10_000)]
    data = calendar(*events).encode()
    stream = CountingStream(data)
    records = ics_parser.parse(stream, options=ParseOptions())
    assert next(records).uid == "e0"
    assert stream.furthest < len(data) / 4
    assert sum(1 for _ in records) == 9_999


# --- Robustness: the calendars of icalendar's own test suite -----------------------------

ICALENDAR_TESTS = Path(icalendar.__file__).parent / "tests"
SUITE = sorted(ICALENDAR_TESTS.rglob("*.ics")) if ICALENDAR_TESTS.is_dir() else []


@pytest.mark.skipif(not SUITE, reason="the installed icalendar package ships no test calendars")
@pytest.mark.parametrize("path", SUITE, ids=lambda p: str(p.relative_to(ICALENDAR_TESTS)))
def test_icalendar_test_suite_calendars(path):
    """Each either gives records or fails with ParseError, never another exception. Time
    is bounded by design: nothing is expanded, and `max_occurrences` is small anyway."""
    try:
        with path.open("rb") as stream:
            records = list(ics_parser.parse(stream, options=ParseOptions(max_occurrences=10)))
    except ParseError as error:
        assert str(error)
    else:
        assert records
        for record in records:
            assert isinstance(record, EventRecord)
            assert isinstance(record.starts_at, date)
            if isinstance(record.starts_at, datetime):
                assert record.starts_at.utcoffset() is not None  # always aware
