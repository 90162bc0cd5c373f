"""The CSV parsers (LinkedIn, Google, Outlook, generic, Eventbrite) and their shared reader:
every sample gives what tests/exchange/data/README.md says, and every CSV bad-input case
of the reliability checklist (section E and part (b) "CSV") fails clearly or is handled."""

from __future__ import annotations

import inspect
import io
import random
import time
import tracemalloc
import types
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.exchange.formats.csv import generic, google, linkedin
from followthrough.exchange.formats.csv import reader as csv_reader
from followthrough.exchange.formats.records import (
    AttendeeRecord,
    OrganizationRecord,
    ParseError,
    PartialDate,
    PersonRecord,
)
from followthrough.exchange.formats.registry import ParseOptions, get_parser, parse
from tests.exchange.helpers import strictly

DATA = Path(__file__).parent / "data"
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def read(fmt: str, data: bytes, mapping: dict[str, str] | None = None) -> list:
    return strictly(parse(fmt, io.BytesIO(data), ParseOptions(mapping=mapping or {})))


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def error_of(fmt: str, data: bytes, mapping: dict[str, str] | None = None) -> ParseError:
    with pytest.raises(ParseError) as info:
        read(fmt, data, mapping)
    return info.value


def linkedin_file(*rows: str, preamble: bool = True, newline: str = "\r\n") -> bytes:
    lines = ["Notes:", '"Some e-mail addresses are missing."', ""] if preamble else []
    return newline.join([*lines, LINKEDIN_HEADER, *rows, ""]).encode()


# --- The samples ------------------------------------------------------------------------


def test_linkedin_sample_gives_seven_people_with_company_position_date_and_url():
    people = read("linkedin", sample("linkedin_Connections.csv"))

    assert len(people) == 7 and all(isinstance(p, PersonRecord) for p in people)
    assert [p.line for p in people] == list(range(5, 12))  # preamble and header counted
    maria, dev, jo, emile, aisha, wei, sam = people
    assert (maria.first_name, maria.last_name) == ("Maria", "Okafor")
    assert maria.emails == ["maria.okafor@riversidefoodbank.org"]
    assert (maria.organization, maria.role) == ("Riverside Food Bank", "Volunteer Coordinator")
    assert maria.connected_on == date(2024, 3, 5)
    url = "https://www.linkedin.com/in/maria-okafor-1a2b3c"
    assert maria.external_ids == {"linkedin": url} and maria.links == [url]
    assert dev.emails == [] and dev.organization == "Literacy Now, Inc."
    assert dev.external_ids["linkedin"] == "https://www.linkedin.com/in/devraman"
    assert jo.role == "Director of Programs, Arts & Youth"
    assert (emile.first_name, emile.last_name, emile.role) == (
        "Émile",
        "Durand-Ferré",
        "Chargé de partenariats",
    )
    assert aisha.role == "Founder; Grant Writer" and aisha.connected_on == date(2025, 1, 12)
    assert (wei.first_name, wei.last_name, wei.emails) == ("李", "伟", [])
    assert sam.last_name == "O'Neill" and sam.connected_on == date(2024, 4, 23)
    assert all(p.organization and p.role and p.connected_on for p in people)


def test_google_sample_gives_two_people_and_an_organization():
    records = read("google", sample("google_contacts.csv"))

    maria, dev, harbor = records
    assert [type(r) for r in records] == [PersonRecord, PersonRecord, OrganizationRecord]
    assert [r.line for r in records] == [2, 5, 6]  # Maria's notes and address span 3 lines
    assert maria.emails == [
        "maria.okafor@riversidefoodbank.org",
        "maria@okafor.name",
        "mokafor@example.net",
    ]
    assert maria.tags == ["Nonprofits", "Food"]  # "* myContacts" dropped
    assert maria.birthday == PartialDate(month=4, day=15, year=1985)
    assert maria.notes == (
        "Met at the spring food-security breakfast.\nWants help with youth volunteers."
    )
    assert maria.addresses == ["12 River St\nSpringfield"]
    assert maria.phones == ["+1 555-0101"]
    assert maria.links == ["https://riversidefoodbank.org"]
    assert (maria.organization, maria.role) == ("Riverside Food Bank", "Volunteer Coordinator")
    assert (dev.first_name, dev.last_name, dev.full_name) == ("Dev", "Raman", "")
    assert dev.birthday == PartialDate(month=7, day=2)  # year-less --07-02
    assert dev.phones == ["+1 (555) 010-2000", "+1 555 0102"]
    assert dev.organization == "Literacy Now, Inc." and dev.tags == ["Nonprofits"]
    assert harbor.name == "Harbor Refugee Services"
    assert harbor.website == "https://harborrefugee.org"
    assert harbor.emails == ["info@harborrefugee.org"] and harbor.phones == ["+1 555 0199"]
    assert (harbor.notes, harbor.tags) == ("Front desk only", ["Nonprofits"])


