"""Loading organizations: every field of a new one; a found one only gains what it lacks;
re-importing changes nothing; undo puts back what an import filled."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import OrganizationRecord
from followthrough.exchange.imports.result import ImportSource
from followthrough.exchange.imports.undo import import_undo
from followthrough.exchange.models import ImportBatch, ImportedObject
from followthrough.people.models import Organization, Tag
from tests.exchange.helpers import load, totals
from tests.factories import make_org

DATA = Path(__file__).parent / "data"
SOURCE = ImportSource("organizations", "partners.csv")
FIELDS = ("name", "website", "location", "mission", "offers", "needs", "feed_url", "notes")
FULL: dict[str, Any] = {
    "website": "https://riversidefoodbank.example",
    "location": "Riverside, CA",
    "mission": "Nobody in Riverside goes to bed hungry.",
    "offers": "Cold storage, a loading dock",
    "needs": "Drivers for Saturday pick-ups",
    "feed_url": "https://riversidefoodbank.example/feed/",
    "notes": "Met at the spring summit.",
    "tags": ["Food", "Hunger relief"],
}


def org(line: int, name: str, **kwargs: Any) -> OrganizationRecord:
    return OrganizationRecord(line=line, name=name, **kwargs)


def _load(workspace, records, **kwargs: Any):
    return load(workspace, records, source=SOURCE, **kwargs)


def _load_file(workspace, name: str):
    stream = io.BytesIO((DATA / name).read_bytes())
    return _load(workspace, registry.parse("organizations", stream))


def _values(organization: Organization) -> dict[str, Any]:
    organization.refresh_from_db()
    values = {name: getattr(organization, name) for name in (*FIELDS, "updated_at")}
    values["focus_areas"] = sorted(t.name for t in organization.focus_areas.all())
    return values


def test_it_creates_an_organization_with_every_field(workspace):
    result = _load(workspace, [org(2, "Riverside Food Bank", **FULL)])

    assert totals(result) == (1, 1, 0, 0, 0, 0)
    food = Organization.objects.get(workspace=workspace, name="Riverside Food Bank")
    assert {name: getattr(food, name) for name in FIELDS} == {
        "name": "Riverside Food Bank",
        **{name: value for name, value in FULL.items() if name != "tags"},
    }
    assert sorted(t.name for t in food.focus_areas.all()) == ["Food", "Hunger relief"]
    assert result.rows_created["people.organization"] == 1
    assert result.rows_created["people.organization_focus_areas"] == 2


@pytest.mark.parametrize(
    ("name", "count"), [("organizations_export.csv", 3), ("organizations_partner_list.csv", 3)]
)
def test_reimporting_the_same_file_changes_nothing(workspace, name, count):
    first = _load_file(workspace, name)
    assert totals(first)[:2] == (count, count)
    snapshot = [_values(o) for o in Organization.objects.filter(workspace=workspace)]

    second = _load_file(workspace, name)

    assert totals(second) == (count, 0, 0, 0, count, 0)
    assert [_values(o) for o in Organization.objects.filter(workspace=workspace)] == snapshot
    assert not ImportedObject.objects.filter(batch_id=second.batch_id).exists()


def test_a_found_organization_only_gains_what_it_lacks(workspace):
    literacy = make_org(
        workspace,
        name="Literacy Now, Inc.",
        website="https://literacynow.example",
        mission="Every adult can read.",
        notes="Known since 2019.",
        focus_areas=["Literacy"],
    )
    record = org(
        3,
        "LITERACY NOW, INC.",  # found by name, whatever the case
        website="https://elsewhere.example",
        location="Oakland",
        mission="A different mission.",
        offers="Reading rooms",
        needs="Tutors",
        feed_url="https://literacynow.example/feed",
        notes="Met at the fair.",
        tags=["literacy", "ESL"],
    )

    result = _load(workspace, [record])

    assert totals(result) == (1, 0, 1, 0, 0, 0)
    values = _values(literacy)
    assert {name: values[name] for name in FIELDS} == {
        "name": "Literacy Now, Inc.",
        "website": "https://literacynow.example",  # kept: it had one
        "location": "Oakland",
        "mission": "Every adult can read.",  # kept
        "offers": "Reading rooms",
        "needs": "Tutors",
        "feed_url": "https://literacynow.example/feed",
        "notes": "Known since 2019.\n\nMet at the fair.",  # new notes are appended
    }
    assert values["focus_areas"] == ["ESL", "Literacy"]
    assert Organization.objects.filter(workspace=workspace).count() == 2  # and the profile
    assert totals(_load(workspace, [record])) == (1, 0, 0, 0, 1, 0)


def test_notes_already_there_are_not_added_again_whatever_the_line_breaks(workspace):
    # A browser sends a textarea's line breaks as CRLF; a CSV read back has LF.
    make_org(workspace, name="Habitat Lyon", notes="Met at the fair.\r\nCall in May.")
    result = _load(workspace, [org(2, "Habitat Lyon", notes="Met at the fair.\nCall in May.")])
    assert totals(result) == (1, 0, 0, 0, 1, 0)


def test_undo_restores_what_the_import_filled_and_deletes_what_it_created(workspace):
    food = make_org(
        workspace, name="Riverside Food Bank", website="https://food.example", notes="Ours."
    )
    before = _values(food)
    records = [
        org(2, "riverside food bank", **FULL),
        org(3, "Harbor Refugee Services", mission="Welcome.", tags=["Refugees"]),
    ]
    result = _load(workspace, records)
    assert totals(result) == (2, 1, 1, 0, 0, 0)
    assert _values(food)["mission"] == FULL["mission"]

    undone = import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))

    assert _values(food) == before
    assert undone.restored["people.organization"] == 1
    assert not Organization.objects.filter(name="Harbor Refugee Services").exists()
    assert not Tag.objects.filter(workspace=workspace).exists()


def test_undo_restores_an_organization_changed_by_several_batches(workspace):
    food = make_org(workspace, name="Riverside Food Bank")
    before = _values(food)
    records = [
        org(2, "Riverside Food Bank", mission="Feed everyone."),
        org(3, "Riverside Food Bank", offers="Cold storage", notes="Second row."),
    ]
    result = _load(workspace, records, batch_size=1)
    values = _values(food)
    assert (values["mission"], values["offers"], values["notes"]) == (
        "Feed everyone.",
        "Cold storage",
        "Second row.",
    )

    import_undo(batch=ImportBatch.objects.get(pk=result.batch_id))

    assert _values(food) == before


def test_text_longer_than_its_column_is_cut_or_left_out_with_a_warning(workspace):
    for name in ("name", "location", "website", "feed_url"):
        assert Organization._meta.get_field(name).max_length == 200, name
    long_url = "https://example.org/" + "a" * 200
    record = org(
        2,
        "N" * 250,
        location="L" * 250,
        website=long_url,
        feed_url=long_url,
        mission="M" * 5_000,  # text columns have no limit
    )

    result = _load(workspace, [record])

    cut = Organization.objects.get(workspace=workspace, name="N" * 200)
    assert (cut.location, cut.website, cut.feed_url) == ("L" * 200, "", "")
    assert cut.mission == "M" * 5_000
    assert result.warnings == [
        "line 2: organization name cut to 200 characters",
        "line 2: website longer than 200 characters left out",
        "line 2: location cut to 200 characters",
        "line 2: news feed URL longer than 200 characters left out",
    ]


def test_a_first_address_stands_in_for_a_location_the_record_lacks(workspace):
    # vCard and Google give addresses, not a location.
    _load(
        workspace,
        [
            org(1, "GreenWorks Coalition", addresses=["12 Elm St, Springfield"]),
            org(2, "Tafel Nord", location="Hamburg", addresses=["Hafenstr. 1, Hamburg"]),
        ],
    )
    locations = dict(Organization.objects.values_list("name", "location"))
    assert locations["GreenWorks Coalition"] == "12 Elm St, Springfield"
    assert locations["Tafel Nord"] == "Hamburg"


def test_a_batch_of_organizations_costs_a_fixed_number_of_queries(workspace, other_workspace):
    def queries(target, count: int) -> int:
        for number in range(count):
            make_org(target, name=f"Existing {number}")
        records = [
            *(org(n, f"Existing {n}", mission="Filled.", tags=["Partner"]) for n in range(count)),
            *(org(count + n, f"New {n}", **FULL) for n in range(count)),
        ]
        with CaptureQueriesContext(connection) as captured:
            result = _load(target, records)
        assert totals(result) == (2 * count, count, count, 0, 0, 0)
        return len(captured)

    assert queries(workspace, 5) == queries(other_workspace, 50)


def test_reimporting_focus_areas_with_non_ascii_capitals_changes_nothing(workspace):
    # SQLite's LOWER() folds only ASCII: tags are matched lower-cased in Python.
    records = [org(2, "Фонд «Добро»", tags=["Жизнь"])]
    _load(workspace, records)
    assert totals(_load(workspace, records)) == (1, 0, 0, 0, 1, 0)
