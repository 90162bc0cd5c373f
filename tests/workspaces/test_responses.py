"""The shared response helpers: `see_other` (and `redirect_back`, which uses it), and the
page or its HTMX fragment (`is_partial`, `render_page_or_partial`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

import followthrough
from followthrough.workspaces import responses
from followthrough.workspaces.access import redirect_back
from followthrough.workspaces.responses import is_partial, render_page_or_partial, see_other


def test_see_other_is_a_303_to_a_url():
    response = see_other("/w/demo/people/?q=ada")
    assert response.status_code == 303
    assert response["Location"] == "/w/demo/people/?q=ada"


def test_see_other_takes_a_view_name_and_its_arguments():
    response = see_other("people:person-detail", "demo", 7)
    assert response.status_code == 303
    assert response["Location"] == "/w/demo/people/7/"


def test_redirect_back_sees_other_to_a_local_next_else_to_the_default():
    factory = RequestFactory()
    back = redirect_back(factory.post("/x/", {"next": "/w/demo/today/?who=mine"}), "/d/")
    assert (back.status_code, back["Location"]) == (303, "/w/demo/today/?who=mine")
    away = redirect_back(factory.post("/x/", {"next": "https://evil.example/"}), "/d/")
    assert (away.status_code, away["Location"]) == (303, "/d/")


def test_redirect_back_ignores_a_next_that_is_not_a_path():
    # Once a 500: a bare word was reversed as a view name.
    for junk in ("nonsense", "home", "people:person-list", "javascript:alert(1)"):
        response = redirect_back(RequestFactory().post("/x/", {"next": junk}), "/d/")
        assert (response.status_code, response["Location"]) == (303, "/d/"), junk


# --- The page or its HTMX fragment --------------------------------------------------------


def _request(**headers: str) -> HttpRequest:
    request = RequestFactory().get("/w/demo/people/", headers=headers)
    request.htmx = HtmxDetails(request)  # as django-htmx's middleware does
    return request


HTMX = {"HX-Request": "true"}
RESTORE = {**HTMX, "HX-History-Restore-Request": "true"}


def test_it_answers_htmx_with_the_fragment_but_a_history_restore_with_the_page():
    assert not is_partial(_request())
    assert is_partial(_request(**HTMX))
    assert not is_partial(_request(**RESTORE))  # htmx needs the whole page to restore it
    assert not is_partial(_request(**{"HX-Request": "false"}))


def test_it_can_ask_for_the_target_the_fragment_is_for():
    aimed = _request(**HTMX, **{"HX-Target": "person-results"})
    assert is_partial(aimed, target="person-results")
    assert not is_partial(aimed, target="today-list")
    assert not is_partial(_request(**HTMX), target="person-results")


@pytest.fixture
def rendered(monkeypatch):
    """`render` stood in for: the answer names the template it would have rendered."""

    def render(request, template, context, status=200):
        return HttpResponse(template, status=status)

    monkeypatch.setattr(responses, "render", render)


@pytest.mark.usefixtures("rendered")
def test_the_fragment_is_a_200_whatever_the_pages_status_and_both_vary():
    for headers, template, status in [
        ({}, "page", 400),
        (HTMX, "part", 200),
        (RESTORE, "page", 400),
    ]:
        response = render_page_or_partial(_request(**headers), "page", "part", {}, status=400)
        assert (response.content.decode(), response.status_code) == (template, status)
        assert "HX-Request" in response["Vary"]
        assert "HX-History-Restore-Request" in response["Vary"]


@pytest.mark.usefixtures("rendered")
def test_an_answer_that_depends_on_the_target_varies_on_it():
    request = _request(**HTMX, **{"HX-Target": "t"})
    assert "HX-Target" in render_page_or_partial(request, "p", "f", {}, target="t")["Vary"]
    assert "HX-Target" not in render_page_or_partial(request, "p", "f", {})["Vary"]


def test_views_leave_telling_htmx_requests_apart_to_the_helper():
    package = Path(followthrough.__file__).parent
    own = package / "workspaces" / "responses.py"
    pattern = re.compile(r"request\.htmx|HX-Request|HTTP_HX_|HX-History-Restore")
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path != own
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
