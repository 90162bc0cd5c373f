from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followthrough.people import search_schema
from followthrough.people.models import Tag
from followthrough.people.services import affiliation_add
from followthrough.relationships.models import InteractionKind, Stage
from followthrough.relationships.services import relationship_log_interaction
from tests.factories import make_org, make_person
from tests.people.helpers import XSS, XSS_ESCAPED, url


def test_it_lists_people_with_organization_tags_and_stage(owner_client, workspace):
    org = make_org(workspace, name="Riverside Food Bank")
    make_person(
        workspace,
        first_name="Dana",
        last_name="Lee",
        headline="Volunteer lead",
        tags=["donor"],
        organization=org,
        role="Director",
    )
    response = owner_client.get(url("person-list", workspace))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dana Lee" in body
    assert "Volunteer lead" in body
    assert "Riverside Food Bank" in body
    assert "Director" in body
    assert "donor" in body
    assert "Noticed" in body
    assert response.context["nav"] == "people"


def test_it_teaches_the_next_step_when_empty(owner_client, workspace):
    response = owner_client.get(url("person-list", workspace))
    assert "No people yet — add someone you met or noticed" in response.content.decode()


def test_it_searches_by_name_organization_and_email(owner_client, workspace):
    org = make_org(workspace, name="Harbor Arts")
    make_person(workspace, first_name="Ada", last_name="Lovelace", emails=["ada@engines.org"])
    make_person(workspace, first_name="Grace", last_name="Hopper", organization=org)
    make_person(workspace, first_name="Alan", last_name="Turing")

    def names(query):
        response = owner_client.get(url("person-list", workspace), {"q": query})
        return [p.full_name for p in response.context["page"]]

    assert names("lovel") == ["Ada Lovelace"]
    assert names("harbor") == ["Grace Hopper"]
    assert names("ENGINES.org") == ["Ada Lovelace"]
    assert names("al turing") == ["Alan Turing"]
    assert names("a turing") == []  # a single letter is a whole word, not a prefix
    assert names("nobody") == []


def test_it_answers_htmx_with_the_results_fragment_only(owner_client, workspace):
    make_person(workspace, first_name="Ada", last_name="Lovelace")
    response = owner_client.get(url("person-list", workspace), {"q": "ada"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace" in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]
    full = owner_client.get(url("person-list", workspace), {"q": "ada"})
    assert "<html" in full.content.decode()
    assert 'hx-trigger="input changed delay:250ms, search"' in full.content.decode()


def test_it_says_when_nobody_matches(owner_client, workspace):
    make_person(workspace)
    response = owner_client.get(url("person-list", workspace), {"q": "zzz"})
    assert "Nobody matches" in response.content.decode()


def test_it_filters_by_tag_and_stage(owner_client, workspace):
    donor = make_person(workspace, first_name="Dee", tags=["Donor"])
    make_person(workspace, first_name="Vic", tags=["Volunteer"])
    met = make_person(workspace, first_name="Mo")
    relationship_log_interaction(person=met, kind=InteractionKind.MET_AT_EVENT)
    tag = donor.tags.get()

    response = owner_client.get(url("person-list", workspace), {"tag": tag.pk})
    assert [p.pk for p in response.context["page"]] == [donor.pk]
    response = owner_client.get(url("person-list", workspace), {"stage": Stage.MET})
    assert [p.pk for p in response.context["page"]] == [met.pk]


def test_it_ignores_invalid_filters(owner_client, workspace, other_workspace):
    make_person(workspace)
    foreign = make_person(other_workspace, tags=["secret"]).tags.get()
    response = owner_client.get(
        url("person-list", workspace),
        {"stage": "abc", "tag": foreign.pk, "sort": "evil", "page": "x"},
    )
    assert response.status_code == 200
    assert len(response.context["page"]) == 1


def test_it_sorts_by_last_interaction_most_recent_first_never_last(owner_client, workspace):
    never = make_person(workspace, first_name="Aaron")
    old = make_person(workspace, first_name="Bea")
    recent = make_person(workspace, first_name="Cy")
    now = timezone.now()
    relationship_log_interaction(
        person=old, kind=InteractionKind.CALL, occurred_at=now - timedelta(days=30)
    )
    relationship_log_interaction(
        person=recent, kind=InteractionKind.CALL, occurred_at=now - timedelta(days=1)
    )
    response = owner_client.get(url("person-list", workspace), {"sort": "last"})
    assert [p.pk for p in response.context["page"]] == [recent.pk, old.pk, never.pk]
    response = owner_client.get(url("person-list", workspace), {"sort": "name"})
    assert [p.pk for p in response.context["page"]] == [never.pk, old.pk, recent.pk]


def test_it_paginates_fifty_per_page(owner_client, workspace):
    for n in range(52):
        make_person(workspace, first_name=f"P{n:03d}")
    first = owner_client.get(url("person-list", workspace))
    assert len(first.context["page"]) == 50
    assert "page=2" in first.content.decode()
    second = owner_client.get(url("person-list", workspace), {"page": 2})
    assert [p.first_name for p in second.context["page"]] == ["P050", "P051"]


def test_it_never_shows_another_workspaces_people(owner_client, workspace, other_workspace):
    make_person(other_workspace, first_name="Stranger", emails=["stranger@x.org"])
    response = owner_client.get(url("person-list", workspace), {"q": "stranger"})
    assert list(response.context["page"]) == []
    assert response.context["page"].count == 0


def _people(workspace, count):
    org = make_org(workspace)
    for _ in range(count):
        person = make_person(workspace, tags=["a", "b"], organization=org, role="r")
        affiliation_add(person=person, organization=make_org(workspace))
        relationship_log_interaction(person=person, kind=InteractionKind.CALL)


def _count_queries(client, path, params=None, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {}, **headers)
    assert response.status_code == 200
    return len(queries)


def test_it_lists_people_in_a_constant_number_of_queries(
    owner_client, workspace, django_assert_max_num_queries
):
    _people(workspace, 3)
    path = url("person-list", workspace)
    few = _count_queries(owner_client, path, {"sort": "last"})
    _people(workspace, 25)
    many = _count_queries(owner_client, path, {"sort": "last"})
    assert few == many
    # session, user, membership; tag menu; count (up to 10,000), the page's ids, its
    # rows, their tags, their affiliations, who of them we wait on or went quiet
    with django_assert_max_num_queries(10):
        owner_client.get(path, {"stage": Stage.FOLLOWED_UP})
    # ...with a search: whether the index has changes to catch up (the first search
    # after changes applies them: a few statements more), the search, which of the
    # found pass the filter, rows, tags, affiliations
    search_schema.catch_up(connection)
    with django_assert_max_num_queries(11):
        owner_client.get(path, {"q": "person", "stage": Stage.FOLLOWED_UP})
    tag = Tag.objects.filter(workspace=workspace).first()
    with django_assert_max_num_queries(11):  # + the chosen tag
        owner_client.get(path, {"tag": tag.pk})
    with django_assert_max_num_queries(9):  # the fragment has no tag menu
        owner_client.get(path, {"q": "person"}, HTTP_HX_REQUEST="true")


def test_it_escapes_names_on_the_list(owner_client, workspace):
    make_person(workspace, first_name=XSS, headline=XSS, tags=[XSS[:60]])
    body = owner_client.get(url("person-list", workspace)).content.decode()
    assert XSS not in body
    assert XSS_ESCAPED in body
