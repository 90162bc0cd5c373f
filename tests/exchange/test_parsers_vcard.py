"""The vCard parser: every sample, the vCard cases of the reliability checklist (section
(b) "vCard" and section E), and streaming."""

from __future__ import annotations

import base64
import io
import tracemalloc
from pathlib import Path

import pytest

from followthrough.exchange.formats.records import (
    OrganizationRecord,
    ParseError,
    PartialDate,
    PersonRecord,
)
from followthrough.exchange.formats.registry import ParseOptions, get_parser
from followthrough.exchange.formats.vcard import parser as vcard_parser

DATA = Path(__file__).parent / "data"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP4z8DwHwAFAAIBpdjjtgAAAABJRU5ErkJggg=="
)


def parse(data: str | bytes) -> list:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return list(vcard_parser.parse(io.BytesIO(raw), options=ParseOptions()))


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


def one(*lines: str, version: str = "3.0"):
    records = parse(card(*lines, version=version))
    assert len(records) == 1
    return records[0]


def test_registered_as_the_vcard_format():
    assert get_parser("vcard") is vcard_parser.parse


# --- The samples (tests/exchange/data/README.md) -----------------------------------------


def test_apple_contacts_sample():
    person, organization = vcard_parser.parse(
        (DATA / "apple_contacts_3.0.vcf").open("rb"), options=ParseOptions()
    )
    assert isinstance(person, PersonRecord)
    assert (person.first_name, person.last_name) == ("Maria", "Okafor")
    assert person.organization == "Riverside Food Bank"
    assert person.role == "Volunteer Coordinator"
    # item1. group with X-ABLabel, the preferred one first
    assert person.emails == ["maria.okafor@riversidefoodbank.org", "maria@okafor.name"]
    assert person.phones == ["+1 555-0101"]
    assert person.addresses == ["12 River St, Springfield, IL 62701, USA"]
    assert person.notes == "Met at the spring breakfast.\nAsked about youth volunteers, tutoring."
    assert person.birthday == PartialDate(month=4, day=15, year=1985)
    assert person.photo is not None
    assert person.photo.data == PNG  # folded base64, ENCODING=b
    assert person.photo.media_type == "image/png"
    assert person.tags == ["Nonprofits", "Food"]
    assert person.links == ["https://riversidefoodbank.org"]
    assert person.external_ids == {"vcard-uid": "6B29FC40-CA47-1067-B31D-00DD010662DA"}
    assert person.line == 1
    assert isinstance(organization, OrganizationRecord)  # X-ABShowAs:COMPANY
    assert organization.name == "Literacy Now, Inc."
    assert organization.emails == ["hello@literacynow.org"]
    assert organization.external_ids == {"vcard-uid": "8C1A-LITNOW"}
    assert organization.line == 23


def test_android_quoted_printable_sample():
    ivan, aisha = vcard_parser.parse(
        (DATA / "android_2.1_quoted_printable.vcf").open("rb"), options=ParseOptions()
    )
    assert ivan.full_name == "Иван Петров (Фонд)"  # decoded across the QP soft break
    assert (ivan.first_name, ivan.last_name) == ("Иван", "Петров")
    assert ivan.organization == "Фонд «Добро»"
    assert ivan.phones == ["+7 900 555-01-01"]
    assert ivan.emails == ["ivan@fond-example.ru"]
    assert (aisha.first_name, aisha.last_name, aisha.line) == ("Aisha", "Bello", 10)
    assert aisha.notes == "Grant writer\nOffers: proposal reviews"
    assert aisha.emails == ["aisha@bello.consulting"]