def test_outlook_sample_in_cp1252_with_semicolons_keeps_accents():
    juergen, zoe = read("outlook", sample("outlook_contacts_cp1252_semicolon.csv"))

    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Müller")
    assert (juergen.organization, juergen.role) == ("Kölner Tafel e.V.", "Geschäftsführer")
    assert juergen.tags == ["Nonprofits", "Food"]
    assert juergen.emails == ["j.mueller@tafel-koeln.de"]
    assert juergen.phones == ["+49 221 555 0100"]
    assert juergen.addresses == ["Domstraße 1, Köln, Deutschland"]
    assert juergen.links == ["https://koelner-tafel.example"]
    assert (zoe.first_name, zoe.last_name) == ("Zoë", "Château")
    assert (zoe.organization, zoe.tags) == ("Arts for All", ["Arts"])
    assert zoe.notes == "Café meeting on 3/4 — follow up about grant"
    assert (zoe.line, zoe.links, zoe.phones) == (3, [], ["+33 6 55 55 01 01"])


def test_eventbrite_sample_gives_four_attendees_and_one_declined_row():
    rows = read("eventbrite", sample("eventbrite_attendees.csv"))

    assert all(isinstance(r, AttendeeRecord) for r in rows) and len(rows) == 5
    attending = [r for r in rows if r.rsvp == "accepted"]
    assert [r.name for r in attending] == [
        "Maria Okafor",
        "Dev Raman",
        "Kwame Mensah",
        "Lena Fischer",
    ]
    tom = rows[4]
    assert (tom.name, tom.rsvp, tom.checked_in, tom.line) == ("Tom Nguyen", "declined", False, 6)
    assert [r.checked_in for r in attending] == [True, False, True, True]
    lena = attending[3]
    assert (lena.email, lena.organization, lena.role) == ("", "YouthBuild Springfield", "Volunteer")
    assert [r.external_ids["eventbrite"] for r in rows] == [f"990000{i}" for i in range(1, 6)]
    assert attending[1].organization == "Literacy Now, Inc."


def test_old_google_layout_in_utf16():
    ada, grace = read("google", (DATA / "csv" / "google_old_layout_utf16.csv").read_bytes())

    assert ada.emails == ["ada@example.com", "ada2@example.com"]
    assert ada.tags == ["Work"]  # "* My Contacts" and "* Starred" dropped
    assert (ada.organization, ada.role) == ("Analytical Engines", "Founder")
    assert ada.birthday == PartialDate(month=12, day=10, year=1815)
    assert ada.links == ["https://example.com/ada"]
    # The middle name and nickname are kept as such (issue 13), no longer in the first name.
    assert (grace.first_name, grace.middle_name, grace.last_name) == ("Grace", "Brewster", "Hopper")
    assert grace.nickname == "Amazing Grace"
    assert grace.tags == ["Friends"] and grace.birthday == PartialDate(month=12, day=9)


def test_german_outlook_export():
    kaethe, joerg = read("outlook", (DATA / "csv" / "outlook_german_cp1252.csv").read_bytes())

    assert (kaethe.first_name, kaethe.last_name, kaethe.role) == ("Käthe", "Groß", "Vorständin")
    assert kaethe.organization == "Bürgerstiftung Süd"
    assert kaethe.tags == ["Stiftungen", "Förderer"]
    assert kaethe.birthday == PartialDate(month=12, day=24, year=1970)
    assert kaethe.addresses == ["Maximilianstraße 3, München, 80539, Deutschland"]
    assert kaethe.links == ["https://www.buergerstiftung.example"]
    assert (joerg.first_name, joerg.middle_name, joerg.last_name) == ("Jörg", "Peter", "Weiß")
    assert (kaethe.name_prefix, joerg.name_prefix) == ("Frau", "Herr")  # "Anrede"
    # The Exchange X.500 address gives way to the SMTP address in its display name.
    assert joerg.emails == ["j.weiss@tafel-nord.example", "joerg@weiss.example"]
    assert joerg.birthday is None  # Outlook's "0.0.00"


def test_every_csv_format_is_registered_and_parses_lazily():
    for name in ("linkedin", "google", "outlook", "csv", "eventbrite"):
        parser = get_parser(name)
        assert inspect.isgeneratorfunction(parser), name
        assert parser.__doc__


# --- Encodings (E4) ---------------------------------------------------------------------

# The checklist's mini-sample (cp1252, ";") plus a second row.
CONTACTS_TEXT = "Vorname;Nachname;E-Mail\r\nJürgen;Müller;j@example.de\r\nZoë;Château;z@x.fr\r\n"


@pytest.mark.parametrize(
    "encoded",
    [
        CONTACTS_TEXT.encode("utf-8"),
        CONTACTS_TEXT.encode("utf-8-sig"),
        CONTACTS_TEXT.encode("utf-16"),  # with a BOM, native order
        b"\xff\xfe" + CONTACTS_TEXT.encode("utf-16-le"),
        b"\xfe\xff" + CONTACTS_TEXT.encode("utf-16-be"),
        CONTACTS_TEXT.encode("utf-16-le"),  # no BOM: found by its NUL bytes
        CONTACTS_TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "cp1252"],
)
def test_every_encoding_gives_identical_records(encoded):
    people = read("outlook", encoded)

    assert [(p.first_name, p.last_name, p.emails) for p in people] == [
        ("Jürgen", "Müller", ["j@example.de"]),
        ("Zoë", "Château", ["z@x.fr"]),
    ]
    assert [p.line for p in people] == [2, 3]


