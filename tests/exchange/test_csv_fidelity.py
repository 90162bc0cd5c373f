"""CSV files real tools write are read, not refused (issue 13): every "Connected On"
layout LinkedIn has used, day-first Outlook birthdays, Thunderbird's three birthday
columns, international e-mail addresses; what is guessed or left out is listed in the
result with its line."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from followthrough.exchange.formats import registry
from followthrough.exchange.formats.csv.cells import valid_email
from followthrough.exchange.formats.csv.generic import suggest_mapping
from followthrough.exchange.formats.records import PartialDate, PersonRecord, RowProblem
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from followthrough.people.models import Person

DATA = Path(__file__).parent / "data" / "csv"


def _records(format_name: str, name: str, **options) -> list[PersonRecord]:
    data = (DATA / name).read_bytes()
    parsed = registry.parse(format_name, io.BytesIO(data), registry.ParseOptions(**options))
    return [r for r in parsed if isinstance(r, PersonRecord)]


def test_linkedin_connected_on_in_every_layout_linkedin_used():
    people = _records("linkedin", "linkedin_connected_on_old_layouts.csv")

    assert [p.connected_on for p in people] == [
        date(2026, 1, 5),  # 5-Jan-26
        date(2018, 1, 8),  # "1/8/18, 6:14 PM": US month/day
        date(2026, 1, 5),  # 05 Jan 2026
        date(2026, 1, 5),  # 2026-01-05
        date(2018, 1, 8),  # 1/8/2018
    ]


def test_linkedin_connected_on_that_is_no_date_is_still_refused_at_its_cell():
    data = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    data += b"Ada,L,https://www.linkedin.com/in/ada,,,,sometime\r\n"
    (problem,) = registry.parse("linkedin", io.BytesIO(data), registry.ParseOptions())
    assert isinstance(problem, RowProblem)
    assert (problem.line, problem.field) == (2, "Connected On")
    assert "sometime" in problem.message


def test_outlook_day_first_birthdays_are_read_and_ambiguous_ones_warned(workspace):
    people = _records("outlook", "outlook_birthday_day_first_uk.csv")

    assert [p.birthday for p in people] == [
        PartialDate(month=3, day=4, year=1991),  # nothing yet says day first: US
        PartialDate(month=1, day=20, year=1991),  # unambiguous: day first
        PartialDate(month=6, day=5, year=1988),  # the file has shown it is day first
        PartialDate(month=7, day=7, year=1970),
    ]
    result = import_records(
        workspace=workspace, records=people, source=ImportSource("outlook", "c.csv")
    )
    assert result.warnings == [
        "line 2: birthday “03/04/1991” is ambiguous: read as month/day/year (4 March)",
        "line 4: birthday “05/06/1988” is ambiguous: read as day/month/year (5 June)",
    ]


def test_thunderbird_birth_day_month_year_columns_make_one_birthday(workspace):
    header = (DATA / "thunderbird_birth_day_month_year_columns.csv").read_text("utf-8-sig")
    mapping = suggest_mapping(header.splitlines()[0].split(","))
    assert (mapping["Birth Day"], mapping["Birth Month"], mapping["Birth Year"]) == (
        "birth_day",
        "birth_month",
        "birth_year",
    )
    assert mapping["Primary Email"] == "email"

    people = _records("csv", "thunderbird_birth_day_month_year_columns.csv", mapping=mapping)
    assert [p.birthday for p in people] == [
        PartialDate(month=12, day=10, year=1815),
        PartialDate(month=1, day=20),
        None,
    ]
    result = import_records(
        workspace=workspace, records=people, source=ImportSource("csv", "thunderbird.csv")
    )
    assert result.warnings == [
        "line 4: a birthday without its day or month cannot be kept: left out"
    ]
    kenji = Person.objects.get(workspace=workspace, first_name="Kenji")
    assert kenji.contact_points.get(kind="email").value == "警察@brown.org"


def test_impossible_birth_day_columns_are_refused_at_the_day_column():
    data = b"First Name,Birth Year,Birth Month,Birth Day\r\nAda,1815,2,31\r\n"
    mapping = {"First Name": "first_name", "Birth Year": "birth_year"}
    mapping |= {"Birth Month": "birth_month", "Birth Day": "birth_day"}
    options = registry.ParseOptions(mapping=mapping)
    (problem,) = registry.parse("csv", io.BytesIO(data), options)
    assert isinstance(problem, RowProblem)
    assert (problem.line, problem.field) == (2, "Birth Day")


@pytest.mark.parametrize(
    "address",
    ["警察@brown.org", "user@例え.jp", "José.Núñez@correo.es", '"john doe"@example.org'],
)
def test_international_and_quoted_addresses_are_valid(address):
    assert valid_email(address) == address


@pytest.mark.parametrize("address", ["not an address", "a@", "@b.org", "a..b@c.org", "a b@c.org"])
def test_malformed_addresses_are_still_refused(address):
    assert valid_email(address) is None
