"""The commands a script uses to ask for partners: workspace, profile, partners."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from followthrough.people.models import Organization
from followthrough.workspaces.models import Workspace
from tests.factories import make_org


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


PROFILE = {
    "name": "Harbor Mutual Aid",
    "mission": "Neighbors helping neighbors get food and rides.",
    "focus_areas": ["food security"],
    "offers": ["volunteer drivers"],
    "needs": "cold storage\nSpanish-speaking volunteers",
    "city": "Harbor City",
}


def test_a_script_starts_clean_sets_the_profile_and_gets_partners(db, tmp_path):
    assert "Created workspace “Harbor” at /w/harbor/." in _run(
        "workspace", "create", "harbor", "--name", "Harbor"
    )
    assert "harbor\tHarbor\t0 members" in _run("workspace", "list")
    profile = tmp_path / "own.json"
    profile.write_text(json.dumps(PROFILE))
    _run("profile", "set", "--from-json", str(profile), "--workspace", "harbor")
    workspace = Workspace.objects.get(slug="harbor")
    own = Organization.objects.get(pk=workspace.organization_id)
    assert (own.name, own.location, own.needs) == (
        "Harbor Mutual Aid",
        "Harbor City",
        "cold storage\nSpanish-speaking volunteers",
    )
    make_org(workspace, name="Eastport Food Bank", offers="a walk-in freezer", needs="drivers")
    make_org(workspace, name="Chess Club", offers="chess boards")
    rows = json.loads(_run("partners", "--workspace", "harbor", "--json"))
    assert [row["name"] for row in rows] == ["Eastport Food Bank"]
    assert rows[0]["reasons"][:2] == [
        "they offer a walk-in freezer — you need cold storage",
        "you offer volunteer drivers — they need drivers",
    ]
    assert rows[0]["score"] > 0
    assert "1. Eastport Food Bank" in _run("partners", "--workspace", "harbor")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mission": 5}, "“mission” must be a text"),
        ({"offers": [1]}, "“offers” must be a list of texts"),
        ({"colour": "red"}, "Unknown key colour"),
        ({"city": "x" * 201}, "“city” is longer than 200 characters"),
    ],
)
def test_a_bad_profile_is_refused_by_key_and_writes_nothing(db, tmp_path, data, message):
    _run("workspace", "create", "harbor")
    before = list(Organization.objects.values_list("name", "mission", "location"))
    path = tmp_path / "own.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=message):
        _run("profile", "set", "--from-json", str(path))
    assert list(Organization.objects.values_list("name", "mission", "location")) == before


def test_partners_ask_for_a_profile_first_and_slugs_are_checked(db):
    _run("workspace", "create", "harbor")
    with pytest.raises(CommandError, match="own profile is empty"):
        _run("partners")
    with pytest.raises(CommandError, match="has capitals"):
        _run("workspace", "create", "Harbor")
    with pytest.raises(CommandError, match="already exists"):
        _run("workspace", "create", "harbor")


def test_the_engine_can_be_chosen_per_run_and_is_checked(db, tmp_path, monkeypatch):
    from followthrough.matching import engines

    _run("workspace", "create", "harbor")
    profile = tmp_path / "own.json"
    profile.write_text(json.dumps(PROFILE))
    _run("profile", "set", "--from-json", str(profile), "--workspace", "harbor")
    make_org(Workspace.objects.get(slug="harbor"), name="Freezers", offers="cold storage")
    rows = json.loads(_run("partners", "--json", "--engine", "lexical"))
    assert [row["name"] for row in rows] == ["Freezers"]
    with pytest.raises(CommandError, match="invalid choice"):
        _run("partners", "--engine", "magic")
    monkeypatch.setattr(engines, "semantic_available", lambda: False)
    import followthrough.site.management.commands.partners as command

    monkeypatch.setattr(command, "semantic_available", lambda: False)
    with pytest.raises(CommandError, match="needs the semantic extra"):
        _run("partners", "--engine", "semantic")