def test_checklist_google_utf16_sample():
    text = (
        "Name,Given Name,E-mail 1 - Value,Group Membership\r\n"
        "Ada Lovelace,Ada,ada@example.com ::: ada2@example.com,* My Contacts ::: Work\r\n"
    )
    (ada,) = read("google", b"\xff\xfe" + text.encode("utf-16-le"))  # UTF-16 LE with BOM
    assert (ada.first_name, ada.last_name, ada.full_name) == ("", "", "Ada Lovelace")
    assert ada.emails == ["ada@example.com", "ada2@example.com"] and ada.tags == ["Work"]


def test_utf8_bom_does_not_stick_to_the_first_header():
    people = read(
        "linkedin",
        linkedin_file("Ada,Lovelace,,,,,", preamble=False).replace(
            b"First", b"\xef\xbb\xbfFirst", 1
        ),
    )
    assert people[0].first_name == "Ada"


def test_windows_1252_is_found_even_after_many_ascii_lines():
    rows = [f"Person{i},Plain{i},,,Org,Role,01 Feb 2022" for i in range(3000)]
    data = linkedin_file(*rows, "Zoë,Château,,,Café,Rôle,01 Feb 2022").decode().encode("cp1252")
    assert len(data) > 2 * csv_reader.CHUNK_SIZE

    people = read("linkedin", data)

    assert (people[-1].first_name, people[-1].organization) == ("Zoë", "Café")


def test_a_file_mixing_utf8_and_cp1252_is_refused_naming_the_line():
    data = linkedin_file("Zoë,Château,,,,,", "Jürgen,Müller,,,,,").replace(
        "Jürgen".encode(), "Jürgen".encode("cp1252")
    )
    error = error_of("linkedin", data)
    assert error.line == 6 and "encodings" in error.message


# --- Delimiters, preambles, headers (E3, E5, (b)) ----------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_read_from_the_header(delimiter):
    rows = [["First Name", "Last Name", "E-mail Address"], ["Ada", "Lovelace", "ada@example.com"]]
    text = "".join(delimiter.join(row) + "\n" for row in rows)
    (ada,) = read("outlook", text.encode())
    assert (ada.first_name, ada.last_name, ada.emails) == ("Ada", "Lovelace", ["ada@example.com"])


def test_one_column_email_file_with_the_generic_parser():
    data = b"Email\nada@example.com\ngrace@example.org\n"
    people = read("csv", data, {"Email": "email"})
    assert [(p.emails, p.full_name) for p in people] == [
        (["ada@example.com"], "ada@example.com"),
        (["grace@example.org"], "grace@example.org"),
    ]


def test_checklist_linkedin_preamble_sample():
    data = (
        b"Notes:\n"
        b'"When exporting your connection data, you may notice that some of the email '
        b'addresses are missing."\n\n'
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        b"Ada,Lovelace,https://www.linkedin.com/in/ada,,Analytical Engines,Founder,10 Dec 2015\n"
    )
    (ada,) = read("linkedin", data)
    assert (ada.line, ada.organization, ada.connected_on) == (
        5,
        "Analytical Engines",
        date(2015, 12, 10),
    )


def test_header_names_match_ignoring_case_spaces_and_punctuation_never_position():
    data = (
        b"connected_on,EMAIL-ADDRESS,  last name ,first   name,url\n"
        b"10 Dec 2015,a@b.org,Lovelace,Ada,\n"
    )
    (ada,) = read("linkedin", data)
    assert (ada.first_name, ada.last_name, ada.emails) == ("Ada", "Lovelace", ["a@b.org"])
    assert ada.connected_on == date(2015, 12, 10)


def test_a_missing_required_header_column_is_named():
    data = b"First Name,URL,Email Address,Company\nAda,,,\n"
    error = error_of("linkedin", data)
    assert (error.line, error.field) == (1, "Last Name")


def test_a_file_without_a_recognisable_header_is_refused():
    error = error_of("linkedin", b"foo,bar\n1,2\n")
    assert "No header row" in error.message


def test_an_empty_header_column_is_ignored():
    data = b"First Name,,Last Name,URL\nAda,x,Lovelace,\n"
    (ada,) = read("linkedin", data)
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")


# --- Row shapes ---------------------------------------------------------------------------


def test_extra_cells_are_ignored():
    data = linkedin_file("Ada,Lovelace,,ada@example.com,Engines,Founder,10 Dec 2015,extra,more")
    (ada,) = read("linkedin", data)
    assert (ada.emails, ada.connected_on) == (["ada@example.com"], date(2015, 12, 10))


def test_short_row_missing_only_optional_columns_is_fine():
    (ada,) = read("linkedin", linkedin_file("Ada,Lovelace"))
    assert (ada.first_name, ada.last_name, ada.organization) == ("Ada", "Lovelace", "")


def test_short_row_missing_a_required_column_is_named():
    error = error_of("linkedin", linkedin_file("Ada,Lovelace,,,,,", "Grace"))
    assert (error.line, error.field) == (6, "Last Name")


def test_blank_lines_and_empty_rows_are_skipped():
    people = read(
        "linkedin", linkedin_file("", "Ada,Lovelace,,,,,", ",,,,,,", "  ", "Grace,Hopper,,,,,")
    )
    assert [(p.first_name, p.line) for p in people] == [("Ada", 6), ("Grace", 9)]


def test_nul_bytes_are_dropped():
    (ada,) = read("linkedin", linkedin_file("Ada\x00,Love\x00lace,,,Engines,,"))
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")