def test_vcard_4_sample():
    organization, person = vcard_parser.parse(
        (DATA / "vcard_4.0.vcf").open("rb"), options=ParseOptions()
    )  # after a UTF-8 BOM
    assert isinstance(organization, OrganizationRecord)  # KIND:org
    assert organization.name == "GreenWorks Coalition"
    assert organization.website == "https://greenworks.org"
    uid = "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"
    assert organization.external_ids == {"vcard-uid": uid}
    assert isinstance(person, PersonRecord)
    assert person.organization_ref == uid  # RELATED to the organization's UID
    assert person.organization == "GreenWorks Coalition"
    assert person.birthday == PartialDate(month=4, day=15)
    assert person.photo is not None
    assert person.photo.data == PNG  # the data: URI's bytes kept
    assert person.photo.media_type == "image/png"
    assert person.phones == ["+1-555-0150"]  # TEL;VALUE=uri;TYPE="voice,cell":tel:…
    assert person.emails == ["sam.oneill@greenworks.org"]


def test_outlook_2_1_base64_photo_in_windows_1252():
    (person,) = vcard_parser.parse(
        (DATA / "vcard" / "outlook_2.1_base64_photo_cp1252.vcf").open("rb"), options=ParseOptions()
    )
    assert person.full_name == "Jürgen Müller"
    assert person.organization == "Tafel Köln e.V."
    assert person.addresses == ["Hauptstr. 1, Köln, 50667, Deutschland"]
    assert person.photo is not None
    assert person.photo.data == PNG  # folded with a leading space per line, ended by a blank
    assert person.photo.media_type == "image/png"


# --- Checklist (b) "vCard": vobject's gaps, each covered ------------------------------


def test_quoted_printable_soft_break_in_a_structured_value():
    person = one(
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:;=57=6F=6C=6C=6B=6E=C3=A4=75=65=6C=20=",
        "=45=50;;;",
        version="2.1",
    )
    assert person.first_name == "Wollknäuel EP"
    assert person.full_name == "Wollknäuel EP"


def test_quoted_printable_cyrillic_checklist_sample():
    person = one(
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9C=D0=B8=D1=82=D0=BA=D0=BE=20=",
        "=D0=9A=D0=BE=D0=BB=D1=87=D0=B0=D0=BA=D0=BE=D0=B2",
        "TEL;CELL:+12311111",
        version="2.1",
    )
    assert person.full_name == "Митко Колчаков"
    assert person.phones == ["+12311111"]


def test_quoted_printable_bare_parameter_and_declared_latin_1():
    person = one(
        "N;QUOTED-PRINTABLE;CHARSET=ISO-8859-1:M=FCller;J=FCrgen",
        "NOTE;ENCODING=QUOTED-PRINTABLE:a, b; c=0D=0Anext \\ line",
        version="2.1",
    )
    assert (person.first_name, person.last_name) == ("Jürgen", "Müller")
    assert person.notes == "a, b; c\nnext \\ line"


def test_google_photo_url_continued_without_leading_space():
    person = one(
        "FN:Ada Lovelace",
        "PHOTO:https://lh5.googleusercontent.com/-AAAA/AAAAAAAAAAI/AAAA",
        "A/NYqgZ5bDE3c/photo.jpg",
        "EMAIL:ada@example.com",
    )
    assert person.emails == ["ada@example.com"]
    assert person.photo is None  # a URL is never fetched


def test_data_uri_after_encoding_b():
    person = one(
        "FN:P",
        "PHOTO;ENCODING=b;TYPE=png:data:image/png;base64," + base64.b64encode(PNG).decode(),
    )
    assert person.photo is not None
    assert (person.photo.data, person.photo.media_type) == (PNG, "image/png")


