"""The core loop in a real browser: sign up, add an organization and a person, create an
event, pick a focus person, see the follow-up on Today, log a coffee, see the stage move."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_up(page, base: str) -> str:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert_accessible(page)
    page.get_by_role("link", name="Create an account and a workspace").click()
    page.get_by_label("Your name").fill("Dana Reyes")
    page.get_by_label("E-mail").fill("dana@example.org")
    page.get_by_label("Password").fill("a long pass phrase for dana")
    page.get_by_label("Your organization").fill("Riverside Literacy")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    expect(page.get_by_text("Nothing needs you today")).to_be_visible()
    assert_accessible(page)
    return page.url.rstrip("/")


def _add_organization_and_person(page, workspace_url: str) -> None:
    page.goto(workspace_url + "/organizations/")
    page.get_by_role("button", name="Add an organization").first.click()
    page.get_by_label("Name").fill("Riverside Food Bank")
    page.get_by_label("Mission").fill("No neighbor goes hungry.")
    page.get_by_role("button", name="Add organization").click()
    expect(page.get_by_role("heading", name="Riverside Food Bank")).to_be_visible()
    assert_accessible(page)

    page.goto(workspace_url + "/people/")
    page.get_by_role("button", name="Add a person").first.click()
    page.get_by_label("First name").fill("Lee")
    page.get_by_label("Last name").fill("Park")
    page.get_by_label("Organization", exact=True).fill("Riverside Food Bank")
    page.get_by_label("E-mail addresses").fill("lee@riverside.example")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", name="Lee Park")).to_be_visible()
    assert_accessible(page)

    page.goto(workspace_url + "/people/")
    page.get_by_label("Search people").press_sequentially("lee", delay=30)
    expect(page.get_by_role("link", name="Lee Park")).to_be_visible()


def _create_event_and_pick(page, workspace_url: str) -> None:
    page.goto(workspace_url + "/events/new/")
    starts = timezone.localtime() - timedelta(hours=2)
    page.get_by_label("Title").fill("Nonprofit breakfast")
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends").fill((starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Add event").click()
    expect(page.get_by_role("heading", name="Nonprofit breakfast")).to_be_visible()

    page.get_by_label("Find someone in your directory").press_sequentially("Lee", delay=30)
    page.get_by_role("button", name="Add Lee Park").click()
    # A visually hidden name part reads as "Pick to get to know : Lee Park".
    page.get_by_role("button", name=re.compile(r"Pick to get to know\W+Lee Park")).click()
    expect(page.locator(".badge-picked")).to_be_visible()
    assert_accessible(page)


def test_the_core_networking_loop(page, live_server):
    workspace_url = _sign_up(page, live_server.url)
    _add_organization_and_person(page, workspace_url)
    _create_event_and_pick(page, workspace_url)

    page.get_by_role("link", name="Today").click()
    focus = page.locator("#focus-heading").locator("..")
    expect(focus.get_by_role("link", name="Lee Park")).to_be_visible()
    assert_accessible(page)

    focus.get_by_role("button", name="Log…").click()
    page.get_by_label("What happened").select_option("coffee")
    page.get_by_label("Summary").fill("Coffee at Lulu's: tutors for the pantry kids")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()

    page.goto(workspace_url + "/people/")
    page.get_by_role("link", name="Lee Park").click()
    expect(page.get_by_text("Met one-to-one").first).to_be_visible()
    expect(page.get_by_text("Coffee at Lulu's: tutors for the pantry kids")).to_be_visible()


def test_quick_capture_fits_a_phone(browser, live_server, django_user_model):
    from followthrough.events.services import event_create
    from followthrough.site.services import workspace_open

    user = django_user_model.objects.create_user(
        "sam@example.org", "sam@example.org", "pw-sam-123456"
    )
    workspace = workspace_open(name="Phone Org", owner=user)
    event = event_create(
        workspace=workspace,
        title="Coalition mixer",
        starts_at=timezone.now() - timedelta(minutes=30),
    )
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, bypass_csp=True, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "sam@example.org", "pw-sam-123456")
    page.goto(f"{live_server.url}/w/{workspace.slug}/capture/")
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/capture/"))
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Ruiz")
    page.get_by_label("Get to know (focus pick)").check()
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_text("Added Ana Ruiz")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px phone"
    assert_accessible(page)
    context.close()


def test_today_actions_swap_the_list_in_place(page, live_server, django_user_model):
    from followthrough.people.services import person_create
    from followthrough.relationships.models import FollowUp, FollowUpStatus
    from followthrough.relationships.services import follow_up_create
    from followthrough.site.services import workspace_open

    user = django_user_model.objects.create_user(
        "kim@example.org", "kim@example.org", "pw-kim-123456"
    )
    workspace = workspace_open(name="Kim Org", owner=user)
    ana = person_create(workspace=workspace, first_name="Ana", last_name="Ruiz")
    ben = person_create(workspace=workspace, first_name="Ben", last_name="Okafor")
    follow_up_create(person=ana, title="Thank Ana", due_at=timezone.now())
    follow_up_create(person=ben, title="Call Ben", due_at=timezone.now())

    log_in(page, live_server.url, "kim@example.org", "pw-kim-123456")
    page.evaluate("window.__marker = 'still the same page'")

    due = page.locator("#due-heading").locator("..")
    due.locator("li", has_text="Thank Ana").get_by_role("button", name="Snooze 2 days").click()
    expect(due.get_by_text("Thank Ana")).to_have_count(0)
    due.locator("li", has_text="Call Ben").get_by_role("button", name="Done").click()
    expect(page.get_by_text("Nothing needs you today")).to_be_visible()
    assert page.evaluate("window.__marker") == "still the same page"  # swapped, not reloaded
    assert FollowUp.objects.get(title="Call Ben").status == FollowUpStatus.DONE
    assert FollowUp.objects.get(title="Thank Ana").snooze_count == 1
