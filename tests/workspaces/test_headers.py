"""Signed-in pages, and their HTMX fragments, are never cached (`Cache-Control:
no-store`): they hold a team's contacts."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize("htmx", [False, True])
def test_a_signed_in_page_is_not_stored(owner_client, workspace, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = owner_client.get(reverse("people:person-list", args=[workspace.slug]), **headers)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