def test_vcard_4_data_uri_photo_checklist_sample():
    person = one("FN:P", "PHOTO:data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/", version="4.0")
    assert person.photo is not None
    assert person.photo.data.startswith(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    assert person.photo.media_type == "image/jpeg"


def test_double_quote_inside_a_parameter_is_no_error():
    person = one(
        "FN:Eleni",
        'ADR;X-ADDRESS="Odos 1, \\"Μακεδονία\\"";TYPE=HOME:;;Odos 1;Thessaloniki;;;Greece',
        'X-ABADR;X-TEST="a "b" c":gr',
    )
    assert person.addresses == ["Odos 1, Thessaloniki, Greece"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("--0415", PartialDate(4, 15)),
        ("--04-15", PartialDate(4, 15)),
        ("--0702", PartialDate(7, 2)),
        ("19850415", PartialDate(4, 15, 1985)),
        ("1985-04-15", PartialDate(4, 15, 1985)),
        ("1985-04-15T00:00:00Z", PartialDate(4, 15, 1985)),
        ("0000-04-15", PartialDate(4, 15)),
        ("1985", None),  # a year alone: nothing a PartialDate can hold
        ("---15", None),
    ],
)
def test_birthdays_with_and_without_year(value, expected):
    assert one("FN:B", f"BDAY:{value}").birthday == expected


def test_apple_omit_year_birthday():
    person = one("FN:B", "BDAY;X-APPLE-OMIT-YEAR=1604;VALUE=date:1604-07-02")
    assert person.birthday == PartialDate(7, 2)


def test_free_text_birthday_is_left_out():
    assert one("FN:B", "BDAY;VALUE=text:circa 1800", version="4.0").birthday is None


def test_impossible_birthday_names_card_and_field():
    text = card("FN:A") + card("FN:B", "BDAY:1985-02-30")
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.field) == (5, "BDAY")
    assert "line 8" in caught.value.message


def test_unreadable_birthday_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse(card("FN:B", "BDAY:April 15th"))
    assert caught.value.field == "BDAY"


def test_utf8_bom_before_the_first_and_a_later_card():
    text = "\ufeff" + card("FN:One") + "\ufeff" + card("FN:Two")
    assert [r.full_name for r in parse(text)] == ["One", "Two"]


