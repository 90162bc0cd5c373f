from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from followthrough.people import search_schema
from followthrough.people.models import Organization, Tag
from followthrough.people.services import affiliation_add
from followthrough.relationships.models import Interaction, InteractionKind
from followthrough.relationships.services import organization_log_noticed
from tests.factories import make_org, make_person
from tests.people.helpers import XSS, XSS_ESCAPED, url

VALID = {
    "name": "Riverside Food Bank",
    "mission": "No one in Riverside goes hungry.",
    "focus_areas": "food security, Volunteering",
    "offers": "Volunteer drivers",
    "needs": "Tutors",
    "website": "riverside-food.org",
    "feed_url": "https://riverside-food.org/feed/",
    "location": "Riverside",
    "notes": "Call before visiting.",
}


def test_it_lists_organizations_and_marks_our_own(owner_client, workspace):
    make_org(
        workspace,
        name="Harbor Arts",
        mission="Art for every kid",
        location="Harbor",
        focus_areas=["arts"],
    )
    response = owner_client.get(url("organization-list", workspace))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Harbor Arts" in body
    assert "Art for every kid" in body
    assert "arts" in body
    assert workspace.name in body
    assert "Your organization" in body
    assert response.context["nav"] == "organizations"


def test_it_searches_and_filters_organizations(owner_client, workspace):
    make_org(workspace, name="Harbor Arts", focus_areas=["arts"])
    food = make_org(workspace, name="Food Bank", mission="Meals for seniors", focus_areas=["food"])

    def names(**params):
        response = owner_client.get(url("organization-list", workspace), params)
        return [o.name for o in response.context["page"]]

    assert names(q="harb") == ["Harbor Arts"]
    assert names(q="seniors") == ["Food Bank"]
    assert names(focus_area=food.focus_areas.get().pk) == ["Food Bank"]
    htmx = owner_client.get(
        url("organization-list", workspace), {"q": "harb"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in htmx.content.decode()
    assert "Harbor Arts" in htmx.content.decode()


def test_it_teaches_the_next_step_when_no_organization_matches(owner_client, workspace):
    response = owner_client.get(url("organization-list", workspace), {"q": "nothing-like-it"})
    assert "No organization matches" in response.content.decode()


def test_it_lists_organizations_in_a_constant_number_of_queries(
    owner_client, workspace, django_assert_max_num_queries
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            owner_client.get(url("organization-list", workspace))
        return len(captured)

    make_org(workspace, focus_areas=["a", "b"])
    few = queries()
    for n in range(30):
        make_org(workspace, focus_areas=[f"t{n}", "b"])
    assert queries() == few
    # session, user, membership; focus-area menu; whether the search index has changes
    # to catch up (applied by the first search after changes), the search, the rows,
    # their focus areas
    search_schema.catch_up(connection)
    with django_assert_max_num_queries(8):
        owner_client.get(url("organization-list", workspace), {"q": "organization"})


def test_it_creates_an_organization(owner_client, workspace):
    response = owner_client.post(url("organization-new", workspace), VALID)
    org = Organization.objects.get(workspace=workspace, name="Riverside Food Bank")
    assert response.status_code == 303
    assert response["Location"] == url("organization-detail", workspace, org.pk)
    assert org.website == "https://riverside-food.org"
    assert org.needs == "Tutors"
    assert sorted(t.name for t in org.focus_areas.all()) == ["Volunteering", "food security"]


def test_a_bare_domain_is_a_website(owner_client, workspace):
    """Typed as people type it; the box is a text box, which a browser lets through."""
    form = owner_client.get(url("organization-new", workspace)).content.decode()
    assert 'type="text" name="website"' in form and 'inputmode="url"' in form
    owner_client.post(
        url("organization-new", workspace),
        {**VALID, "website": "harbormutualaid.org", "feed_url": "harbormutualaid.org/feed"},
    )
    org = Organization.objects.get(workspace=workspace, name="Riverside Food Bank")
    assert (org.website, org.feed_url) == (
        "https://harbormutualaid.org",
        "https://harbormutualaid.org/feed",
    )


def test_it_rejects_a_malformed_url_and_a_missing_name(owner_client, workspace):
    response = owner_client.post(
        url("organization-new", workspace),
        {**VALID, "name": "  ", "website": "http://", "feed_url": "x y"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "website", "feed_url"}
    assert not Organization.objects.filter(workspace=workspace, mission=VALID["mission"]).exists()


def test_it_edits_an_organization(owner_client, workspace):
    org = make_org(workspace, name="Harbor Arts", focus_areas=["arts"])
    form = owner_client.get(url("organization-edit", workspace, org.pk))
    assert form.context["form"].initial["focus_areas"] == "arts"
    response = owner_client.post(
        url("organization-edit", workspace, org.pk),
        {**VALID, "name": "Harbor Arts Collective", "focus_areas": ""},
    )
    assert response.status_code == 303
    org.refresh_from_db()
    assert org.name == "Harbor Arts Collective"
    assert not org.focus_areas.exists()
    bad = owner_client.post(
        url("organization-edit", workspace, org.pk), {**VALID, "website": "javascript:alert(1)"}
    )
    assert bad.status_code == 400
    assert "website" in bad.context["form"].errors


def test_it_shows_an_organization_with_people_current_first(owner_client, workspace):
    org = make_org(workspace, name="Harbor Arts", mission="Art for every kid")
    past = make_person(workspace, first_name="Aaron", last_name="Past")
    affiliation_add(
        person=past,
        organization=org,
        role="Intern",
        started_on=date(2019, 1, 1),
        ended_on=date(2020, 1, 1),
    )
    current = make_person(
        workspace, first_name="Zoe", last_name="Now", organization=org, role="Director"
    )
    response = owner_client.get(url("organization-detail", workspace, org.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert [a.person for a in response.context["current_affiliations"]] == [current]
    assert [a.person for a in response.context["past_affiliations"]] == [past]
    assert body.index("Zoe Now") < body.index("Aaron Past")
    assert "Art for every kid" in body
    assert "Your organization" not in body


def test_it_marks_our_own_organization(owner_client, workspace):
    response = owner_client.get(url("organization-detail", workspace, workspace.organization_id))
    assert response.context["is_own"] is True
    assert "Your organization" in response.content.decode()


def test_it_records_and_pages_what_was_noticed(owner_client, owner, workspace):
    org = make_org(workspace)
    response = owner_client.post(
        url("organization-noticed", workspace, org.pk),
        {"summary": "Opened a second pantry", "note": "In *Eastside*."},
    )
    assert response.status_code == 303
    noticed = Interaction.objects.get(organization=org)
    assert noticed.kind == InteractionKind.NOTICED
    assert noticed.logged_by == owner
    start = timezone.now() - timedelta(days=60)
    for n in range(21):
        organization_log_noticed(
            organization=org, summary=f"item {n}", occurred_at=start + timedelta(days=n)
        )
    page = owner_client.get(url("organization-detail", workspace, org.pk))
    summaries = [i.summary for i in page.context["noticed"]]
    assert summaries[:2] == ["Opened a second pantry", "item 20"]
    assert len(summaries) == 20
    assert "<em>Eastside</em>" in page.content.decode()
    older = owner_client.get(url("organization-detail", workspace, org.pk), {"page": 2})
    assert [i.summary for i in older.context["noticed"]] == ["item 1", "item 0"]


def test_it_dates_a_noticed_entry(owner_client, workspace):
    org = make_org(workspace)
    owner_client.post(
        url("organization-noticed", workspace, org.pk),
        {"summary": "Annual report", "occurred_on": "2024-03-05"},
    )
    noticed = Interaction.objects.get(organization=org)
    assert timezone.localtime(noticed.occurred_at).date() == date(2024, 3, 5)


def test_it_shows_noticed_errors_on_the_profile(owner_client, workspace):
    org = make_org(workspace)
    response = owner_client.post(url("organization-noticed", workspace, org.pk), {"summary": ""})
    assert response.status_code == 400
    assert response.context["noticed_form"].errors["summary"]
    assert not Interaction.objects.filter(organization=org).exists()


def test_it_escapes_organization_text_and_sanitizes_notes(owner_client, workspace):
    org = make_org(
        workspace,
        name=XSS,
        mission=XSS,
        location=XSS,
        website="javascript:alert(1)",
        notes="<script>alert(1)</script>[x](javascript:alert(1))",
        focus_areas=[XSS[:60]],
    )
    organization_log_noticed(organization=org, summary=XSS, note="<script>alert(2)</script>")
    for page in ("organization-detail", "organization-list"):
        args = [org.pk] if page == "organization-detail" else []
        body = owner_client.get(url(page, workspace, *args)).content.decode()
        assert XSS not in body
        assert XSS_ESCAPED in body
        assert "<script>alert" not in body
        assert 'href="javascript:' not in body


def test_it_suggests_only_this_workspaces_organizations(owner_client, workspace, other_workspace):
    make_org(other_workspace, name="Secret Alliance")
    make_org(workspace, name="Open Alliance")
    body = owner_client.get(
        url("organization-suggest", workspace), {"q": "alliance"}
    ).content.decode()
    assert "Open Alliance" in body
    assert "Secret" not in body
    assert Tag.objects.filter(workspace=workspace).count() == 0


def test_our_own_organization_speaks_as_us(owner_client, workspace):
    own = url("organization-edit", workspace, workspace.organization_id)
    body = owner_client.get(own).content.decode()
    assert "What we offer" in body and "What we need" in body and "Our organization:" in body
    other = make_org(workspace, name="Harbor Arts")
    theirs = owner_client.get(url("organization-edit", workspace, other.pk)).content.decode()
    assert "What they offer" in theirs and "What we offer" not in theirs
