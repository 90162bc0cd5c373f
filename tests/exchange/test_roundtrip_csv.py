"""Round trip through Followthrough's own people CSV: export, import into an empty
workspace with the export's own column mapping, export again — the person columns come
back identical, for generated people with awkward text."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.csv_export import people_csv
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.csv.writer import PEOPLE_COLUMNS
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from tests.factories import make_org, make_person, make_workspace

# The columns the importer reads back (the rest describe the relationship, which a new
# workspace starts afresh).
PERSON_COLUMNS = [header for header, field in PEOPLE_COLUMNS.items() if field]

NAME = (
    st.text(
        alphabet=st.characters(categories=["L", "Nd", "Zs", "Pd", "Po"], exclude_characters=":"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
EMAIL = st.builds(
    "{}@{}.org".format,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10),
)
TAG = st.text(alphabet=st.characters(categories=["L", "Nd"]), min_size=1, max_size=15)
PERSON = st.fixed_dictionaries(
    {
        "first_name": NAME,
        "last_name": NAME,
        "emails": st.lists(EMAIL, min_size=1, max_size=2, unique=True),
        "tags": st.lists(TAG, max_size=3, unique_by=str.lower),
        "notes": st.text(
            alphabet=st.characters(categories=["L", "Nd", "Zs", "Po", "Sm"]), max_size=60
        ).map(str.strip),
        "role": NAME,
        # Always set: an import gives a person without a headline their role as one
        # (clean.py), so an empty headline would not come back empty — by design.
        "headline": NAME,
    }
)


def _export(workspace) -> str:
    return "".join(people_csv(workspace=workspace))


def _person_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return sorted(({c: row[c] for c in PERSON_COLUMNS} for row in reader), key=str)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(people=st.lists(PERSON, min_size=1, max_size=4))
def test_people_csv_export_imports_back_unchanged(db, people):
    source = make_workspace()
    organization = make_org(source, name="Riverside Food Bank")
    for number, person in enumerate(people):
        # Each person's own addresses, so the people of one file never match each other.
        emails = [f"p{number}.{email}" for email in person["emails"]]
        make_person(source, organization=organization, **{**person, "emails": emails})
    exported = _export(source)

    target = make_workspace()
    records = registry.parse(
        "csv", io.BytesIO(exported.encode()), registry.ParseOptions(mapping=PEOPLE_COLUMNS)
    )
    import_records(workspace=target, records=records, source=ImportSource("csv", "people.csv"))
    assert _person_rows(_export(target)) == _person_rows(exported)
