"""The real-world corpus (tests/exchange/corpus/): every calendar and address book gathered
from other projects' public test suites imports, in a dry run, exactly as expected.json
says — so a change in what any real file yields (more or fewer records, a refusal, a new
warning) shows up here and is reviewed (`python tests/exchange/corpus/record_expected.py`
rewrites expected.json; the diff is the review).

Also: the corpus is as large and as varied as issue 13 asks, and every file names its
origin and a licence that lets us carry it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from followthrough.exchange.formats import registry
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportFailed, ImportSource
from tests.factories import make_user, make_workspace

CORPUS = Path(__file__).parent / "corpus"
SOURCES = json.loads((CORPUS / "SOURCES.json").read_text())
EXPECTED_FILE = CORPUS / "expected.json"
EXPECTED: dict[str, dict[str, Any]] = (
    json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.exists() else {}
)
FORMATS = {".ics": "ics", ".vcf": "vcard"}
FILES = sorted(
    path.relative_to(CORPUS).as_posix()
    for path in CORPUS.glob("*/*")
    if path.suffix.lower() in FORMATS
)
# Licences whose terms let an AGPL-3.0-or-later project carry the files (with the notice).
ALLOWED_LICENCES = {
    "MIT",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "Apache-2.0",
    "MPL-2.0",
    "LGPL-2.1-only OR MPL-2.0",
}
# pytest-django sets up the test database only for a run holding a test marked so.
pytestmark = pytest.mark.django_db
LABELS = {
    "people.person": "people",
    "people.organization": "organizations",
    "events.event": "events",
}


def outcome(workspace: Any, name: str) -> dict[str, Any]:
    """What a dry-run import of one corpus file does, as expected.json writes it. Floating
    times are read in UTC so the outcome does not depend on the workspace's zone."""
    path = CORPUS / name
    fmt = FORMATS[path.suffix.lower()]
    options = registry.ParseOptions(time_zone="UTC")
    try:
        with path.open("rb") as stream:
            result = import_records(
                workspace=workspace,
                records=registry.parse(fmt, stream, options),
                source=ImportSource(fmt, path.name),
                dry_run=True,
            )
    except ImportFailed as error:
        return {"outcome": "refused", "message": str(error).splitlines()[0]}
    except Exception as error:  # a crash is an outcome too, and the worst one
        return {"outcome": "crashed", "message": f"{type(error).__name__}: {error}"[:300]}
    new = {LABELS[label]: count for label, count in result.rows_created.items() if label in LABELS}
    return {
        "outcome": "imported",
        "read": result.read,
        "people": new.get("people", 0),
        "organizations": new.get("organizations", 0),
        "events": new.get("events", 0),
        "ignored": result.ignored,
        "warnings": result.warnings_total,
    }


@pytest.fixture(scope="module")
def outcomes(django_db_setup, django_db_blocker) -> dict[str, dict[str, Any]]:
    """Every file's outcome, each a dry run into one fresh workspace (a dry run saves
    nothing, so no file sees another's records); the workspace is rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        workspace = make_workspace("Corpus", owner=make_user("corpus@example.org"))
        found = {name: outcome(workspace, name) for name in FILES}
        transaction.set_rollback(True)
    if os.environ.get("CORPUS_RECORD"):
        EXPECTED_FILE.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n")
    return found


@pytest.mark.parametrize("name", FILES)
def test_each_file_imports_as_expected(outcomes, name):
    assert name in EXPECTED, f"{name} has no expected outcome: run record_expected.py"
    assert outcomes[name] == EXPECTED[name]


def test_no_file_crashes_the_importer(outcomes):
    assert [name for name, found in outcomes.items() if found["outcome"] == "crashed"] == []


def test_expected_names_only_files_that_exist():
    assert sorted(EXPECTED) == FILES


def test_the_corpus_is_large_and_varied():
    kinds = Counter(Path(name).suffix.lower() for name in FILES)
    assert kinds[".ics"] >= 150
    assert kinds[".vcf"] >= 60
    real = {
        entry["producer"]
        for entry in SOURCES["files"].values()
        if "hand-written" not in entry["producer"]
    }
    assert len(real) >= 8, real


def test_every_file_names_its_origin_and_an_allowed_licence():
    assert sorted(SOURCES["files"]) == FILES
    for name in FILES:
        source = SOURCES["sources"][name.split("/", 1)[0]]
        assert source["repository"].startswith("https://github.com/"), name
        assert len(source["commit"]) == 40, name
        assert source["licence"] in ALLOWED_LICENCES, name
        assert (CORPUS / source["licence_file"]).is_file(), name
        assert SOURCES["files"][name]["path"], name
        assert SOURCES["files"][name]["producer"], name
