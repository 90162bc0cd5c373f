"""The follow-up rooms' pages, as a new owner meets them: mail settings and templates,
the outbox, sequences (the suggested one added), reminders, the worker status page and
the mailbox page — each loads and axe finds nothing serious, at 1280 and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = [
    ("mail/settings/", "E-mail settings"),
    ("mail/templates/", "E-mail templates"),
    ("mail/outbox/", "Outbox"),
    ("mail/profile/", "Your sender profile"),
    ("sequences/", "Sequences"),
    ("settings/reminders/", "Reminders"),
    ("settings/status/", "Worker status"),
    ("mailbox/", "Your mailbox"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_follow_up_pages_are_accessible(browser, live_server, django_user_model, width):
    from followthrough.site.services import workspace_open

    user = django_user_model.objects.create_user(
        "ria@example.org", "ria@example.org", "pw-ria-1234"
    )
    workspace = workspace_open(name="Ria Org", owner=user)
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server.url, "ria@example.org", "pw-ria-1234")
    base = f"{live_server.url}/w/{workspace.slug}/"
    page.goto(base + "sequences/")
    page.get_by_role("button", name="Add").first.click()
    for path, heading in PAGES:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        width_used = page.evaluate("document.documentElement.scrollWidth")
        assert width_used <= width, f"{path} is {width_used}px wide at {width}px"
    context.close()
