"""The organizations CSV parser: our own export read back, and any list of organizations."""

from __future__ import annotations

import inspect
import io
from pathlib import Path

import pytest

from followthrough.exchange.formats import registry
from followthrough.exchange.formats.csv.writer import ORGANIZATION_COLUMNS
from followthrough.exchange.formats.records import OrganizationRecord, ParseError
from followthrough.exchange.formats.registry import FORMATS, ParseOptions, get_parser, parse
from followthrough.exchange.imports.forms import ImportForm
from tests.exchange.helpers import strictly

DATA = Path(__file__).parent / "data"
HEADER = ",".join(ORGANIZATION_COLUMNS)


def read(data: bytes) -> list[OrganizationRecord]:
    return strictly(parse("organizations", io.BytesIO(data), ParseOptions()))


def error_of(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as info:
        read(data)
    return info.value


def export_file(*rows: str) -> bytes:
    """A file shaped like `export csv --what organizations`: BOM, CRLF, our header."""
    return ("\ufeff" + "\r\n".join([HEADER, *rows, ""])).encode()


def test_it_is_registered_offered_on_the_web_and_parses_lazily():
    description = "Organizations CSV (a Followthrough export, or any list)"
    assert FORMATS["organizations"][1] == description
    assert ("organizations", description) in ImportForm.base_fields["format"].choices
    parser = get_parser("organizations")
    assert inspect.isgeneratorfunction(parser)
    assert parser.__doc__


def test_our_export_sample_gives_every_field():
    food, literacy, dobro = read((DATA / "organizations_export.csv").read_bytes())

    assert food == OrganizationRecord(
        line=2,
        name="Riverside Food Bank",
        website="https://riversidefoodbank.example",
        location="Riverside, CA",
        mission="Nobody in Riverside goes to bed hungry.",
        offers="Cold storage, a loading dock",
        needs="Drivers for Saturday pick-ups",
        tags=["Food", "Hunger relief"],
        feed_url="https://riversidefoodbank.example/feed/",
        notes='Met at the spring summit.\nAsk about the "Harvest" drive.',
    )
    assert literacy.line == 4  # the quoted newline above counts
    assert literacy.offers == "- Tutor training\n- Reading rooms"  # the formula guard goes
    assert literacy.needs == "+20 volunteers a month"
    # The export's own column is split on " ::: " only: a focus area may hold a comma.
    assert literacy.tags == ["Adult education, ESL", "Literacy"]
    assert (literacy.feed_url, literacy.notes) == ("", "")
    assert (dobro.line, dobro.name, dobro.location) == (6, "Фонд «Добро»", "Москва")
    assert dobro.tags == ["благотворительность"]


def test_a_partner_list_in_windows_1252_with_semicolons_and_a_preamble():
    cafe, tafel, habitat = read((DATA / "organizations_partner_list.csv").read_bytes())

    assert (cafe.line, cafe.name, cafe.location, cafe.mission) == (
        4,
        "Café Solidaire",
        "Lyon",
        "Repas à prix libre",
    )
    assert cafe.website == "https://cafesolidaire.example"  # a bare domain gains https://
    assert cafe.tags == ["Food", "Community"]  # "Categories" is any list's: , and ; split
    assert cafe.notes == "Ask for Zoë"
    assert (tafel.line, tafel.feed_url) == (6, "https://tafel-nord.example/feed")
    # Line 7 has data only in a column nobody reads: skipped like the blank line 5.
    assert (habitat.line, habitat.name, habitat.notes) == (8, "Habitat Lyon", "Met at the fair")


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (
            "Organization,URL,City,Description,Tags,Feed,Notes",
            "Harbor Refugee Services,harbor.example,Boston,Welcome,Refugees,harbor.example/rss,N",
        ),
        (
            "organisation;web site;address;about;categories;rss;notes",
            "Harbor Refugee Services;harbor.example;Boston;Welcome;Refugees;harbor.example/rss;N",
        ),
        (
            "Company\tHomepage\tLocation\tMission\tFocus\tNews Feed\tNotes",
            "Harbor Refugee Services\tharbor.example\tBoston\tWelcome\tRefugees\t"
            "harbor.example/rss\tN",
        ),
        (
            "COMPANY NAME|Web Site|Location|Mission|Focus Areas|RSS Feed|Notes",
            "Harbor Refugee Services|harbor.example|Boston|Welcome|Refugees|harbor.example/rss|N",
        ),
    ],
)
def test_header_synonyms_and_delimiters(header, row):
    (record,) = read(f"{header}\n{row}\n".encode())

    assert (record.name, record.website, record.location, record.mission) == (
        "Harbor Refugee Services",
        "https://harbor.example",
        "Boston",
        "Welcome",
    )
    assert (record.tags, record.feed_url, record.notes) == (
        ["Refugees"],
        "https://harbor.example/rss",
        "N",
    )


