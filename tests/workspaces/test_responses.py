"""The shared response helpers: `see_other` (and `redirect_back`, which uses it)."""

from __future__ import annotations

from django.test import RequestFactory

from followthrough.workspaces.access import redirect_back
from followthrough.workspaces.responses import see_other


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
