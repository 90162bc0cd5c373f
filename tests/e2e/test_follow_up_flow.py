"""The whole follow-up loop in a browser, as issue 11 tells it: pick a person at an
event, send the thank-you from a template (to a real SMTP server on loopback), see
"waiting for a reply", let five days pass (past the first gap of four), see the nudge on
Today, import their reply (an .eml answering our message), and see the outreach closed
and the relationship moved on."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.smtp import smtp_server  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _reply_to(sent: EmailMessage, at) -> bytes:
    """Lee's answer, as their mail program would write it."""
    reply = EmailMessage()
    reply["From"] = "Lee Park <lee@example.org>"
    reply["To"] = sent["From"]
    reply["Subject"] = "Re: " + sent["Subject"]
    reply["Date"] = format_datetime(at)
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = sent["Message-ID"]
    reply.set_content("Lovely to meet you too — coffee next week?\n")
    return bytes(reply)


def test_pick_send_wait_nudge_reply(page, live_server, django_user_model, smtp_server, tmp_path):  # noqa: F811
    from followthrough.events.services import attendance_add, event_create
    from followthrough.mail.models import MailSettings, SenderProfile
    from followthrough.site.services import workspace_open
    from tests.factories import make_person

    oli = django_user_model.objects.create_user("oli@example.org", "oli@example.org", "pw-oli-1234")
    workspace = workspace_open(name="Oli Org", owner=oli)
    MailSettings.objects.create(
        workspace=workspace, host=smtp_server.host, port=smtp_server.port, security="none",
        from_address="team@oli.example", from_name="Oli Org", timeout=5,
    )  # fmt: skip
    SenderProfile.objects.create(
        workspace=workspace, user=oli, display_name="Oli", signature="Oli, Oli Org"
    )
    event = event_create(
        workspace=workspace, title="Harbor Breakfast", starts_at=timezone.now() - timedelta(hours=3)
    )
    lee = make_person(workspace, first_name="Lee", last_name="Park", emails=["lee@example.org"])
    attendance_add(event=event, person=lee)
    base = f"{live_server.url}/w/{workspace.slug}/"
    log_in(page, live_server.url, "oli@example.org", "pw-oli-1234")

    # Pick Lee at the event: a follow-up on Today.
    page.goto(f"{base}events/{event.pk}/")
    stage = page.locator("dt:text-is('Stage') + dd .badge").first
    page.get_by_role("button", name=re.compile(r"Pick to get to know\W+Lee Park")).click()
    expect(page.locator(".badge-picked")).to_be_visible()
    page.goto(base)
    expect(page.locator("#focus-heading + ul")).to_contain_text("Lee Park")

    # The thank-you, from its template, previewed, then sent over SMTP.
    page.goto(f"{base}people/{lee.pk}/")
    before = stage.inner_text()
    page.get_by_role("link", name="Write an e-mail").click()
    page.get_by_role("link", name="Thank-you after an event").click()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview")).to_contain_text("Hi Lee")
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".badge-waiting")).to_have_text("waiting for a reply")
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["To"] == "Lee Park <lee@example.org>"
    assert "Harbor Breakfast" in sent["Subject"]
    assert "Oli, Oli Org" in sent.get_content()

    # Five days on, no answer: Today offers nudge #1.
    later = timezone.now() + timedelta(days=5)
    with time_machine.travel(later, tick=True):
        page.goto(base)
        expect(
            page.get_by_text(re.compile(r"no reply from Lee Park since .* — nudge #1"))
        ).to_be_visible()
        assert_accessible(page)

        # Their reply comes back in a saved .eml: the outreach closes.
        reply = tmp_path / "reply.eml"
        reply.write_bytes(_reply_to(sent, later))
        page.goto(f"{base}import/")
        page.get_by_label("E-mail: .mbox or .eml").set_input_files(str(reply))
        page.get_by_role("button", name="Import the mail").click()
        counts = page.locator(".import-counts")
        expect(counts.locator("div", has_text="Received")).to_contain_text("1")
        expect(counts.locator("div", has_text="Replies found by thread")).to_contain_text("1")

        page.goto(base)
        expect(page.get_by_text("nudge #1")).to_have_count(0)
        page.goto(f"{base}people/{lee.pk}/")
        expect(page.get_by_text("Nothing waiting for a reply.")).to_be_visible()
        expect(page.locator(".badge-waiting")).to_have_count(0)
        expect(page.get_by_text(re.compile(r"Re: .*Harbor Breakfast")).first).to_be_visible()
        # Met at the event, then followed up: the e-mail moved the stage on.
        expect(stage).to_have_text("Followed up")
        assert before != "Followed up"
