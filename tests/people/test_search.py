"""Full-text search of people and organizations (people.search): what matches, ranking,
hostile input, workspace isolation. The index follows every way rows change:
test_search_index.py."""

from __future__ import annotations

import pytest

from followthrough.people.search import organization_search, person_search
from followthrough.people.services import affiliation_add
from tests.factories import make_org, make_person


def people(workspace, query: str) -> list[str]:
    return [_name(pk) for pk in person_search(workspace=workspace, query=query)]


def orgs(workspace, query: str) -> list[str]:
    from followthrough.people.models import Organization

    names = dict(Organization.objects.values_list("pk", "name"))
    return [names[pk] for pk in organization_search(workspace=workspace, query=query)]


def _name(pk: int) -> str:
    from followthrough.people.models import Person

    return Person.objects.get(pk=pk).full_name


def test_it_finds_an_organization_by_each_of_its_fields(workspace):
    make_org(workspace, name="Harbor Arts Collective")
    make_org(workspace, name="Riverside Food Bank", mission="Nobody goes to bed hungry.")
    make_org(workspace, name="Northside Youth Mentors", needs="reading tutors for teens")
    make_org(workspace, name="Eastport Literacy", offers="Free tutoring on Saturdays")
    make_org(workspace, name="Millbrook Commons", location="Millbrook, Vermont")
    make_org(workspace, name="Greenway", focus_areas=["Urban gardening"])
    assert orgs(workspace, "harbor") == ["Harbor Arts Collective"]
    assert orgs(workspace, "hungry") == ["Riverside Food Bank"]
    assert orgs(workspace, "tutoring") == ["Eastport Literacy"]
    assert orgs(workspace, "tutor") == ["Eastport Literacy", "Northside Youth Mentors"]
    assert orgs(workspace, "vermont") == ["Millbrook Commons"]
    assert orgs(workspace, "gardening") == ["Greenway"]
    assert orgs(workspace, "saturdays tutoring") == ["Eastport Literacy"]  # every word
    assert orgs(workspace, "tutoring hungry") == []


def test_it_finds_a_person_by_each_of_their_fields(workspace):
    harbor = make_org(workspace, name="Harbor Arts")
    make_person(workspace, first_name="Ada", last_name="Lovelace", emails=["ada@engines.org"])
    make_person(workspace, first_name="Grace", last_name="Hopper", organization=harbor)
    make_person(workspace, first_name="Alan", last_name="Turing", headline="Codebreaker")
    make_person(workspace, first_name="Mo", last_name="Role", organization=make_org(workspace))
    make_person(workspace, first_name="Nia", last_name="Notes", notes="Loves **pottery**.")
    make_person(workspace, first_name="Pat", last_name="Phone", phones=["+1 (555) 010-0200"])
    affiliation_add(
        person=make_person(workspace, first_name="Tia", last_name="Title"),
        organization=make_org(workspace, name="Elsewhere"),
        role="Volunteer coordinator",
    )
    assert people(workspace, "lovelace") == ["Ada Lovelace"]
    assert people(workspace, "engines.org") == ["Ada Lovelace"]
    assert people(workspace, "ada@engines.org") == ["Ada Lovelace"]
    assert people(workspace, "harbor arts") == ["Grace Hopper"]
    assert people(workspace, "codebreaker") == ["Alan Turing"]
    assert people(workspace, "coordinator") == ["Tia Title"]
    assert people(workspace, "pottery") == ["Nia Notes"]
    assert people(workspace, "5550100200") == ["Pat Phone"]
    assert people(workspace, "0100200") == ["Pat Phone"]


def test_it_finds_a_person_by_their_nickname_and_their_name_as_written(workspace):
    from followthrough.people.services import person_update

    james = make_person(workspace, first_name="James", last_name="Hacker")
    make_person(workspace, first_name="Other", last_name="Person")
    person_update(person=james, nickname="Jimbo", formatted_name="Rt Hon. James Hacker MP")
    assert people(workspace, "jimbo") == ["James Hacker"]
    assert people(workspace, "hon") == ["James Hacker"]
    person_update(person=james, nickname="")  # the index follows an edit
    assert people(workspace, "jimbo") == []


def test_it_matches_as_you_type_ignoring_case_and_accents(workspace):
    make_person(workspace, first_name="Zoë", last_name="Ångström")
    make_org(workspace, name="Café Literário", offers="Tutoring")
    for typed in ("z", "zo", "zoe", "ZOË", "angs", "zo ang"):
        if len(typed) > 1:
            assert people(workspace, typed) == ["Zoë Ångström"], typed
    assert people(workspace, "z") == []  # one letter is a whole word, not a prefix
    assert orgs(workspace, "tuto") == ["Café Literário"]
    assert orgs(workspace, "cafe literario") == ["Café Literário"]