def test_missing_end_names_the_card():
    with pytest.raises(ParseError) as caught:
        parse(card("FN:A") + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:B\r\n")
    assert caught.value.line == 5
    assert "END:VCARD" in caught.value.message


def test_missing_end_before_the_next_card():
    with pytest.raises(ParseError) as caught:
        parse("BEGIN:VCARD\r\nFN:A\r\n" + card("FN:B"))
    assert caught.value.line == 3


def test_lf_only_line_endings():
    assert parse(card("FN:Ada", "EMAIL:ada@example.com").replace("\r\n", "\n"))[0].emails == [
        "ada@example.com"
    ]


def test_html_and_formulas_are_returned_verbatim():
    person = one("FN:<img src=x onerror=alert(1)>", 'NOTE:=HYPERLINK("http://x/?"&A1\\,"c")')
    assert person.full_name == "<img src=x onerror=alert(1)>"
    assert person.notes == '=HYPERLINK("http://x/?"&A1,"c")'


# --- Structure and escapes ------------------------------------------------------------


def test_escaped_commas_semicolons_newlines_and_quoted_types():
    person = one(
        "N:O\\;Brien;Pat;;;",
        "FN:Pat O\\;Brien",
        "ORG:Acme\\, Inc.;Research",
        "NOTE:line one\\nline two\\, with comma\\; and semicolon \\\\ backslash",
        'TEL;TYPE="voice,cell":+1 555 0100',
        "CATEGORIES:Donors,Board\\, former",
    )
    assert person.last_name == "O;Brien"
    assert person.organization == "Acme, Inc."
    assert person.notes == "line one\nline two, with comma; and semicolon \\ backslash"
    assert person.phones == ["+1 555 0100"]
    assert person.tags == ["Donors", "Board, former"]


def test_apple_escaped_colon_in_urls():
    person = one(
        "FN:A",
        "item1.URL;type=pref:http\\://www.example.com/a\\,b",
        "item1.X-ABLabel:_$!<HomePage>!$_",
        "EMAIL;type=INTERNET:a\\@example.com",
    )
    assert person.links == ["http://www.example.com/a,b"]
    assert person.emails == ["a@example.com"]


def test_unescaped_comma_in_2_1_org_is_kept():
    assert one("FN:A", "ORG:Foo, Inc.", version="2.1").organization == "Foo, Inc."


def test_trailing_backslash_is_not_turned_into_eof():
    assert one("FN:A", "NOTE:ends with \\").notes == "ends with \\"


def test_preferred_email_first_and_duplicates_dropped():
    person = one(
        "FN:A",
        "EMAIL;TYPE=HOME:a@home.example",
        "EMAIL;TYPE=WORK;PREF=1:a@work.example",
        "EMAIL:A@HOME.example",
        version="4.0",
    )
    assert person.emails == ["a@work.example", "a@home.example"]


def test_fn_only_gives_full_name():
    person = one("FN:Prince")
    assert (person.first_name, person.last_name, person.full_name) == ("", "", "Prince")


def test_n_only_gives_first_and_last():
    person = one("N:Lovelace;Ada;;Countess;")
    assert (person.first_name, person.last_name) == ("Ada", "Lovelace")
    assert person.full_name == "Countess Ada Lovelace"


def test_card_without_any_name_is_named_by_its_email_or_phone():
    # Issue 13: Android writes such cards; the CSV formats name such a row the same way.
    _, by_email, by_phone = parse(
        card("FN:A") + card("EMAIL:nobody@example.com", "N:;;;;") + card("TEL:+1 555 0100")
    )
    assert (by_email.line, by_email.full_name) == (5, "nobody@example.com")
    assert by_phone.full_name == "+1 555 0100"


def test_org_only_card_is_an_organization():
    (record,) = parse(card("ORG:Riverside Food Bank", "URL:https://rfb.example"))
    assert isinstance(record, OrganizationRecord)
    assert (record.name, record.website) == ("Riverside Food Bank", "https://rfb.example")


def test_kind_org_without_org_uses_fn():
    (record,) = parse(card("KIND:org", "FN:Coalition", version="4.0"))
    assert isinstance(record, OrganizationRecord)
    assert record.name == "Coalition"


def test_group_cards_are_skipped():
    text = card(
        "X-ADDRESSBOOKSERVER-KIND:group", "FN:Friends", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:1"
    ) + card("FN:Ada")
    assert [r.full_name for r in parse(text)] == ["Ada"]


def test_related_to_an_organization_read_later_is_kept():
    text = card("FN:Sam", "RELATED;TYPE=spouse:urn:uuid:partner", "RELATED:urn:uuid:org") + card(
        "KIND:org", "FN:Org", "UID:urn:uuid:org"
    )
    person, _ = parse(text.replace("VERSION:3.0", "VERSION:4.0"))
    assert person.organization_ref == "urn:uuid:org"
    assert person.organization == ""


def test_related_tells_apart_organization_cards_of_the_same_name():
    # What the 4.0 export writes: ORG names the organization, RELATED its card's UID.
    text = (
        card("KIND:org", "FN:Acme", "ORG:Acme", "UID:org\\,1")
        + card("KIND:org", "FN:Acme", "ORG:Acme", "UID:org\\;2")
        + card("N:Ng;Bo", "FN:Bo Ng", "ORG:Acme", "RELATED:org\\;2")
    )
    *organizations, person = parse(text.replace("VERSION:3.0", "VERSION:4.0"))
    assert [o.external_ids["vcard-uid"] for o in organizations] == ["org,1", "org;2"]
    assert (person.organization, person.organization_ref) == ("Acme", "org;2")


def test_embedded_2_1_agent_card_is_dropped():
    text = card("FN:Boss", "AGENT:", "BEGIN:VCARD", "FN:Assistant", "END:VCARD", version="2.1")
    assert [r.full_name for r in parse(text)] == ["Boss"]


def test_tel_uri_extension():
    assert one("FN:A", "TEL;VALUE=uri:tel:+1-555-0100;ext=12", version="4.0").phones == [
        "+1-555-0100 ext. 12"
    ]


def test_control_characters_are_dropped():
    assert one("FN:A\x00da\x07", "NOTE:a\tb").full_name == "Ada"


def test_unknown_properties_never_fail_the_card():
    person = one(
        "FN:A",
        "X-SOCIALPROFILE;type=linkedin;x-user=a:http://www.linkedin.com/in/a",
        "X-BROKEN;=;;:",
        "LABEL;TYPE=HOME:a\\nb",
        "GEO:not a geo",
    )
    assert person.full_name == "A"


def test_a_line_that_is_no_property_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse(card("FN:A", "NOTE:first", "this line is no property"))
    assert caught.value.line == 1
    assert "line 5" in caught.value.message


# --- Files and encodings (section E4) -------------------------------------------------


def test_text_outside_cards_is_an_error():
    with pytest.raises(ParseError) as caught:
        parse("First Name,Last Name\r\nAda,Lovelace\r\n")
    assert caught.value.line == 1


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", "\ufeff".encode()])
def test_a_file_without_cards_is_an_error(data):
    with pytest.raises(ParseError, match="no contacts"):
        parse(data)


def test_only_group_cards_is_an_error():
    with pytest.raises(ParseError, match="no contacts"):
        parse(card("KIND:group", "FN:G", version="4.0"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_encodings(encoding):
    text = card("FN:Zoë Château", "N:Château;Zoë;;;", "ORG:Фонд")
    (person,) = parse(text.encode(encoding))
    assert (person.full_name, person.organization) == ("Zoë Château", "Фонд")


def test_windows_1252_lines():
    (person,) = parse(card("FN:Jürgen Müller", "NOTE:“quoted” … €5").encode("cp1252"))
    assert person.full_name == "Jürgen Müller"
    assert person.notes == "“quoted” … €5"


def test_2_1_raw_bytes_in_a_declared_charset():
    raw = card("FN;CHARSET=ISO-8859-7:Ελένη", version="2.1").encode("iso-8859-7")
    assert parse(raw)[0].full_name == "Ελένη"


# --- Size limits and broken photos (section E6) ---------------------------------------


def test_broken_base64_photo_skips_the_photo_not_the_card():
    person = one("FN:A", "PHOTO;ENCODING=b;TYPE=JPEG:!!!not base64!!!", "EMAIL:a@example.com")
    assert (person.photo.data, person.photo.left_out) == (
        b"",
        "the photo on line 4 is not valid base64",
    )
    assert person.emails == ["a@example.com"]


def test_photo_without_padding_or_in_url_safe_alphabet():
    encoded = base64.urlsafe_b64encode(PNG).decode().rstrip("=")
    assert one("FN:A", f"PHOTO;ENCODING=b;TYPE=PNG:{encoded}").photo.data == PNG


def test_photo_over_5_mb_is_left_out_saying_why():
    payload = base64.b64encode(b"\0" * (5 * 1024 * 1024 + 10)).decode()
    folded = "\r\n ".join(payload[i : i + 74] for i in range(0, len(payload), 74))
    _, b = parse(card("FN:A") + card("FN:B", f"PHOTO;ENCODING=b;TYPE=JPEG:{folded}"))
    assert b.first_name == "B" or b.full_name == "B"
    assert (b.photo.data, b.photo.left_out) == (b"", "the photo on line 8 is larger than 5 MB")


def test_2_1_base64_photo_on_lines_without_leading_space():
    payload = base64.b64encode(b"\xff" * (4 * 1024 * 1024)).decode()
    lines = [payload[i : i + 76] for i in range(0, len(payload), 76)]
    person = one(
        "FN:A", "PHOTO;ENCODING=BASE64;TYPE=JPEG:" + lines[0], *lines[1:], "", version="2.1"
    )
    assert person.photo is not None
    assert len(person.photo.data) == 4 * 1024 * 1024
    assert person.photo.media_type == "image/jpeg"


def test_photo_of_5_mb_is_fine():
    payload = base64.b64encode(b"\xff" * (5 * 1024 * 1024)).decode()
    assert len(one("FN:A", f"PHOTO;ENCODING=b:{payload}").photo.data) == 5 * 1024 * 1024


def test_card_over_10_mb_is_an_error():
    note = "x" * 70
    lines = [f"NOTE:{note}"] * (10 * 1024 * 1024 // 75 + 10)
    with pytest.raises(ParseError, match="larger than 10 MB") as caught:
        parse(card("FN:A", *lines))
    assert caught.value.line == 1


def test_huge_line_is_refused_before_it_is_read_whole():
    with pytest.raises(ParseError, match="longer than"):
        parse(b"BEGIN:VCARD\r\nNOTE:" + b"x" * (11 * 1024 * 1024))


def test_200_kb_note_is_fine():
    assert len(one("FN:A", "NOTE:" + "y" * 200_000).notes) == 200_000


# --- Streaming -------------------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A stream that remembers how far it has been read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.furthest = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.furthest = self.tell()
        return chunk


def many_cards(count: int, note: str = "") -> bytes:
    return "".join(
        card(
            f"N:Person{i};Test;;;",
            f"FN:Test Person{i}",
            f"EMAIL;TYPE=WORK:person{i}@example.org",
            f"ORG:Org {i % 50}",
            f"UID:uid-{i}",
            f"NOTE:Card number {i}\\, with a note.{note}",
        )
        for i in range(count)
    ).encode()


def test_ten_thousand_cards_stream():
    data = many_cards(10_000)
    stream = CountingStream(data)
    records = vcard_parser.parse(stream, options=ParseOptions())
    first = next(records)
    assert first.external_ids == {"vcard-uid": "uid-0"}
    assert stream.furthest < len(data) / 10  # the first card came before the rest was read
    rest = sum(1 for _ in records)
    assert rest == 9_999
    assert stream.furthest == len(data)


def _peak(count: int) -> int:
    data = many_cards(count, note="n" * 4000)
    tracemalloc.start()
    try:
        assert sum(1 for _ in vcard_parser.parse(io.BytesIO(data), options=ParseOptions())) == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_while_streaming():
    small, large = _peak(50), _peak(250)  # files of about 0.2 and 1 MB
    assert large < small * 1.25 + 50_000  # five times the cards, not five times the memory


def test_a_bad_card_late_in_a_big_file_names_its_line():
    data = many_cards(2_000) + card("FN:Late", "BDAY:1985-13-45").encode()
    with pytest.raises(ParseError) as caught:
        list(vcard_parser.parse(io.BytesIO(data), options=ParseOptions()))
    assert caught.value.line == 2_000 * 9 + 1  # nine lines a card


def test_a_malformed_email_is_refused_at_its_own_line():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Byron\r\nN:Byron;Ada;;;\r\n"
        "TEL:+44 20 7946 0000\r\nNOTE:first line\\nsecond\r\n"
        "EMAIL;TYPE=work:ada@example.org\r\nEMAIL:not-an-address\r\nEND:VCARD\r\n"
    )
    with pytest.raises(ParseError) as failure:
        parse(text)
    error = failure.value
    assert (error.line, error.field) == (8, "EMAIL")
    assert error.message == "“not-an-address” is not a valid e-mail address."


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        (
            "vcard",
            b"\x89PNG\r\n\x1a\n" + bytes(200),
            "This is not a vCard file: it looks like a PNG image.",
        ),
        ("vcard", b"%PDF-1.7\n...", "This is not a vCard file: it looks like a PDF document."),
        (
            "ics",
            b"PK\x03\x04" + bytes(100),
            "This is not an iCalendar file: it looks like an Excel",
        ),
        (
            "ics",
            b"\xff\xd8\xff\xe0" + bytes(100),
            "This is not an iCalendar file: it looks like a JPEG",
        ),
    ],
)
def test_an_image_or_document_is_refused_for_what_it_is(fmt, data, message):
    # Not "line 1: text outside a card": the user chose the wrong file, not a bad card.
    with pytest.raises(ParseError) as refused:
        list(get_parser(fmt)(io.BytesIO(data), options=ParseOptions()))
    assert str(refused.value.message).startswith(message)
    assert refused.value.line == 1