def test_columns_are_found_by_name_in_any_order_with_offers_and_needs():
    (record,) = read(b"Needs,Other,Offers,Name\nVolunteers,x,Rooms,Riverside Food Bank\n")
    assert (record.name, record.offers, record.needs) == (
        "Riverside Food Bank",
        "Rooms",
        "Volunteers",
    )


def test_a_one_column_list_of_names_is_enough():
    records = read(b"Organization\r\nRiverside Food Bank\r\n\r\nLiteracy Now\r\n")
    assert [(r.line, r.name) for r in records] == [(2, "Riverside Food Bank"), (4, "Literacy Now")]


@pytest.mark.parametrize(
    "encoded",
    [
        "Name,Location\r\nCafé Solidaire,Zürich\r\n".encode(),
        "Name,Location\r\nCafé Solidaire,Zürich\r\n".encode("utf-8-sig"),
        "Name,Location\r\nCafé Solidaire,Zürich\r\n".encode("utf-16"),
        "Name;Location\r\nCafé Solidaire;Zürich\r\n".encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252-semicolon"],
)
def test_every_encoding_gives_the_same_record(encoded):
    (record,) = read(encoded)
    assert (record.name, record.location) == ("Café Solidaire", "Zürich")


def test_the_bom_does_not_stick_to_the_name_column():
    (record,) = read(export_file("Riverside Food Bank,,,,,,,,"))
    assert record.name == "Riverside Food Bank"


def test_focus_areas_of_any_list_split_on_semicolons_and_commas_unless_it_uses_colons():
    records = read(
        b'Name,Tags\nA,"Food; Housing, Health"\nB,"Food, shelter ::: Health ::: food, shelter"\n'
    )
    assert [r.tags for r in records] == [["Food", "Housing", "Health"], ["Food, shelter", "Health"]]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("'=SUM(A1:A3)", "=SUM(A1:A3)"),
        ("'+49 30 1234", "+49 30 1234"),
        ("'-5 degrees", "-5 degrees"),
        ("'@home", "@home"),
        ("''=already guarded", "'=already guarded"),
        ("'tis the season", "'tis the season"),  # not a guard: kept
        ("O'Neill", "O'Neill"),
    ],
)
def test_formula_guards_of_our_export_are_removed_in_every_column(cell, value):
    cells = [cell] * len(ORGANIZATION_COLUMNS)
    cells[1] = cells[7] = ""  # website and feed must be web addresses
    (record,) = read(export_file(",".join(cells)))
    assert [record.name, record.location, record.mission, record.offers] == [value] * 4
    assert [record.needs, record.notes] == [value] * 2
    assert record.tags == [value]


def test_a_row_without_a_name_names_its_line_and_column():
    error = error_of(b"Organisation;City\nCaf\xe9;Lyon\n\n;Berlin\n")
    assert (error.line, error.field) == (4, "Organisation")
    assert "no organization name" in error.message


def test_a_header_without_a_name_column_is_named():
    error = error_of(b"Website,Location\nhttps://a.example,Lyon\n")
    assert (error.line, error.field) == (1, "Name")
    assert "no “Name” column" in error.message


def test_a_website_that_is_not_a_web_address_names_line_and_column():
    error = error_of(export_file("A,,,,,,,,", "B,ftp://files.example,,,,,,,"))
    assert (error.line, error.field) == (3, "Website")
    error = error_of(export_file("A,,,,,,,not a feed,"))
    assert (error.line, error.field) == (2, "News Feed")


def test_a_header_without_rows_is_an_error_not_an_empty_success():
    error = error_of(export_file(",,,,,,,,", ""))
    assert "No organizations found" in error.message


def test_a_file_that_is_not_csv_is_refused():
    assert "Excel workbook" in error_of(b"PK\x03\x04rest of a zip").message
    assert "No header row found" in error_of(b"just,some\nwords,here\n").message


def test_an_unclosed_quote_names_the_line_where_it_opens():
    error = error_of(export_file("A,,,,,,,,", 'B,,,"never closed,,,,,'))
    assert error.line == 3


@pytest.mark.parametrize(
    ("sample", "column", "other"),
    [
        ("linkedin_Connections.csv", "a “Connected On”", "linkedin"),
        ("google_contacts.csv", "an “E-mail 1 - Value”", "google"),
        ("outlook_contacts_cp1252_semicolon.csv", "an “E-mail 2 Address”", "outlook"),
        ("eventbrite_attendees.csv", "an “Order #”", "eventbrite"),
    ],
)
def test_a_contacts_export_is_refused_naming_its_format(sample, column, other):
    # They have a Company and a URL too: read as organizations, people's profiles would
    # become websites and their notes the organizations' notes.
    error = error_of((DATA / sample).read_bytes())
    assert f"it has {column} column), not an organizations one" in error.message
    assert error.message.endswith(f"choose the {registry.label(other)} format ({other}).")


def test_a_partner_list_with_a_column_a_contacts_export_also_has_is_kept():
    records = read(b"Name,Mission,Order\nHarbor Arts,Art for all,3\n")
    assert [r.name for r in records] == ["Harbor Arts"]
