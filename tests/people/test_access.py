"""Who may reach each directory page: anonymous, strangers, viewers, and foreign ids."""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from followthrough.directory import urls as people_urls
from followthrough.people.models import Affiliation, Organization, Person
from followthrough.relationships.models import Interaction
from tests.factories import make_org, make_person
from tests.people.helpers import image_bytes


@dataclass(frozen=True)
class Route:
    name: str
    args: tuple[str, ...]  # objects filling the URL: "person", "person2", "org", "affiliation"
    method: str
    write: bool
    data: tuple[tuple[str, str], ...] | None = None  # POST data other than POST_DATA


ROUTES = [
    Route("person-list", (), "get", False),
    Route("person-detail", ("person",), "get", False),
    Route("person-photo", ("person",), "get", False),
    Route("organization-list", (), "get", False),
    Route("organization-detail", ("org",), "get", False),
    Route("organization-suggest", (), "get", False),
    Route("partners", (), "get", False),
    Route("person-new", (), "get", True),
    Route("person-new", (), "post", True),
    Route("person-edit", ("person",), "get", True),
    Route("person-edit", ("person",), "post", True),
    Route("affiliation-add", ("person",), "get", True),
    Route("affiliation-add", ("person",), "post", True),
    Route("affiliation-end", ("person", "affiliation"), "post", True),
    Route("organization-new", (), "get", True),
    Route("organization-new", (), "post", True),
    Route("organization-edit", ("org",), "get", True),
    Route("organization-edit", ("org",), "post", True),
    Route("organization-noticed", ("org",), "post", True),
    Route("partner-follow-up", ("org",), "post", True),
    Route("duplicates", (), "get", False),
    Route("merge", ("person", "person2"), "get", True),
    Route("merge", ("person", "person2"), "post", True, (("first_name", "other"),)),
    Route("duplicate-dismiss", ("person", "person2"), "post", True),
    Route("person-bulk", (), "post", True),
    Route("person-bulk-undo", (), "post", True),
]
POST_DATA = {
    "first_name": "Changed",
    "name": "Changed",
    "organization": "Changed Org",
    "summary": "Changed",
}


def _objects(workspace) -> dict:
    person = make_person(workspace, organization=make_org(workspace))
    person.photo.save("p.png", ContentFile(image_bytes("PNG")))
    return {
        "person": person.pk,
        "person2": make_person(workspace, first_name=person.first_name).pk,
        "org": person.affiliations.get().organization_id,
        "affiliation": person.affiliations.get().pk,
    }


@pytest.fixture
def ours(workspace):
    return _objects(workspace)


@pytest.fixture
def theirs(other_workspace):
    return _objects(other_workspace)


def _call(client: Client, route: Route, slug: str, ids: dict):
    path = reverse(f"people:{route.name}", args=[slug, *(ids[a] for a in route.args)])
    if route.method == "post":
        return client.post(path, POST_DATA if route.data is None else dict(route.data))
    return client.get(path)


def _snapshot() -> tuple:
    return (
        list(Person.objects.values_list("id", "first_name").order_by("id")),
        list(Organization.objects.values_list("id", "name").order_by("id")),
        list(Affiliation.objects.values_list("id", "ended_on").order_by("id")),
        Interaction.objects.count(),
    )


def test_it_has_a_matrix_entry_for_every_url():
    assert {p.name for p in people_urls.urlpatterns} == {r.name for r in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method}-{r.name}")
def test_it_sends_anonymous_visitors_to_log_in(client, workspace, ours, route):
    response = _call(client, route, workspace.slug, ours)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method}-{r.name}")
def test_it_hides_the_workspace_from_strangers(outsider_client, workspace, ours, route):
    before = _snapshot()
    assert _call(outsider_client, route, workspace.slug, ours).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.args], ids=lambda r: f"{r.method}-{r.name}"
)
def test_it_404s_another_workspaces_ids(owner_client, workspace, ours, theirs, route):
    before = _snapshot()
    assert _call(owner_client, route, workspace.slug, theirs).status_code == 404
    if "affiliation" in route.args:  # our person, their affiliation
        mixed = {**ours, "affiliation": theirs["affiliation"]}
        assert _call(owner_client, route, workspace.slug, mixed).status_code == 404
    if "person2" in route.args:  # one of ours with one of theirs, either way round
        for mixed in ({**ours, "person2": theirs["person"]}, {**theirs, "person2": ours["person"]}):
            assert _call(owner_client, route, workspace.slug, mixed).status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.write], ids=lambda r: f"{r.method}-{r.name}"
)
def test_it_refuses_writes_to_viewers(viewer_client, workspace, ours, route):
    before = _snapshot()
    assert _call(viewer_client, route, workspace.slug, ours).status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if not r.write], ids=lambda r: f"{r.method}-{r.name}"
)
def test_it_lets_viewers_read(viewer_client, workspace, ours, route):
    assert _call(viewer_client, route, workspace.slug, ours).status_code == 200


def test_it_hides_write_buttons_from_viewers(viewer_client, workspace, ours):
    body = viewer_client.get(
        reverse("people:person-detail", args=[workspace.slug, ours["person"]])
    ).content.decode()
    assert reverse("people:person-edit", args=[workspace.slug, ours["person"]]) not in body
    assert "Log an interaction" not in body


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.write], ids=lambda r: f"{r.method}-{r.name}"
)
def test_it_lets_teammates_write(teammate_client, workspace, ours, route):
    # 303: a form posted back to a page it names (`redirect_back`)
    assert _call(teammate_client, route, workspace.slug, ours).status_code in (200, 302, 303)
