"""Round trip through Followthrough's own organizations CSV: export, import into a new
workspace, export again — the two files are identical, byte for byte, for generated
organizations with awkward text (commas, quotes, line breaks, cells that would start a
formula, any script) and focus areas.

The new workspace has the source's name, so its own profile (an organization of that
name, the first row of both exports) is found by name and gains the source profile's
fields: the fill-if-empty path is part of the trip.
"""

from __future__ import annotations

import io
import operator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.csv_export import organizations_csv
from followthrough.exchange.formats import registry
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from followthrough.people.services import organization_update
from tests.factories import make_org, make_workspace

WORKSPACE_NAME = "Riverside Literacy"

# Cells the export guards with a `'` (or that look guarded already) are the interesting ones.
START = st.sampled_from(["", "", "", "=", "+", "-", "@", "'", "'=", "''+", "-- "])


def _awkward(body: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(operator.add, START, body).map(str.strip)


# Line breaks are LF: a CSV reader gives CR back as LF, by design.
TEXT = _awkward(
    st.text(
        alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"], include_characters="\n\t"),
        max_size=80,
    )
)
NAME = _awkward(
    st.text(alphabet=st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=40)
).filter(lambda name: name and name.lower() != WORKSPACE_NAME.lower())
URL = st.one_of(
    st.just(""),
    st.builds(
        "{}://{}.example/{}".format,
        st.sampled_from(["http", "https"]),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_/?=&%.", max_size=15),
    ),
)
# A focus area holds no ":" (the export joins them with " ::: "); one organization's are
# unique ignoring case, as the directory keeps them.
FOCUS_AREA = (
    st.text(
        alphabet=st.characters(categories=["L", "N", "Zs", "Pd", "Po"], exclude_characters=":"),
        min_size=1,
        max_size=15,
    )
    .map(str.strip)
    .filter(bool)
)
PROFILE = st.fixed_dictionaries(
    {
        "website": URL,
        "location": TEXT,
        "mission": TEXT,
        "offers": TEXT,
        "needs": TEXT,
        "feed_url": URL,
        "notes": TEXT,
        "focus_areas": st.lists(FOCUS_AREA, max_size=3, unique_by=str.casefold),
    }
)
ORGANIZATIONS = st.lists(
    st.builds(lambda name, fields: {"name": name, **fields}, NAME, PROFILE),
    min_size=1,
    max_size=4,
    unique_by=lambda organization: organization["name"].lower(),  # names are matched so
)


def _export(workspace) -> str:
    return "".join(organizations_csv(workspace=workspace))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(organizations=ORGANIZATIONS, profile=PROFILE)
def test_organizations_csv_export_imports_back_unchanged(db, organizations, profile):
    source = make_workspace(WORKSPACE_NAME)
    organization_update(organization=source.organization, **profile)
    for organization in organizations:
        make_org(source, **organization)
    exported = _export(source)

    target = make_workspace(WORKSPACE_NAME)
    records = registry.parse("organizations", io.BytesIO(exported.encode()))
    result = import_records(
        workspace=target, records=records, source=ImportSource("organizations", "orgs.csv")
    )

    assert _export(target) == exported
    assert result.created == len(organizations)
    assert not result.warnings
