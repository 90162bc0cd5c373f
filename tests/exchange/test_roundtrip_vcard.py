"""Round trip through vCard: export a workspace's people, import the file into an empty
workspace, export again — the cards read back the same, in 3.0 and 4.0."""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.vcard_export import vcards
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import PersonRecord
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from tests.exchange.test_roundtrip_csv import PERSON
from tests.factories import make_org, make_person, make_workspace


def _export(workspace, version: str) -> bytes:
    return "".join(vcards(workspace=workspace, version=version)).encode()


def _people(data: bytes) -> list[dict]:
    """The person cards as comparable dicts (line numbers left out)."""
    records = registry.parse("vcard", io.BytesIO(data), registry.ParseOptions())
    people = [
        {k: v for k, v in dataclasses.asdict(r).items() if k not in ("line",)}
        for r in records
        if isinstance(r, PersonRecord)
    ]
    return sorted(people, key=str)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(people=st.lists(PERSON, min_size=1, max_size=3))
def test_vcard_export_imports_back_unchanged(db, version, people):
    source = make_workspace()
    organization = make_org(source, name="Riverside Food Bank")
    for number, person in enumerate(people):
        emails = [f"p{number}.{email}" for email in person["emails"]]
        make_person(source, organization=organization, **{**person, "emails": emails})
    exported = _export(source, version)

    target = make_workspace()
    records = registry.parse("vcard", io.BytesIO(exported), registry.ParseOptions())
    import_records(workspace=target, records=records, source=ImportSource("vcard", "p.vcf"))
    assert _people(_export(target, version)) == _people(exported)
