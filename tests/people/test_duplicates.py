"""Suggested merges: which pairs the duplicates page finds, and the page itself."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from followthrough.people.duplicates import (
    MAX_GROUP,
    duplicate_pairs,
)
from followthrough.people.merge import duplicate_dismiss
from followthrough.people.names import name_key
from followthrough.people.services import affiliation_add, affiliation_end
from followthrough.relationships.models import Stage
from followthrough.relationships.services import relationship_update
from tests.factories import make_org, make_person
from tests.people.helpers import XSS, XSS_ESCAPED, url


def _pairs(workspace) -> dict[tuple[int, int], list[str]]:
    return {
        (p.first_id, p.second_id): [r.kind for r in p.reasons]
        for p in duplicate_pairs(workspace=workspace)
    }


def _key(a, b) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


# --- Keys -----------------------------------------------------------------------------------


def test_it_pairs_people_who_share_an_email_in_any_case(workspace):
    ada = make_person(workspace, first_name="Ada", emails=["ada@engines.org"])
    lovelace = make_person(workspace, first_name="A.", emails=["other@x.org", "ADA@Engines.org"])
    make_person(workspace, first_name="Grace", emails=["grace@navy.mil"])
    assert _pairs(workspace) == {_key(ada, lovelace): ["email"]}
    reason = duplicate_pairs(workspace=workspace)[0].reasons[0]
    assert reason.detail == "ada@engines.org"
    assert reason.label == "Same e-mail"


def test_it_pairs_people_who_share_a_linkedin_profile_however_spelled(workspace):
    a = make_person(workspace, links=["https://www.linkedin.com/in/ada-lovelace/"])
    b = make_person(workspace, links=["http://uk.linkedin.com/in/Ada-Lovelace?trk=x"])
    c = make_person(workspace, first_name="Typed", links=["linkedin.com/in/ada-lovelace"])
    make_person(workspace, links=["https://www.linkedin.com/in/someone-else"])
    make_person(workspace, links=["https://example.org/in/ada-lovelace"])
    assert _pairs(workspace) == {
        _key(a, b): ["linkedin"],
        _key(a, c): ["linkedin"],
        _key(b, c): ["linkedin"],
    }


def test_it_pairs_similar_names_at_the_same_current_organization(workspace):
    org = make_org(workspace, name="Harbor Arts")
    jon = make_person(workspace, first_name="Jon", last_name="Smith", organization=org)
    john = make_person(workspace, first_name="John", last_name="Smith", organization=org)
    reversed_ = make_person(workspace, first_name="Smith,", last_name="Jon", organization=org)
    make_person(workspace, first_name="Joan", last_name="Smythe", organization=org)
    make_person(workspace, first_name="Jon", last_name="Smith")  # no organization
    make_person(workspace, first_name="Jon", last_name="Smith", organization=make_org(workspace))
    pairs = _pairs(workspace)
    assert set(pairs) == {_key(jon, john), _key(jon, reversed_), _key(john, reversed_)}
    best = duplicate_pairs(workspace=workspace)[0]
    assert (best.first_id, best.second_id) == _key(jon, reversed_)
    assert best.reasons[0].detail == "Harbor Arts, names 100 % alike"


def test_it_ignores_roles_that_have_ended(workspace):
    org = make_org(workspace)
    make_person(workspace, first_name="Jon", last_name="Smith", organization=org)
    former = make_person(workspace, first_name="Jon", last_name="Smith")
    affiliation = affiliation_add(person=former, organization=org, started_on=date(2020, 1, 1))
    affiliation_end(affiliation=affiliation, ended_on=date(2021, 1, 1))
    assert _pairs(workspace) == {}


def test_it_folds_accents_and_punctuation_in_names():
    assert name_key("José  García-López") == "garcia jose lopez"
    assert name_key("Smith, John") == name_key("john smith")


def test_it_merges_the_reasons_of_a_pair_found_twice_and_puts_strong_keys_first(workspace):
    org = make_org(workspace, name="Harbor Arts")
    a = make_person(
        workspace, first_name="Dana", last_name="Lee", organization=org, emails=["d@x.org"]
    )
    b = make_person(
        workspace, first_name="Dana", last_name="Lee", organization=org, emails=["d@x.org"]
    )
    c = make_person(workspace, first_name="Dan", last_name="Leigh", organization=org)
    d = make_person(workspace, first_name="Kim", links=["https://linkedin.com/in/kim"])
    e = make_person(workspace, first_name="Kim", links=["https://linkedin.com/in/kim/"])
    pairs = duplicate_pairs(workspace=workspace)
    assert [(p.first_id, p.second_id) for p in pairs] == [_key(a, b), _key(d, e)]
    assert [r.kind for r in pairs[0].reasons] == ["email", "name"]
    assert c.pk not in {p.first_id for p in pairs} | {p.second_id for p in pairs}


def test_it_leaves_out_addresses_shared_by_many_people(workspace):
    for _ in range(MAX_GROUP + 1):
        make_person(workspace, emails=["info@food-bank.org"])
    assert _pairs(workspace) == {}


def test_it_never_pairs_people_of_different_workspaces(workspace, other_workspace):
    org = make_org(workspace, name="Same Org")
    theirs_org = make_org(other_workspace, name="Same Org")
    make_person(workspace, first_name="Ada", emails=["ada@x.org"], organization=org)
    make_person(other_workspace, first_name="Ada", emails=["ada@x.org"], organization=theirs_org)
    make_person(workspace, links=["https://linkedin.com/in/ada"])
    make_person(other_workspace, links=["https://linkedin.com/in/ada"])
    assert _pairs(workspace) == {}
    assert _pairs(other_workspace) == {}


def test_it_hides_pairs_dismissed_as_different_people(workspace, owner):
    a = make_person(workspace, emails=["same@x.org"])
    b = make_person(workspace, emails=["same@x.org"])
    c = make_person(workspace, emails=["same@x.org"])
    duplicate_dismiss(person_a=b, person_b=a, actor=owner)
    duplicate_dismiss(person_a=b, person_b=a, actor=owner)  # twice is harmless
    assert set(_pairs(workspace)) == {_key(a, c), _key(b, c)}


# --- The page -------------------------------------------------------------------------------


def test_the_page_lists_each_pair_with_its_reason_and_actions(owner_client, workspace):
    org = make_org(workspace, name="Harbor Arts")
    ada = make_person(workspace, first_name="Ada", last_name="Byron", emails=["ada@x.org"])
    make_person(
        workspace, first_name="Ada", last_name="Lovelace", emails=["ADA@x.org"], organization=org
    )
    response = owner_client.get(url("duplicates", workspace))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ada Byron" in body and "Ada Lovelace" in body
    assert "Same e-mail" in body and "ada@x.org" in body
    assert "Compare and merge" in body
    assert "Not the same person" in body
    pair = response.context["page"][0]
    assert url("merge", workspace, pair.suggested_keep.pk, pair.suggested_other.pk) in body
    assert pair.suggested_keep == ada  # same stage: the older record


def test_the_page_suggests_keeping_the_further_relationship(owner_client, workspace):
    make_person(workspace, emails=["x@x.org"])
    further = make_person(workspace, emails=["x@x.org"])
    relationship_update(relationship=further.relationship, stage=Stage.ONGOING)
    pair = owner_client.get(url("duplicates", workspace)).context["page"][0]
    assert pair.suggested_keep == further


def test_the_page_shows_viewers_the_pairs_without_actions(viewer_client, workspace):
    make_person(workspace, first_name="Ada", emails=["ada@x.org"])
    make_person(workspace, first_name="Ada", emails=["ada@x.org"])
    body = viewer_client.get(url("duplicates", workspace)).content.decode()
    assert "Same e-mail" in body
    assert "Compare and merge" not in body
    assert "Not the same person" not in body


def test_the_page_says_when_there_is_nothing_to_merge(owner_client, workspace):
    make_person(workspace)
    body = owner_client.get(url("duplicates", workspace)).content.decode()
    assert "No possible duplicates" in body


def test_not_the_same_person_hides_the_pair_for_good(owner_client, workspace, owner):
    a = make_person(workspace, emails=["same@x.org"])
    b = make_person(workspace, emails=["same@x.org"])
    response = owner_client.post(url("duplicate-dismiss", workspace, b.pk, a.pk))
    assert response.status_code == 303
    assert response["Location"] == url("duplicates", workspace)
    page = owner_client.get(url("duplicates", workspace))
    assert page.context["page"].paginator.count == 0
    assert "are different people" in page.content.decode()


def test_dismissing_needs_write_access(viewer_client, workspace):
    a = make_person(workspace, emails=["same@x.org"])
    b = make_person(workspace, emails=["same@x.org"])
    assert viewer_client.post(url("duplicate-dismiss", workspace, a.pk, b.pk)).status_code == 403
    assert viewer_client.get(url("duplicate-dismiss", workspace, a.pk, b.pk)).status_code == 405
    assert len(duplicate_pairs(workspace=workspace)) == 1


def test_dismissing_a_pair_with_a_stranger_is_a_404(owner_client, workspace, other_workspace):
    ours = make_person(workspace, emails=["same@x.org"])
    theirs = make_person(other_workspace, emails=["same@x.org"])
    assert (
        owner_client.post(url("duplicate-dismiss", workspace, ours.pk, theirs.pk)).status_code
        == 404
    )
    assert (
        owner_client.post(url("duplicate-dismiss", workspace, ours.pk, ours.pk)).status_code == 303
    )


def test_the_page_escapes_names_and_reasons(owner_client, workspace):
    make_person(workspace, first_name=XSS, emails=["x@x.org"])
    make_person(workspace, first_name=XSS, emails=["x@x.org"])
    body = owner_client.get(url("duplicates", workspace)).content.decode()
    assert XSS not in body
    assert XSS_ESCAPED in body


def _make_pairs(workspace, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        org = make_org(workspace)  # one each: "P1 Example" and "P2 Example" look alike
        make_person(workspace, first_name=f"P{n}", emails=[f"p{n}@x.org"], organization=org)
        make_person(workspace, first_name=f"Q{n}", emails=[f"p{n}@x.org"], tags=["t"])


def test_the_page_is_paginated_in_a_constant_number_of_queries(owner_client, workspace):
    path = url("duplicates", workspace)
    _make_pairs(workspace, 3)
    with CaptureQueriesContext(connection) as few:
        assert owner_client.get(path).status_code == 200
    _make_pairs(workspace, 30, start=3)
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(path)
    assert len(few) == len(many) <= 12
    page = response.context["page"]
    assert page.paginator.count == 33
    assert len(page) == 25
    assert len(owner_client.get(path, {"page": 2}).context["page"]) == 8
