"""The partner-matching evaluation set is sound, and its checker notices when it is not.

Plain data checks: no database.
"""

from __future__ import annotations

import copy

from bench.partners.dataset import load, validate


def test_the_set_passes_its_checks():
    orgs, queries = load()
    assert validate(orgs, queries) == []


def test_every_field_has_queries_and_organizations():
    orgs, queries = load()
    org_fields = {org["field"] for org in orgs}
    query_fields = [query["profile"]["field"] for query in queries]
    assert all(query_fields.count(field) >= 2 for field in org_fields)


def test_an_unknown_id_in_the_labels_is_reported():
    orgs, queries = load()
    broken = copy.deepcopy(queries)
    broken[0]["relevant"]["complementary"].append("org-999")
    problems = validate(orgs, broken)
    assert any("org-999" in problem for problem in problems)


def test_a_broken_copy_is_reported_on_every_count():
    orgs, queries = load()
    orgs, queries = copy.deepcopy(orgs), copy.deepcopy(queries)
    field = queries[1]["profile"]["field"]
    own_field = next(o["id"] for o in orgs[10:100] if o["field"] == field)
    queries[1]["relevant"]["complementary"] = [own_field]
    orgs[1]["id"] = orgs[0]["id"]
    orgs[2]["needs"] = []
    for org in orgs[3:7]:
        org["offers"] = [*org["offers"], "A spare  ice resurfacer"]
    problems = "\n".join(validate(orgs[:-40], queries[:5]))
    assert "duplicate organization id" in problems
    assert "empty needs" in problems
    assert "fewer than 3" in problems
    assert "own field" in problems
    assert "fewer than 150" in problems
    assert "fewer than 20" in problems
    assert "'a spare ice resurfacer' used by 4 organizations" in problems