# --- Line numbers, quoting --------------------------------------------------------------


def test_quoted_newlines_keep_line_numbers_right():
    data = (
        b"First Name,Last Name,E-mail 1 - Value,Notes\r\n"
        b'Ada,Lovelace,ada@example.com,"line one\r\nline two\r\nline three"\r\n'
        b"Grace,Hopper,not-an-email,\r\n"
    )
    error = error_of("google", data)
    assert (error.line, error.field) == (5, "E-mail 1 - Value")
    assert "not a valid e-mail" in error.message

    (ada,) = read("google", data.replace(b"not-an-email", b"grace@example.org"))[:1]
    assert ada.notes == "line one\nline two\nline three"  # line breaks come out as LF


def test_old_mac_cr_line_endings():
    data = linkedin_file("Ada,Lovelace,,,,,", "Grace,Hopper,,,,,", newline="\r")
    people = read("linkedin", data)
    assert [(p.first_name, p.line) for p in people] == [("Ada", 5), ("Grace", 6)]


def test_an_unclosed_quote_is_named_where_it_opens():
    data = linkedin_file(
        "Ada,Lovelace,,,Engines,Founder,", 'Grace,Hopper,,,"Navy,Admiral,', "Alan,Turing,,,,,"
    )
    error = error_of("linkedin", data)
    assert error.line == 6 and "never closed" in error.message


def test_text_after_a_closing_quote_is_refused():
    error = error_of("linkedin", linkedin_file('Ada,"Love"lace,,,,,'))
    assert error.line == 5 and "closing quote" in error.message


# --- E-mails ------------------------------------------------------------------------------


def test_a_bad_email_in_row_58_names_the_line_and_column():
    rows = [f"P{i},Q{i},,p{i}@example.org,,," for i in range(100)]
    rows[53] = "Bad,Row,,not an e-mail,,,"  # line 4 (header) + 54 = line 58
    error = error_of("linkedin", linkedin_file(*rows))
    assert (error.line, error.field) == (58, "Email Address")
    assert str(error).startswith("line 58, field “Email Address”")


def test_email_validation_accepts_unusual_but_valid_addresses():
    rows = [
        "A,B,,o'neil+tag@sub.example.co.uk,,,",
        "C,D,,MAILTO:x@example.org,,,",
        "E,F,,x@exämple.de,,,",
    ]
    people = read("linkedin", linkedin_file(*rows))
    assert [p.emails for p in people] == [
        ["o'neil+tag@sub.example.co.uk"],
        ["x@example.org"],
        ["x@exämple.de"],
    ]


@pytest.mark.parametrize("bad", ["a@b", "a..b@example.org", "@example.org", "a@exa mple.org"])
def test_malformed_emails_are_refused(bad):
    error = error_of("linkedin", linkedin_file(f"A,B,,{bad},,,"))
    assert error.field == "Email Address"


# --- Size limits (E6) -----------------------------------------------------------------------


def test_a_200_kb_note_is_fine():
    note = "x" * 200_000
    data = f'First Name,Last Name,Notes\nAda,Lovelace,"{note}"\n'.encode()
    (ada,) = read("google", data)
    assert len(ada.notes) == 200_000


def test_a_field_over_the_limit_names_its_line():
    huge = "x" * (csv_reader.FIELD_LIMIT + 1)
    data = f'First Name,Last Name,Notes\nAda,Lovelace,ok\nGrace,Hopper,"{huge}"\n'.encode()
    error = error_of("google", data)
    assert error.line == 3 and "limit" in error.message


def test_a_line_over_the_limit_without_newlines_is_refused(monkeypatch):
    monkeypatch.setattr(csv_reader, "LINE_LIMIT", 100_000)
    data = b"First Name,Last Name,Notes\nAda,Lovelace," + b"y" * 300_000
    error = error_of("google", data)
    assert error.line == 2 and "longer than" in error.message


# --- Not CSV at all, or nothing in it (E3) ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (random.Random(7).randbytes(4096), "binary"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"<!DOCTYPE html>\n<html><body>Sign in to LinkedIn</body></html>\n", "web page"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nEND:VCARD\r\n", "vCard"),
    ],
    ids=["empty", "blank", "random", "xlsx", "png", "pdf", "html", "vcard"],
)
def test_files_that_are_not_csv_are_refused_clearly(data, words):
    for fmt in ("linkedin", "google", "outlook", "eventbrite"):
        assert words in error_of(fmt, data).message
    assert words in error_of("csv", data, {"Email": "email"}).message


def test_a_header_without_rows_is_an_error_not_an_empty_success():
    error = error_of("linkedin", linkedin_file())
    assert "No contacts found" in error.message
    assert "No contacts found" in error_of("google", b"First Name,Last Name\r\n").message
    header_only = sample("eventbrite_attendees.csv").split(b"\r\n")[0] + b"\r\n"
    assert "No attendees found" in error_of("eventbrite", header_only).message


def test_rows_with_nothing_to_import_are_an_error_when_they_are_all_there_is():
    assert "No contacts found" in error_of("linkedin", linkedin_file(",,,,,,05 Mar 2024")).message


