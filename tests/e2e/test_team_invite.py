"""Inviting a colleague in real browsers, on a 375 px phone: the owner makes a link and
copies it; a second browser signs up with the invited address and lands in the
workspace; the used link then refuses a third browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
PHONE = {"width": 375, "height": 800}


def test_an_invitation_link_lets_one_person_join(page, browser, live_server, django_user_model):
    from followthrough.site.services import workspace_open
    from followthrough.workspaces.models import Membership, Role

    owner = django_user_model.objects.create_user(
        "dana@example.org", "dana@example.org", "pw-dana-123456", first_name="Dana"
    )
    workspace = workspace_open(name="Riverside Literacy", owner=owner)
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, live_server.url, "dana@example.org", "pw-dana-123456")

    page.goto(f"{live_server.url}/w/{workspace.slug}/settings/members/")
    assert page.evaluate(PAGE_WIDTH) <= 375
    page.get_by_label("Their e-mail").fill("Nia@Example.org")
    page.locator("#id_role").select_option("viewer")  # its label also holds the options
    page.get_by_role("button", name="Make an invitation link").click()
    expect(page.get_by_text("makes them a viewer")).to_be_visible()
    link = page.get_by_label("Invitation link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/accounts/invite/[\w-]{{40,}}/", link)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    expect(
        page.get_by_role("button", name="Revoke the invitation of nia@example.org")
    ).to_be_visible()
    assert page.evaluate(PAGE_WIDTH) <= 375
    assert_accessible(page)

    newcomer = browser.new_context(viewport=PHONE, bypass_csp=True)
    try:
        nia = newcomer.new_page()
        nia.goto(link)
        expect(nia.get_by_role("heading", name="Join Riverside Literacy")).to_be_visible()
        assert nia.evaluate(PAGE_WIDTH) <= 375
        nia.get_by_role("button", name="Create an account").click()
        email = nia.get_by_label("E-mail")
        expect(email).to_have_value("nia@example.org")
        expect(email).to_be_disabled()
        nia.get_by_label("Your name").fill("Nia Park")
        nia.get_by_label("Password").fill("a long pass phrase for nia")
        assert_accessible(nia)
        nia.get_by_role("button", name="Create account").click()
        expect(nia.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        expect(nia).to_have_url(re.compile(rf"/w/{workspace.slug}/$"))
    finally:
        newcomer.close()
    assert Membership.objects.get(user__email="nia@example.org").role == Role.VIEWER

    stranger = browser.new_context(viewport=PHONE)
    try:
        eve = stranger.new_page()
        eve.goto(link)
        expect(
            eve.get_by_role("heading", name="This invitation link does not work")
        ).to_be_visible()
        expect(eve.get_by_text("used already")).to_be_visible()
        eve.goto(f"{live_server.url}/accounts/signup/?invite={link.rstrip('/').rsplit('/', 1)[1]}")
        expect(
            eve.get_by_role("heading", name="This invitation link does not work")
        ).to_be_visible()
    finally:
        stranger.close()
    assert Membership.objects.filter(workspace=workspace).count() == 2

    # The owner's team page now lists Nia, with her role selected.
    page.goto(f"{live_server.url}/w/{workspace.slug}/settings/members/")
    expect(page.get_by_label("Role of nia@example.org")).to_have_value("viewer")
    assert page.evaluate(PAGE_WIDTH) <= 375
