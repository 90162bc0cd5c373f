"""Noticing and intersecting in a real browser: describe our own organization, see where
another organization's work meets ours, follow up with someone there from Potential
partners and find it on their page, with why to get to know them; a second user, a
viewer, sees the reasons but no buttons."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _set_up(django_user_model):
    from followthrough.people.services import organization_create, person_create
    from followthrough.site.services import workspace_open
    from followthrough.workspaces.models import Membership, Role

    owner = django_user_model.objects.create_user(
        "rosa@example.org", "rosa@example.org", "pw-rosa-123456"
    )
    workspace = workspace_open(name="Riverside Literacy", owner=owner)
    seniors = organization_create(
        workspace=workspace,
        name="Eastport Seniors",
        offers="volunteer drivers with vans",
        location="Riverside",
    )
    person_create(workspace=workspace, first_name="Dana", last_name="Ito", organization=seniors)
    viewer = django_user_model.objects.create_user(
        "vic@example.org", "vic@example.org", "pw-vic-1234567"
    )
    Membership.objects.create(workspace=workspace, user=viewer, role=Role.VIEWER)
    return workspace


def test_our_profile_then_partners_then_a_follow_up_on_today(
    browser, page, live_server, django_user_model
):
    workspace = _set_up(django_user_model)
    base = f"{live_server.url}/w/{workspace.slug}"
    log_in(page, live_server.url, "rosa@example.org", "pw-rosa-123456")

    page.goto(base + "/organizations/partners/")
    expect(page.get_by_text("Describe your own organization first")).to_be_visible()
    page.get_by_role("link", name="edit your profile").click()
    page.get_by_label("What we need").fill("volunteer drivers\na room for evening classes")
    page.get_by_label("Location").fill("Riverside")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("What we need")).to_be_visible()

    page.goto(base + "/organizations/partners/")
    row = page.locator("ol.partners > li").filter(has_text="Eastport Seniors")
    expect(
        row.get_by_text("They offer volunteer drivers with vans — you need volunteer drivers")
    ).to_be_visible()
    expect(row.get_by_text("Also in Riverside")).to_be_visible()
    assert_accessible(page)
    row.get_by_role("button", name="Follow up with Dana Ito").click()
    expect(page.get_by_text("Follow-up with Dana Ito added.")).to_be_visible()

    page.goto(base + "/people/")
    page.get_by_role("link", name="Dana Ito").click()
    expect(page.get_by_role("heading", name="Why get to know them")).to_be_visible()
    expect(page.get_by_text("Get to know Eastport Seniors").first).to_be_visible()

    viewer = browser.new_context(bypass_csp=True).new_page()
    log_in(viewer, live_server.url, "vic@example.org", "pw-vic-1234567")
    viewer.goto(base + "/organizations/partners/")
    expect(viewer.get_by_text("you need volunteer drivers")).to_be_visible()
    expect(viewer.get_by_role("button", name=re.compile("Follow up"))).to_have_count(0)
    viewer.context.close()