# --- LinkedIn ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/Ada-Lovelace/",
        "http://www.linkedin.com/in/ada-lovelace?trk=people-guest",
        "www.linkedin.com/in/ada-lovelace#top",
        "https://de.linkedin.com/in/ada-lovelace/",
        "linkedin.com/in/ADA-LOVELACE",
        "  https://m.linkedin.com/in/ada-lovelace  ",
        "https://www.linkedin.com/in/ada-lovelace/details/experience/",
        "https://www.linkedin.com/pub/ada-lovelace/1/2/3",
    ],
)
def test_linkedin_urls_are_normalized_for_dedupe(url):
    assert linkedin.normalize_linkedin_url(url) == "https://www.linkedin.com/in/ada-lovelace"


def test_non_latin_linkedin_slugs_compare_equal_encoded_or_not():
    encoded = linkedin.normalize_linkedin_url("https://www.linkedin.com/in/%E6%9D%8E%E4%BC%9F/")
    assert encoded == linkedin.normalize_linkedin_url("https://cn.linkedin.com/in/李伟")
    assert encoded == "https://www.linkedin.com/in/李伟"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/company/riverside",
        "https://www.linkedin.com/",
        "ftp://www.linkedin.com/in/ada",
        "https://linkedin.com.evil.example/in/ada",
        "https://evil-linkedin.com/in/ada",
    ],
)
def test_what_is_not_a_linkedin_profile(url):
    with pytest.raises(ValueError, match="not a LinkedIn profile"):
        linkedin.normalize_linkedin_url(url)


def test_a_url_that_is_not_linkedin_is_named():
    error = error_of("linkedin", linkedin_file("Ada,Lovelace,https://evil.example/in/ada,,,,"))
    assert (error.line, error.field) == (5, "URL")


def test_a_bad_connected_on_date_is_named():
    error = error_of("linkedin", linkedin_file("Ada,Lovelace,,,,,31 Feb 2024"))
    assert (error.line, error.field) == (5, "Connected On")


def test_a_connection_without_a_name_is_named_by_email_or_url():
    people = read(
        "linkedin", linkedin_file(",,,x@example.org,,,", ",,https://www.linkedin.com/in/x,,,,")
    )
    assert [p.full_name for p in people] == ["x@example.org", "https://www.linkedin.com/in/x"]


# --- Google ---------------------------------------------------------------------------


def test_google_labels_become_tags():
    value = "* myContacts ::: * starred ::: Nonprofits ::: * friends ::: * Coworkers ::: nonprofits"
    assert google.labels_to_tags(value) == ["Nonprofits", "Friends", "Coworkers"]


def test_google_multi_values_and_numbered_columns():
    data = (
        b"First Name,Last Name,E-mail 2 - Value,E-mail 1 - Value,Phone 1 - Value,"
        b"Website 1 - Value\n"
        b"Ada,Lovelace,c@x.org,a@x.org ::: b@x.org ::: A@x.org,+1 1 ::: +1 2,x.org ::: https://y.org\n"
    )
    (ada,) = read("google", data)
    assert ada.emails == ["a@x.org", "b@x.org", "c@x.org"]  # by number; repeats dropped
    assert ada.phones == ["+1 1", "+1 2"]
    assert ada.links == ["https://x.org", "https://y.org"]


def test_google_unsafe_website_is_refused():
    data = b"First Name,Website 1 - Value\nAda,javascript:alert(1)\n"
    error = error_of("google", data)
    assert (error.line, error.field) == (2, "Website 1 - Value")


def test_google_impossible_birthday_is_named():
    error = error_of("google", b"First Name,Birthday\nAda,--02-30\n")
    assert (error.line, error.field) == (2, "Birthday")


def test_google_contact_without_any_name_falls_back():
    data = (
        b"First Name,Last Name,Nickname,E-mail 1 - Value,Phone 1 - Value\n"
        b",,,x@example.org,\n"
        b",,,,+1 555\n"
    )
    people = read("google", data)
    assert [p.full_name for p in people] == ["x@example.org", "+1 555"]


def test_google_address_book_columns_fill_the_record_fields():
    data = (
        b"First Name,Middle Name,Last Name,Name Prefix,Name Suffix,Nickname,Gender,"
        b"Organization Name,Organization Department,Event 1 - Label,Event 1 - Value,"
        b"Event 2 - Label,Event 2 - Value\n"
        b"Jane,Quinn,Doe,Dr.,PhD,JJ,female,IBM,Accounting,Graduation,2001-05-01,"
        b"Anniversary,--06-12\n"
        b",Ann,Roe,,,,nonbinary,,,,,,\n"
    )
    jane, ann = read("google", data)
    assert (jane.first_name, jane.middle_name, jane.last_name) == ("Jane", "Quinn", "Doe")
    assert (jane.name_prefix, jane.name_suffix, jane.nickname) == ("Dr.", "PhD", "JJ")
    assert (jane.gender, jane.gender_identity) == ("F", "")
    assert (jane.organization, jane.department) == ("IBM", "Accounting")
    assert jane.anniversary == PartialDate(6, 12)
    # A middle name alone stands in for the first name; other words are an identity.
    assert (ann.first_name, ann.middle_name, ann.last_name) == ("Ann", "", "Roe")
    assert (ann.gender, ann.gender_identity, ann.anniversary) == ("", "nonbinary", None)


