"""The column-mapping step's logic (`exchange.imports.column_mapping`): the file's columns
and samples as the parser reads them, the mapping to start from, the checks, and saving a
mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.exchange.formats.csv import generic
from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.formats.registry import ParseOptions
from followthrough.exchange.imports import column_mapping
from followthrough.exchange.models import ColumnMapping

DATA = Path(__file__).parent / "data"


def _file(tmp_path, content: bytes, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_it_reads_a_cp1252_semicolon_file_with_its_accents():
    columns = column_mapping.read_columns(DATA / "mapping_cp1252_semicolon.csv")
    assert columns.delimiter == ";" and columns.header_line == 1
    assert columns.headers() == [
        "Vorname", "Familienname", "Mail", "Telefon", "Geburtstag", "Bemerkung",
    ]  # fmt: skip
    first, last, *_ = columns.columns
    assert first.samples == ("Jürgen", "Zoë", "Renée")  # three rows, in file order
    assert last.samples == ("Müller", "Château", "Öztürk")
    assert columns.columns[3].samples == ("+49 221 555 01", "+49 30 555 02")  # blanks left out


def test_the_utf8_bom_does_not_stick_to_the_first_column():
    columns = column_mapping.read_columns(DATA / "mapping_utf8_bom.csv")
    assert columns.delimiter == ","
    assert columns.headers()[0] == "Contact"
    assert columns.columns[0].samples == ("Ada Lovelace", "Grace Hopper", "Zoë Château")
    assert columns.columns[4].samples == ("math; history", "compilers")


def test_a_one_cell_preamble_is_skipped_as_the_parser_skips_it():
    columns = column_mapping.read_columns(DATA / "linkedin_Connections.csv")
    assert columns.header_line == 4
    assert columns.headers()[:3] == ["First Name", "Last Name", "URL"]


def test_a_one_column_list_of_addresses_is_one_column(tmp_path):
    path = _file(tmp_path, b"\n\nEmail\nada@example.org\ngrace@example.org\n")
    columns = column_mapping.read_columns(path)
    assert columns.headers() == ["Email"]
    assert columns.header_line == 3
    assert columns.columns[0].samples == ("ada@example.org", "grace@example.org")


def test_columns_the_parser_cannot_tell_apart_are_not_offered(tmp_path):
    path = _file(tmp_path, b"Name,E-mail,,email\nAda,ada@example.org,x,other@example.org\n")
    columns = column_mapping.read_columns(path)
    assert columns.headers() == ["Name", "E-mail"]
    assert columns.columns[2].unreadable_because == "it has no name"
    assert columns.columns[3].unreadable_because == "it has the same name as column “E-mail”"


def test_long_values_are_shortened_and_a_damaged_row_ends_the_samples(tmp_path):
    long = "x" * 200
    path = _file(tmp_path, f'Name,Notes\nAda,{long}\n"Broken,"oops\nGrace,ok\n'.encode())
    columns = column_mapping.read_columns(path)
    notes = columns.columns[1]
    assert notes.samples == ("x" * (column_mapping.SAMPLE_CHARS - 1) + "…",)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n", "vCard"),
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        (b"\n\n;;;\n", "No column names"),
    ],
)
def test_what_is_not_a_csv_file_is_refused_saying_why(tmp_path, content, words):
    with pytest.raises(ParseError, match=words):
        column_mapping.read_columns(_file(tmp_path, content))


def test_it_starts_from_the_parsers_suggestion():
    columns = column_mapping.read_columns(DATA / "mapping_cp1252_semicolon.csv")
    start, missing = column_mapping.initial_mapping(columns, None)
    assert start == {
        "Vorname": "first_name",
        "Familienname": "",  # not a name the suggestion knows
        "Mail": "email",
        "Telefon": "phone",
        "Geburtstag": "birthday",
        "Bemerkung": "",
    }
    assert missing == []


def test_columns_whose_header_says_nothing_are_suggested_by_their_values(tmp_path):
    content = (
        "Who;Reach them at;Profile;Site;Met at;Also mail\r\n"
        "Amara Nwosu;amara@riverside.example;linkedin.com/in/amara;https://a.example;Gala;"
        "a2@x.example\r\n"
        "Tomás Ortega;tomas@literacy.example;https://www.linkedin.com/in/tomas/;"
        "www.t.example;Fair;not an address\r\n"
    ).encode()
    columns = column_mapping.read_columns(_file(tmp_path, content))
    start, _ = column_mapping.initial_mapping(columns, None)
    assert start == {
        "Who": "",  # names and notes look alike: left to the user
        "Reach them at": "email",
        "Profile": "linkedin",
        "Site": "link",
        "Met at": "",
        "Also mail": "",  # one value is no e-mail address
    }


def test_a_given_mapping_is_followed_exactly_and_what_the_file_lacks_is_named():
    columns = column_mapping.read_columns(DATA / "mapping_cp1252_semicolon.csv")
    saved = {"vorname": "first_name", "FAMILIENNAME": "last_name", "E-Mail": "email", "X": ""}
    start, missing = column_mapping.initial_mapping(columns, saved)
    assert start["Vorname"] == "first_name" and start["Familienname"] == "last_name"
    assert start["Mail"] == "" and start["Telefon"] == ""  # not in the mapping: ignored
    assert missing == ["E-Mail"]  # an ignored column the file lacks is no loss


def test_a_mapping_without_name_or_email_is_refused_naming_the_fields():
    (problem,) = column_mapping.check_mapping({"Telefon": "phone", "Bemerkung": ""})
    assert problem.column == ""
    assert "First name, Last name, Full name" in problem.message
    assert "E-mail" in problem.message
    assert column_mapping.check_mapping({"Mail": "email"}) == []
    assert column_mapping.check_mapping({"Mail": "emails"}) == []  # the export's plural counts


def test_a_one_value_field_from_two_columns_names_both():
    problems = column_mapping.check_mapping(
        {"Vorname": "first_name", "Geburtstag": "birthday", "DOB": "birthday"}
    )
    assert [p.column for p in problems] == ["DOB"]
    assert "“Geburtstag” and “DOB”" in problems[0].message
    assert "Birthday" in problems[0].message


@pytest.mark.parametrize("field", sorted(generic.FIELDS))
def test_one_column_fields_are_those_the_parser_refuses_twice(tmp_path, field):
    path = _file(tmp_path, b"A,B,Mail\n")
    options = ParseOptions(mapping={"A": field, "B": field, "Mail": "email"})
    with path.open("rb") as stream, pytest.raises(ParseError) as refused:
        list(generic.parse(stream, options=options))
    refused_twice = "Only one column" in refused.value.message
    assert refused_twice == (field in column_mapping.ONE_COLUMN_FIELDS)


def test_every_field_has_a_short_label_and_plural_fields_are_offered_only_when_set():
    assert set(column_mapping.FIELD_LABELS) == set(generic.FIELDS)
    assert set(column_mapping.ALIAS_LABELS) == set(generic.ALIASES)
    values = [value for value, _ in column_mapping.field_choices()]
    assert values == ["", *generic.FIELDS]
    assert [value for value, _ in column_mapping.field_choices("emails")][-1] == "emails"


def test_saving_a_mapping_creates_it_then_updates_it_by_name(workspace, other_workspace):
    first = column_mapping.column_mapping_save(
        workspace=workspace, name=" Tafel ", mapping={"Mail": "email", "Notiz": ""}
    )
    assert (first.name, first.mapping) == ("Tafel", {"Mail": "email", "Notiz": ""})
    column_mapping.column_mapping_save(
        workspace=other_workspace, name="Tafel", mapping={"E": "email"}
    )
    again = column_mapping.column_mapping_save(
        workspace=workspace, name="Tafel", mapping={"Mail": "email", "Name": "full_name"}
    )
    assert again.pk == first.pk
    assert ColumnMapping.objects.get(pk=first.pk).mapping == {
        "Mail": "email",
        "Name": "full_name",
    }
    assert ColumnMapping.objects.filter(name="Tafel").count() == 2  # one per workspace