def test_a_name_match_ranks_ahead_of_other_fields(workspace):
    make_person(workspace, first_name="Abe", last_name="Notes", notes="Introduced by Baker.")
    make_person(workspace, first_name="Cy", last_name="Email", emails=["baker.fan@example.org"])
    make_person(workspace, first_name="Dee", last_name="Baker")
    make_person(
        workspace,
        first_name="Eve",
        last_name="Works",
        organization=make_org(workspace, name="Baker Street Bakery"),
    )
    assert people(workspace, "baker")[0] == "Dee Baker"
    assert set(people(workspace, "baker")) == {"Abe Notes", "Cy Email", "Dee Baker", "Eve Works"}
    make_org(workspace, name="Harbor Pantry", mission="A pantry by the tutors' harbor.")
    make_org(workspace, name="Tutors United", mission="Reading help.")
    make_org(workspace, name="Riverside", offers="Tutors for adults")
    assert orgs(workspace, "tutors")[0] == "Tutors United"


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced',
        "*",
        "tu*",
        "-",
        "-tutor",
        "NEAR",
        "NEAR(a b)",
        "(",
        "a OR b",
        "NOT tutor",
        "AND",
        ":",
        "name:tutor",
        "{name}: x",
        "^tutor",
        "'",
        "o'brien",
        "x" * 300,
        "\x00",
        "%_",
        "tutor\\",
    ],
)
def test_query_syntax_typed_is_only_text(workspace, query):
    make_person(workspace, first_name="Tutor", last_name="Name", notes="name: tutor (NEAR)")
    make_org(workspace, name="Tutors", offers="NOT a tutor - OR more")
    person_search(workspace=workspace, query=query)  # never raises
    organization_search(workspace=workspace, query=query)


def test_operators_are_searched_as_words(workspace):
    make_person(workspace, first_name="Near", last_name="Field")
    make_person(workspace, first_name="Ada", last_name="Lovelace")
    assert people(workspace, "NEAR") == ["Near Field"]
    assert people(workspace, "lovelace OR near") == []  # "or" is a word to match too


def test_another_workspaces_rows_never_match(workspace, other_workspace):
    theirs = make_org(other_workspace, name="Secret Tutors", offers="tutoring")
    make_person(other_workspace, first_name="Stranger", emails=["stranger@x.org"])
    make_person(other_workspace, first_name="Sam", organization=theirs)
    make_person(workspace, first_name="Ours")
    assert people(workspace, "stranger") == []
    assert people(workspace, "secret tutors") == []
    assert orgs(workspace, "tutoring") == []
    assert orgs(other_workspace, "tutoring") == ["Secret Tutors"]


def test_an_empty_or_wordless_query_finds_nothing(workspace):
    make_person(workspace)
    for query in ("", "   ", '" * - ( :'):
        assert person_search(workspace=workspace, query=query) == []
        assert organization_search(workspace=workspace, query=query) == []


def test_it_searches_only_current_organizations_and_roles(workspace):
    from followthrough.people.services import affiliation_end

    person = make_person(
        workspace,
        first_name="Ex",
        organization=make_org(workspace, name="Old Place"),
        role="Treasurer",
    )
    affiliation = person.affiliations.get()
    affiliation_end(affiliation=affiliation, ended_on=affiliation.started_on or _today())
    assert people(workspace, "old place") == []
    assert people(workspace, "treasurer") == []


def _today():
    from django.utils import timezone

    return timezone.localdate()


def test_search_works_with_the_filters_and_sorts(workspace):
    from followthrough.people import selectors
    from followthrough.people.models import Tag

    make_person(workspace, first_name="Bea", last_name="Baker", tags=["donor"])
    make_person(workspace, first_name="Al", last_name="Baker", notes="Baker's dozen")
    make_person(workspace, first_name="Cy", last_name="Other", notes="Knows Baker", tags=["donor"])
    donor = Tag.objects.get(workspace=workspace, name="donor")

    def names(**kwargs):
        return [p.full_name for p in selectors.person_list(workspace=workspace, **kwargs)]

    assert names(query="baker")[-1] == "Cy Other"  # best match first: names before notes
    assert names(query="baker", sort="name") == ["Al Baker", "Bea Baker", "Cy Other"]
    assert names(query="baker", tag=donor) == ["Bea Baker", "Cy Other"]
    assert names(query="baker", tag=donor, sort="name") == ["Bea Baker", "Cy Other"]
    assert names(query="baker", sort="last")[-1] != ""  # every match, in that order
    assert len(names(query="baker", sort="due")) == 3
    for sort in ("best", "name", "last", "due"):
        assert names(query="nobody", sort=sort) == []
    make_org(workspace, name="Food Bank", offers="Tutoring", focus_areas=["Youth"])
    make_org(workspace, name="Library", offers="Tutoring")
    youth = Tag.objects.get(workspace=workspace, name="Youth")
    found = selectors.organization_list(workspace=workspace, query="tutoring", focus_area=youth)
    assert [o.name for o in found] == ["Food Bank"]
