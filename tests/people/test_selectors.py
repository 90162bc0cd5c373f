from datetime import date, timedelta

from django.utils import timezone

from followthrough.people import selectors
from followthrough.people.services import affiliation_add, affiliation_end
from followthrough.relationships import selectors as relationship_selectors
from followthrough.relationships.models import InteractionKind, Stage
from followthrough.relationships.services import relationship_log_interaction
from tests.factories import make_org, make_person


def test_it_matches_every_search_word_somewhere(workspace):
    org = make_org(workspace, name="Harbor Arts")
    dana = make_person(
        workspace,
        first_name="Dana",
        last_name="Lee",
        organization=org,
        phones=["+1 (555) 010-0200"],
    )
    make_person(workspace, first_name="Dana", last_name="Park")
    assert [p.pk for p in selectors.person_list(workspace=workspace, query="dana harbor")] == [
        dana.pk
    ]
    assert [p.pk for p in selectors.person_list(workspace=workspace, query="5550100200")] == [
        dana.pk
    ]
    assert list(selectors.person_list(workspace=workspace, query="  ")) != []


def test_it_searches_current_organizations_only(workspace):
    org = make_org(workspace, name="Old Place")
    person = make_person(workspace, organization=org)
    affiliation_end(affiliation=person.affiliations.get(), ended_on=timezone.localdate())
    assert list(selectors.person_list(workspace=workspace, query="old place")) == []


def test_it_lists_only_current_affiliations_on_rows(workspace):
    now, past = make_org(workspace, name="Now"), make_org(workspace, name="Past")
    person = make_person(workspace, organization=now)
    affiliation_add(
        person=person, organization=past, started_on=date(2019, 1, 1), ended_on=date(2020, 1, 1)
    )
    [row] = selectors.person_list(workspace=workspace)
    assert [a.organization_id for a in row.current_affiliations] == [now.pk]


def test_it_scopes_people_to_the_workspace(workspace, other_workspace):
    make_person(other_workspace, first_name="Stranger")
    assert list(selectors.person_list(workspace=workspace, query="stranger")) == []
    assert selectors.person_list(workspace=workspace).count == 0


def test_it_filters_by_stage(workspace):
    met = make_person(workspace)
    make_person(workspace)
    relationship_log_interaction(person=met, kind=InteractionKind.MET_AT_EVENT)
    assert [p.pk for p in selectors.person_list(workspace=workspace, stage=Stage.MET)] == [met.pk]


def test_it_orders_the_timeline_newest_first_with_stable_ties(workspace):
    person = make_person(workspace)
    when = timezone.now() - timedelta(days=1)
    first = relationship_log_interaction(person=person, kind=InteractionKind.NOTE, occurred_at=when)
    second = relationship_log_interaction(
        person=person, kind=InteractionKind.NOTE, occurred_at=when
    )
    newest = relationship_log_interaction(person=person, kind=InteractionKind.CALL)
    assert list(relationship_selectors.person_timeline(person=person)) == [newest, second, first]


def test_it_finds_organizations_by_name_case_insensitively(workspace, other_workspace):
    org = make_org(workspace, name="Harbor Arts")
    make_org(other_workspace, name="Other Thing")
    assert selectors.organization_find_by_name(workspace=workspace, name=" harbor arts ") == org
    assert selectors.organization_find_by_name(workspace=workspace, name="Other Thing") is None
    assert selectors.organization_find_by_name(workspace=workspace, name="") is None


def test_it_suggests_names_starting_with_the_query_first(workspace):
    for name in ("The Arts Fund", "Arts Council", "Harbor Arts", "Food Bank"):
        make_org(workspace, name=name)
    assert selectors.organization_names(workspace=workspace, query="arts") == [
        "Arts Council",
        "Harbor Arts",
        "The Arts Fund",
    ]
    assert selectors.organization_names(workspace=workspace, query="arts", limit=1) == [
        "Arts Council"
    ]


def test_it_lists_organization_people_current_first(workspace):
    org = make_org(workspace)
    past = make_person(workspace, first_name="Aaron")
    affiliation_add(person=past, organization=org, ended_on=date(2020, 1, 1))
    current = make_person(workspace, first_name="Zed", organization=org)
    assert [a.person for a in selectors.organization_people(organization=org)] == [current, past]


def test_tags_match_case_insensitively_beyond_ascii(workspace):
    from followthrough.people.services import tags_resolve

    first = tags_resolve(workspace=workspace, names=["Жизнь", "Òpera"])
    again = tags_resolve(workspace=workspace, names=["жизнь", "òpera"])
    assert [t.pk for t in again] == [t.pk for t in first]


def test_tag_choices_sort_by_name_ignoring_case(workspace):
    from followthrough.people.services import tags_resolve

    tags_resolve(workspace=workspace, names=["Food", "adult literacy", "Zoning", "board"])
    names = [t.name for t in selectors.tag_choices(workspace=workspace)]
    assert names == ["adult literacy", "board", "Food", "Zoning"]