def test_google_impossible_anniversary_is_named():
    data = b"First Name,Event 1 - Type,Event 1 - Value\nAda,Anniversary,2001-02-30\n"
    error = error_of("google", data)
    assert (error.line, error.field) == (2, "Event 1 - Value")


# --- Outlook -----------------------------------------------------------------------------


def test_outlook_address_book_columns_fill_the_record_fields():
    data = (
        b"Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,"
        b"Gender,Anniversary\n"
        b"Dr.,Jane,Quinn,Doe,Jr.,IBM,Accounting,Auditor,Female,6/12/2010\n"
        b"Mr.,Sam,,Lee,,,Sales,,Unspecified,0/0/00\n"
    )
    jane, sam = read("outlook", data)
    assert (jane.name_prefix, jane.first_name, jane.middle_name) == ("Dr.", "Jane", "Quinn")
    assert (jane.last_name, jane.name_suffix) == ("Doe", "Jr.")
    assert (jane.organization, jane.department, jane.role) == ("IBM", "Accounting", "Auditor")
    assert (jane.gender, jane.anniversary) == ("F", PartialDate(6, 12, 2010))
    assert (sam.gender, sam.gender_identity, sam.anniversary) == ("", "", None)
    assert sam.department == ""  # no company to be a department of


@pytest.mark.parametrize(
    ("birthday", "expected"),
    [
        ("4/15/1985", PartialDate(4, 15, 1985)),
        ("15/4/1985", PartialDate(4, 15, 1985)),
        ("1985-04-15", PartialDate(4, 15, 1985)),
        ("0/0/00", None),
        ("", None),
    ],
)
def test_outlook_english_birthdays(birthday, expected):
    data = f"First Name,Last Name,Birthday\nAda,Lovelace,{birthday}\n".encode()
    assert read("outlook", data)[0].birthday == expected


def test_outlook_exchange_address_without_smtp_is_left_out():
    data = (
        b"First Name,E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address\n"
        b"Ada,/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=ada,EX,Ada,ada@example.org\n"
    )
    assert read("outlook", data)[0].emails == ["ada@example.org"]


