"""Outreach in a browser: log an e-mail on Today (and undo it), see "waiting for a reply"
on the person's page, see the nudge on Today once the first gap has passed, record their
reply, and see the outreach closed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_log_wait_nudge_reply(page, live_server, django_user_model):
    from followthrough.relationships.services import follow_up_create, relationship_log_interaction
    from followthrough.site.services import workspace_open
    from tests.factories import make_person

    user = django_user_model.objects.create_user(
        "oli@example.org", "oli@example.org", "pw-oli-1234"
    )
    workspace = workspace_open(name="Oli Org", owner=user)
    lee = make_person(workspace, first_name="Lee", last_name="Park")
    follow_up_create(person=lee, title="Thank Lee", due_at=timezone.now() - timedelta(hours=1))
    log_in(page, live_server.url, "oli@example.org", "pw-oli-1234")
    today = f"{live_server.url}/w/{workspace.slug}/"
    person_page = f"{today}people/{lee.pk}/"

    # One click on Today: a message with an Undo, which takes the keyboard focus.
    page.goto(today)
    page.get_by_role("button", name="Log e-mail to Lee Park").click()
    expect(page.get_by_text("Logged e-mail sent to Lee Park: waiting for a reply.")).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_focused()
    assert_accessible(page)
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Undone: Logged e-mail sent to Lee Park")).to_be_visible()
    expect(page.get_by_text("Thank Lee")).to_be_visible()

    page.get_by_role("button", name="Log e-mail to Lee Park").click()
    # The answer, not the "Undone: …" before it, which says the same words after "Undone:".
    expect(page.locator(".answer")).to_have_text(re.compile(r"^Logged e-mail sent to Lee Park"))
    page.goto(person_page)
    expect(page.locator(".badge-waiting")).to_have_text("waiting for a reply")
    expect(page.get_by_role("button", name="Add a follow-up")).to_be_visible()

    # An earlier e-mail, logged late: sent five days ago, past the first gap (4 days).
    relationship_log_interaction(
        person=lee, kind="email_sent", occurred_at=timezone.now() - timedelta(days=5)
    )
    page.goto(today)
    expect(
        page.get_by_text(re.compile(r"no reply from Lee Park since .* — nudge #1"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"They replied\W+Lee Park")).click()
    expect(page.get_by_text("Lee Park replied: outreach closed.")).to_be_visible()
    expect(page.get_by_text("nudge #1")).to_have_count(0)

    page.goto(person_page)
    expect(page.get_by_text("Nothing waiting for a reply.")).to_be_visible()
    expect(page.get_by_text("replied.")).to_be_visible()
    expect(page.locator(".badge-waiting")).to_have_count(0)


def test_focus_moves_to_the_next_row(page, live_server, django_user_model):
    from followthrough.relationships.services import follow_up_create
    from followthrough.site.services import workspace_open
    from tests.factories import make_person

    user = django_user_model.objects.create_user(
        "kai@example.org", "kai@example.org", "pw-kai-1234"
    )
    workspace = workspace_open(name="Kai Org", owner=user)
    for hours, name in ((3, "Ada"), (2, "Ben"), (1, "Cy")):
        person = make_person(workspace, first_name=name, last_name="Row")
        follow_up_create(
            person=person, title=f"Thank {name}", due_at=timezone.now() - timedelta(hours=hours)
        )
    log_in(page, live_server.url, "kai@example.org", "pw-kai-1234")
    page.goto(f"{live_server.url}/w/{workspace.slug}/")
    rows = page.locator("#due-heading + ul > li")
    expect(rows).to_have_count(3)
    rows.nth(1).get_by_role("button", name="Done").click()
    expect(rows).to_have_count(2)
    # Cy's row took Ben's place and has the keyboard focus; Ada's is untouched.
    expect(rows.nth(1)).to_be_focused()
    expect(rows.nth(1)).to_contain_text("Cy Row")
    expect(rows.nth(0)).to_contain_text("Ada Row")
