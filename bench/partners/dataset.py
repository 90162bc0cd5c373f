"""The partner-matching evaluation set: fictional organizations and labelled queries.

`organizations.json` holds the candidate partner organizations; `queries.json` holds a
workspace's own organization profile per query, with the organizations a good matcher should
find for it: `same_field` (the query's field, overlapping work) and `complementary` (other
fields, where offers meet needs). See `bench/README.md`, "Partner-matching evaluation set".

    from bench.partners.dataset import load, validate

    orgs, queries = load()
    assert validate(orgs, queries) == []
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ORGANIZATIONS_FILE = HERE / "organizations.json"
QUERIES_FILE = HERE / "queries.json"

PROFILE_KEYS = ("name", "field", "mission", "focus_areas", "offers", "needs", "city")
MIN_ORGANIZATIONS = 150
MIN_FIELDS = 8
MIN_QUERIES = 20
MIN_COMPLEMENTARY = 3
MAX_ORGS_PER_PHRASE = 3


def load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Read the organizations and the queries, in file order."""
    orgs = json.loads(ORGANIZATIONS_FILE.read_text(encoding="utf-8"))
    queries = json.loads(QUERIES_FILE.read_text(encoding="utf-8"))
    return orgs, queries


def _phrase_key(phrase: str) -> str:
    """A phrase as compared for repeats: case and runs of whitespace ignored."""
    return " ".join(phrase.lower().split())


def _profile_problems(where: str, profile: dict[str, Any]) -> list[str]:
    """Missing keys and empty offers or needs of one profile."""
    problems = [f"{where}: no {key!r}" for key in PROFILE_KEYS if key not in profile]
    for key in ("offers", "needs"):
        phrases = profile.get(key) or []
        if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
            problems.append(f"{where}: empty {key}")
    return problems


def _organization_problems(orgs: list[dict[str, Any]]) -> list[str]:
    """Duplicate ids, incomplete profiles, too few organizations or fields, repeated phrases."""
    problems: list[str] = []
    ids = Counter(org.get("id") for org in orgs)
    problems += [f"duplicate organization id {i!r}" for i, n in ids.items() if n > 1]
    for org in orgs:
        problems += _profile_problems(f"organization {org.get('id')!r}", org)
    if len(orgs) < MIN_ORGANIZATIONS:
        problems.append(f"{len(orgs)} organizations, fewer than {MIN_ORGANIZATIONS}")
    fields = {org.get("field") for org in orgs}
    if len(fields) < MIN_FIELDS:
        problems.append(f"{len(fields)} fields, fewer than {MIN_FIELDS}")
    users: defaultdict[str, set[str]] = defaultdict(set)
    for org in orgs:
        for phrase in [*(org.get("offers") or []), *(org.get("needs") or [])]:
            users[_phrase_key(phrase)].add(str(org.get("id")))
    for phrase, holders in sorted(users.items()):
        if len(holders) > MAX_ORGS_PER_PHRASE:
            problems.append(
                f"phrase {phrase!r} used by {len(holders)} organizations "
                f"(at most {MAX_ORGS_PER_PHRASE}): vary the wording"
            )
    return problems


def _query_problems(query: dict[str, Any], field_of: dict[str, Any]) -> list[str]:
    """One query's profile and labels checked against the organizations' fields."""
    qid = query.get("id")
    profile = query.get("profile") or {}
    problems = _profile_problems(f"query {qid!r}", profile)
    relevant = query.get("relevant") or {}
    same = relevant.get("same_field") or []
    complementary = relevant.get("complementary") or []
    for label, ids in (("same_field", same), ("complementary", complementary)):
        unknown = [i for i in ids if i not in field_of]
        problems += [f"query {qid!r}: unknown id {i!r} in {label}" for i in unknown]
        problems += [
            f"query {qid!r}: {i!r} twice in {label}" for i, n in Counter(ids).items() if n > 1
        ]
    if len(complementary) < MIN_COMPLEMENTARY:
        problems.append(
            f"query {qid!r}: {len(complementary)} complementary partners, "
            f"fewer than {MIN_COMPLEMENTARY}"
        )
    field = profile.get("field")
    for i in complementary:
        if i in field_of and field_of[i] == field:
            problems.append(f"query {qid!r}: complementary {i!r} is in the query's own field")
    for i in same:
        if i in field_of and field_of[i] != field:
            problems.append(f"query {qid!r}: same_field {i!r} is in another field")
    both = set(same) & set(complementary)
    problems += [f"query {qid!r}: {i!r} labelled both ways" for i in sorted(both)]
    return problems


def validate(orgs: list[dict[str, Any]], queries: list[dict[str, Any]]) -> list[str]:
    """Every problem of the set, as sentences; an empty list means the set is sound.

    Checks: duplicate ids, profiles with missing keys or empty offers or needs, unknown or
    repeated ids in labels, a query with fewer than three complementary partners, a
    complementary partner in the query's own field (or a same-field one in another), fewer
    than 150 organizations, 8 fields or 20 queries, and any offer or need phrase used verbatim
    by more than three organizations (the wording must vary).
    """
    problems = _organization_problems(orgs)
    field_of = {org.get("id"): org.get("field") for org in orgs}
    query_ids = Counter(query.get("id") for query in queries)
    problems += [f"duplicate query id {i!r}" for i, n in query_ids.items() if n > 1]
    if len(queries) < MIN_QUERIES:
        problems.append(f"{len(queries)} queries, fewer than {MIN_QUERIES}")
    for query in queries:
        problems += _query_problems(query, field_of)
    return problems
