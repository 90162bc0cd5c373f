"""The first hour of a new team, in real browsers on a fresh data directory: sign up
(the time zone comes from the browser), describe our organization, invite a colleague
(who joins from a second browser), import a real address book, add the next event and
pick someone there — and Today's getting-started checklist ticks itself off, step by
step, until it goes. axe-core finds nothing serious on any page visited, at 1280 and
375 px."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
CARD = (
    Path(__file__).resolve().parents[1]
    / "exchange"
    / "corpus"
    / "ez-vcard"
    / "src__test__resources__ezvcard__io__text__John_Doe_MAC_ADDRESS_BOOK.vcf"
)
PAGE_WIDTH = "() => document.documentElement.scrollWidth"
STEPS = [
    "Describe our organization",
    "Set our time zone",
    "Invite colleagues",
    "Bring our contacts in",
    "Add the next event",
    "Pick the people to meet there",
]


def _check(page) -> None:
    """axe at this width and at a phone's, and the page fits the phone."""
    assert_accessible(page)
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(PAGE_WIDTH) <= 375, page.url
    assert_accessible(page)
    page.set_viewport_size({"width": width, "height": 900})


def _ticked(page, base: str, slug: str) -> list[str]:
    page.goto(f"{base}/w/{slug}/")
    return [text.strip() for text in page.locator(".checklist li.done a").all_inner_texts()]


def test_the_first_hour_of_a_new_team(browser, live_server, settings):
    from followthrough.events.models import FocusPick
    from followthrough.workspaces.models import Membership, Workspace

    settings.MEDIA_ROOT = settings.DATA_DIR / "e2e-media"
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="America/Chicago", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)

    # Sign up: the time zone is the browser's.
    page.goto(f"{base}/accounts/signup/")
    expect(page.locator("select[data-timezone]")).to_have_value("America/Chicago")
    _check(page)
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("E-mail").fill("dana@example.org")
    page.get_by_label("Password").fill("a long pass phrase for dana")
    page.get_by_label("Your organization").fill("Harbor Mutual Aid")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    workspace = Workspace.objects.get(name="Harbor Mutual Aid")
    slug = workspace.slug
    assert (workspace.timezone, workspace.timezone_chosen) == ("America/Chicago", True)
    assert _ticked(page, base, slug) == ["Set our time zone"]
    _check(page)

    # Describe our organization, from the checklist.
    page.get_by_role("link", name="Describe our organization").click()
    expect(page.get_by_role("heading", name=re.compile("Our organization"))).to_be_visible()
    page.get_by_label("Mission").fill("Neighbours feeding neighbours, every week.")
    page.get_by_label("What we offer").fill("Volunteers and a cold store")
    page.get_by_label("What we need").fill("Drivers and a second van")
    _check(page)
    page.get_by_role("button", name="Save").click()
    assert "Describe our organization" in _ticked(page, base, slug)

    # Invite a colleague; she joins from a second browser.
    page.get_by_role("link", name="Invite colleagues").click()
    page.get_by_label("Their e-mail").fill("sam@example.org")
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    _check(page)
    colleague = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    try:
        sam = colleague.new_page()
        sam.goto(link)
        sam.get_by_role("button", name="Create an account").click()
        sam.get_by_label("Your name").fill("Sam Ortiz")
        sam.get_by_label("Password").fill("a long pass phrase for sam")
        sam.get_by_role("button", name="Create account").click()
        expect(sam.get_by_role("heading", name="Today", exact=True)).to_be_visible()
        assert_accessible(sam)
    finally:
        colleague.close()
    assert Membership.objects.filter(workspace=workspace).count() == 2
    assert "Invite colleagues" in _ticked(page, base, slug)

    # Bring contacts in: a real Apple address book card.
    page.get_by_role("link", name="Bring our contacts in").click()
    page.get_by_label("Format").select_option("vcard")
    page.get_by_label(re.compile(r"^File")).set_input_files(str(CARD))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    _check(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-status")).to_contain_text("Imported")
    assert "Bring our contacts in" in _ticked(page, base, slug)

    # The next event, and someone to meet there.
    page.get_by_role("link", name="Add the next event").click()
    starts = timezone.localtime(timezone=None) + timedelta(days=3)
    page.get_by_label("Title").fill("Harbor potluck")
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT18:00"))
    page.get_by_role("button", name="Add event").click()
    expect(page.get_by_role("heading", name="Harbor potluck")).to_be_visible()
    page.get_by_label("Find someone in your directory").press_sequentially("John", delay=30)
    page.get_by_role("button", name="Add John Doe").click()
    page.get_by_role("button", name=re.compile(r"Pick to get to know\W+John Doe")).click()
    expect(page.locator(".badge-picked")).to_be_visible()
    _check(page)
    assert FocusPick.objects.filter(workspace=workspace).count() == 1

    # All done: Today says so once, then the list is gone.
    page.goto(f"{base}/w/{slug}/")
    expect(page.get_by_text("All done — the team is set up.")).to_be_visible()
    assert sorted(page.locator(".checklist li.done a").all_inner_texts()) == sorted(STEPS)
    _check(page)
    page.reload()
    expect(page.get_by_role("heading", name="Getting started")).to_have_count(0)
    context.close()