def test_outlook_company_without_a_person_is_an_organization():
    data = (
        b"First Name,Last Name,Company,Business Phone,Web Page\n"
        b",,Stadtwerke,+49 1,stadtwerke.example\n"
    )
    (org,) = read("outlook", data)
    assert isinstance(org, OrganizationRecord)
    assert (org.name, org.phones, org.website) == (
        "Stadtwerke",
        ["+49 1"],
        "https://stadtwerke.example",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.org", "https://example.org"),
        ("example.org:8080/path", "https://example.org:8080/path"),
        ("HTTP://Example.org/A", "HTTP://Example.org/A"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        ("vbscript:msgbox(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("ftp://example.org/file", None),
        ("https://exa mple.org", None),
    ],
)
def test_links_must_be_web_addresses(value, expected):
    data = f"First Name,Website 1 - Value\nAda,{value}\n".encode()
    if expected is None:
        assert error_of("google", data).field == "Website 1 - Value"
    else:
        assert read("google", data)[0].links == [expected]


# --- Generic ------------------------------------------------------------------------------


def test_generic_mapping_reads_any_columns():
    data = (
        b"Given;Family;Mail;Org;Job;Labels;Remarks;Born;LinkedIn profile;Site\n"
        b'Ada;Lovelace;ada@x.org, ada2@x.org;Engines;Founder;"math; poetry";Hi;--12-10;'
        b"linkedin.com/in/Ada/;ada.example\n"
    )
    mapping = {
        "Given": "first_name",
        "Family": "last_name",
        "Mail": "email",
        "Org": "organization",
        "Job": "role",
        "Labels": "tags",
        "Remarks": "notes",
        "Born": "birthday",
        "LinkedIn profile": "linkedin",
        "Site": "link",
    }
    (ada,) = read("csv", data, mapping)
    assert (ada.first_name, ada.last_name, ada.organization, ada.role) == (
        "Ada",
        "Lovelace",
        "Engines",
        "Founder",
    )
    assert ada.emails == ["ada@x.org", "ada2@x.org"] and ada.tags == ["math", "poetry"]
    assert ada.birthday == PartialDate(12, 10) and ada.notes == "Hi"
    assert ada.external_ids == {"linkedin": "https://www.linkedin.com/in/ada"}
    assert ada.links == ["https://ada.example", "https://www.linkedin.com/in/ada"]


def test_generic_unknown_field_is_refused():
    error = error_of("csv", b"Name\nAda\n", {"Name": "nickname"})
    assert error.field == "Name" and "Unknown field" in error.message


def test_generic_mapping_without_name_or_email_is_refused():
    error = error_of("csv", b"Phone,Org\n1,x\n", {"Phone": "phone", "Org": "organization"})
    assert "Map at least one column to a name" in error.message


def test_generic_mapped_column_missing_from_the_file_is_named():
    error = error_of("csv", b"Name,Mail\nAda,a@x.org\n", {"Name": "full_name", "E-mail": "email"})
    assert (error.line, error.field) == (1, "E-mail")


def test_generic_row_with_data_but_no_name_is_named():
    data = b"Name,Email,Notes\nAda,,\n,,a note\n"
    error = error_of("csv", data, {"Name": "full_name", "Email": "email", "Notes": "notes"})
    assert (error.line, error.field) == (3, "Name")


def test_generic_organization_only_rows_become_organizations():
    data = b"Name,Organization,Website\n,Harbor Refugee Services,harbor.example\nAda,Engines,\n"
    mapping = {"Name": "full_name", "Organization": "organization", "Website": "link"}
    harbor, ada = read("csv", data, mapping)
    assert isinstance(harbor, OrganizationRecord) and harbor.website == "https://harbor.example"
    assert isinstance(ada, PersonRecord) and ada.organization == "Engines"


def test_generic_formula_guards_from_export_are_dropped():
    data = b"Name,Notes,Phone\n'=HYPERLINK(1),'@cmd,'+49 221 555\n''=still guarded,'tis kept,'-2\n"
    mapping = {"Name": "full_name", "Notes": "notes", "Phone": "phone"}
    first, second = read("csv", data, mapping)
    assert (first.full_name, first.notes, first.phones) == (
        "=HYPERLINK(1)",
        "@cmd",
        ["+49 221 555"],
    )
    assert (second.full_name, second.notes, second.phones) == (
        "'=still guarded",
        "'tis kept",
        ["-2"],
    )


def test_generic_reads_this_apps_export_columns_exactly():
    data = (
        "\ufeffFirst Name,Last Name,E-mails,Phones,Links,Tags,Birthday,Stage\n"
        'Ada,Lovelace,a@x.org ::: b@x.org,\'+44 1 ::: +44 2,x.org,"Food, Health ::: Arts",'
        "'--12-10,Active\n"
    ).encode()
    mapping = {
        "First Name": "first_name",
        "Last Name": "last_name",
        "E-mails": "emails",
        "Phones": "phones",
        "Links": "links",
        "Tags": "tags",
        "Birthday": "birthday",
        "Stage": "",  # not a person field: left out
    }
    (ada,) = read("csv", data, mapping)
    assert ada.emails == ["a@x.org", "b@x.org"] and ada.phones == ["+44 1", "+44 2"]
    assert ada.tags == ["Food, Health", "Arts"]  # a ` ::: ` cell is split on ` ::: ` only
    assert ada.links == ["https://x.org"] and ada.birthday == PartialDate(12, 10)
    suggested = generic.suggest_mapping(["E-mails", "Phones", "Links", "Addresses", "Stage"])
    assert suggested == {
        "E-mails": "email",
        "Phones": "phone",
        "Links": "link",
        "Addresses": "address",
    }


def test_generic_checklist_formula_sample_keeps_the_multiline_note():
    data = b'name,note\n"=HYPERLINK(""http://x/?""&A1,""c"")","line1\nline2"\n'
    (person,) = read("csv", data, {"name": "full_name", "note": "notes"})
    assert person.full_name == '=HYPERLINK("http://x/?"&A1,"c")'  # kept as text, never run
    assert person.notes == "line1\nline2"


def test_suggest_mapping_guesses_from_header_names():
    headers = [
        "First Name",
        "Last Name",
        "Title",
        "Job Title",
        "E-mail Address",
        "E-mail 2 Address",
        "Mobile Phone",
        "Company",
        "Categories",
        "Notes",
        "Birthday",
        "LinkedIn URL",
        "Web Page",
        "Connected On",
        "full_name",
    ]
    assert generic.suggest_mapping(headers) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Job Title": "role",
        "E-mail Address": "email",
        "E-mail 2 Address": "email",
        "Mobile Phone": "phone",
        "Company": "organization",
        "Categories": "tags",
        "Notes": "notes",
        "Birthday": "birthday",
        "LinkedIn URL": "linkedin",
        "Web Page": "link",
        "full_name": "full_name",
    }
    assert set(generic.suggest_mapping(["Vorname", "Nachname", "E-Mail-Adresse"]).values()) == {
        "first_name",
        "last_name",
        "email",
    }


# --- Eventbrite ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "checked_in", "rsvp", "checked"),
    [
        ("Attending", "No", "accepted", False),
        ("Checked In", "", "accepted", True),
        ("Not Attending", "No", "declined", False),
        ("Refunded", "No", "declined", False),
        ("Cancelled", "No", "declined", False),
        ("Waitlisted", "No", "unknown", False),
        ("", "Yes", "accepted", True),
    ],
)
def test_eventbrite_statuses(status, checked_in, rsvp, checked):
    header = "First Name,Last Name,Email,Attendee Status,Checked In\n"
    data = f"{header}Ada,L,a@x.org,{status},{checked_in}\n"
    (ada,) = read("eventbrite", data.encode())
    assert (ada.rsvp, ada.checked_in) == (rsvp, checked)


def test_eventbrite_bad_check_in_value_is_named():
    data = b"First Name,Last Name,Email,Checked In\nAda,L,a@x.org,maybe\n"
    error = error_of("eventbrite", data)
    assert (error.line, error.field) == (2, "Checked In")


# --- Robustness: only ParseError escapes ---------------------------------------------------

CSV_SAMPLES = [
    "linkedin_Connections.csv",
    "google_contacts.csv",
    "outlook_contacts_cp1252_semicolon.csv",
    "eventbrite_attendees.csv",
]
CSV_NOISE = st.binary(max_size=40) | st.sampled_from([b",", b";", b'"', b"\r\n", b"\x00", b" ::: "])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(CSV_SAMPLES),
    cut=st.integers(min_value=0, max_value=2000),
    noise=st.lists(st.tuples(st.integers(min_value=0, max_value=2000), CSV_NOISE), max_size=6),
)
def test_damaged_files_fail_only_with_parse_errors(name, cut, noise):
    data = bytearray(sample(name))
    for position, junk in noise:
        data[position:position] = junk
    data = bytes(data[: max(cut, 40)])
    for fmt in ("linkedin", "google", "outlook", "eventbrite", "csv"):
        try:
            read(fmt, data, {"First Name": "first_name", "Email": "email"})
        except ParseError as error:
            assert error.message


# --- Streaming and speed (E6) -------------------------------------------------------------


class CountingStream(io.BytesIO):
    """A binary stream that counts the bytes read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def linkedin_rows(count: int) -> bytes:
    rows = (
        f"First{i},Last{i},https://www.linkedin.com/in/person-{i},"
        f'{f"person{i}@example.org" if i % 2 else ""},"Org {i % 500}, Inc.",Role {i % 37},'
        "05 Mar 2024"
        for i in range(count)
    )
    return linkedin_file(*rows)


@pytest.fixture(scope="module")
def hundred_thousand_rows() -> bytes:
    return linkedin_rows(100_000)


def test_parsing_is_lazy_reading_the_first_record_reads_little(hundred_thousand_rows):
    stream = CountingStream(hundred_thousand_rows)

    records = linkedin.parse(stream, options=ParseOptions())
    assert isinstance(records, types.GeneratorType)
    assert stream.bytes_read == 0  # nothing happens until the first record is asked for

    first = next(records)
    assert (first.first_name, first.line) == ("First0", 5)
    assert stream.bytes_read <= 2 * csv_reader.CHUNK_SIZE < len(hundred_thousand_rows) / 50

    second = next(records)
    assert second.line == 6
    records.close()


def test_100k_rows_parse_in_well_under_two_seconds(hundred_thousand_rows):
    started = time.process_time()  # CPU time: not inflated by other processes on the box
    count, last = 0, None
    for record in linkedin.parse(io.BytesIO(hundred_thousand_rows), options=ParseOptions()):
        count, last = count + 1, record
    elapsed = time.process_time() - started

    assert count == 100_000 and last.line == 100_004
    assert last.external_ids["linkedin"] == "https://www.linkedin.com/in/person-99999"
    assert elapsed < 2.0, f"{elapsed:.2f} s"


def test_memory_stays_flat_with_file_size():
    def peak(data: bytes) -> int:
        tracemalloc.start()
        try:
            for _ in linkedin.parse(io.BytesIO(data), options=ParseOptions()):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    read("linkedin", linkedin_rows(10))  # warm up: imports and caches
    small, large = linkedin_rows(1_500), linkedin_rows(15_000)  # 160 kB and 1.6 MB
    small_peak, large_peak = peak(small), peak(large)

    assert large_peak < len(large) / 2
    assert large_peak < small_peak * 1.5  # ten times the rows, about the same peak


@pytest.mark.parametrize(
    ("chosen", "sample", "other", "column"),
    [
        ("google", "linkedin_Connections.csv", "linkedin", "Connected On"),
        ("outlook", "linkedin_Connections.csv", "linkedin", "Connected On"),
        ("eventbrite", "linkedin_Connections.csv", "linkedin", "Connected On"),
        ("linkedin", "eventbrite_attendees.csv", "eventbrite", "Order #"),
        ("google", "outlook_contacts_cp1252_semicolon.csv", "outlook", None),
        ("outlook", "eventbrite_attendees.csv", "eventbrite", "Order #"),
    ],
)
def test_another_platforms_export_is_refused_naming_the_format_to_choose(
    chosen, sample, other, column
):
    from followthrough.exchange.formats import registry

    data = (Path(__file__).parent / "data" / sample).read_bytes()
    with pytest.raises(ParseError) as refused:
        list(registry.parse(chosen, io.BytesIO(data), registry.ParseOptions()))
    # By its name on the form, and by the value the CLI takes.
    named = f"choose the {registry.label(other)} format ({other})."
    assert refused.value.message.endswith(named) and "This looks like" in refused.value.message
    if column:
        assert refused.value.field == column


def test_a_bad_row_is_yielded_as_a_problem_and_the_rows_after_it_are_read():
    from followthrough.exchange.formats.records import PersonRecord, RowProblem

    data = linkedin_file(
        "Ada,Obi,,ada@example.org,,,",
        "Bo,Lin,,not-an-address,,,",
        "Cy,Ray,,cy@example.org,,,31 Feb 2024",
        "Dee,Fox,,dee@example.org,,,",
    )
    records = list(parse("linkedin", io.BytesIO(data), ParseOptions()))
    assert [type(r).__name__ for r in records] == [
        "PersonRecord", "RowProblem", "RowProblem", "PersonRecord"
    ]  # fmt: skip
    bo, cy = records[1], records[2]
    assert isinstance(bo, RowProblem) and (bo.line, bo.field) == (6, "Email Address")
    assert isinstance(cy, RowProblem) and (cy.line, cy.field) == (7, "Connected On")
    assert isinstance(records[3], PersonRecord) and records[3].first_name == "Dee"
