"""The weekly digest of a member with known data, sent to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from followthrough.events.services import attendance_add
from followthrough.outreach.services import outreach_open
from followthrough.people.services import organization_update
from followthrough.relationships.models import Relationship, Stage
from followthrough.relationships.services import follow_up_create
from followthrough.reminders.models import DigestSubscription
from followthrough.reminders.services import digest_send, digest_subscriptions_ensure
from followthrough.reminders.tasks import digest_tick
from tests.factories import add_member, make_event, make_org, make_person
from tests.reminders.conftest import text_and_html

BASE = "https://crm.example.org"


def _subscriptions_made_last_week():
    digest_subscriptions_ensure()
    DigestSubscription.objects.update(created_at=timezone.now() - timedelta(days=8))


@pytest.fixture
def week(workspace, owner, teammate, other_workspace):
    """Alice's week in Riverside Literacy, Bob's one follow-up, and Alice's follow-up in
    another workspace (she is a member there too)."""
    workspace.timezone = "America/Chicago"
    workspace.save()
    now = timezone.now()
    lee = make_person(workspace, first_name="Lee", last_name="<b>Park</b>")
    follow_up_create(person=lee, title="Thank Lee for the intro", due_at=now - timedelta(days=2),
                     assigned_to=owner)  # fmt: skip
    ana = make_person(workspace, first_name="Ana", last_name="Diaz")
    follow_up_create(person=ana, title="Send the grant draft", due_at=now + timedelta(days=3),
                     assigned_to=owner)  # fmt: skip
    later = make_person(workspace, first_name="Later", last_name="Person")
    follow_up_create(person=later, title="Next month", due_at=now + timedelta(days=20),
                     assigned_to=owner)  # fmt: skip
    bobs = make_person(workspace, first_name="Bobs", last_name="Contact")
    follow_up_create(person=bobs, title="Bob's call", due_at=now, assigned_to=teammate)
    sam = make_person(workspace, first_name="Sam", last_name="Reed")
    outreach_open(person=sam, kind="email", sent_at=now - timedelta(days=30), by=owner)
    kim = make_person(workspace, first_name="Kim", last_name="Lo")
    Relationship.objects.filter(person=kim).update(
        stage=Stage.MET, next_touch_due=now - timedelta(days=5), owner=owner
    )
    organization_update(organization=workspace.organization, needs="volunteer drivers")
    drivers = make_org(workspace, name="Eastport Seniors", offers="volunteer drivers")
    event = make_event(workspace, starts_at=now + timedelta(days=2), title="Harbor Breakfast")
    nia = make_person(workspace, first_name="Nia", last_name="Ray", organization=drivers)
    attendance_add(event=event, person=nia)
    make_event(workspace, starts_at=now + timedelta(days=10), title="Far Gala")
    add_member(other_workspace, owner)
    stranger = make_person(other_workspace, first_name="Marker", last_name="Elsewhere")
    follow_up_create(person=stranger, title="Other workspace", due_at=now, assigned_to=owner)
    _subscriptions_made_last_week()
    return {"lee": lee, "ana": ana, "sam": sam, "kim": kim, "event": event, "nia": nia}


def test_it_sends_one_digest_per_member_with_their_own_items(smtp, week, workspace, owner):
    digest_tick()
    alices = [m for m in smtp.to(owner.email) if "Riverside Literacy" in m["Subject"]]
    assert len(alices) == 1
    message = alices[0]
    assert message["Subject"] == "Your week in Riverside Literacy: 4 to do"
    text, html = text_and_html(message)
    slug = workspace.slug
    person = f"{BASE}/w/{slug}/people/{{}}/"
    assert [line for line in text.splitlines() if line in (
        "Follow up", "Waiting for a reply", "Slipping away", "Coming up this week")] == [
        "Follow up", "Waiting for a reply", "Slipping away", "Coming up this week"]  # fmt: skip
    assert "- Lee <b>Park</b>: Thank Lee for the intro — overdue since" in text
    due = timezone.localtime(timezone.now() + timedelta(days=3), ZoneInfo("America/Chicago"))
    assert f"- Ana Diaz: Send the grant draft — due {due:%a} {due.day} {due:%b, %H:%M}" in text
    assert person.format(week["lee"].pk) in text and person.format(week["ana"].pk) in text
    assert "- Sam Reed: E-mail sent" in text and "nudge #1" in text
    assert "- Kim Lo: Met, last in touch" in text or "- Kim Lo: Met, never in touch" in text
    assert "- Harbor Breakfast:" in text
    assert f"{BASE}/w/{slug}/events/{week['event'].pk}/" in text
    assert "At Harbor Breakfast, try to meet:\n- Nia Ray — at Eastport Seniors" in text
    for absent in ("Next month", "Bob's call", "Bobs Contact", "Far Gala", "Marker", "Other "
                   "workspace"):  # fmt: skip
        assert absent not in text and absent not in html
    assert "Lee &lt;b&gt;Park&lt;/b&gt;" in html and "<b>Park</b>" not in html
    assert f'<a href="{person.format(week["lee"].pk)}">' in html
    assert f"{BASE}/reminders/unsubscribe/" in text


def test_each_member_gets_their_own(smtp, week, teammate):
    digest_tick()
    bobs = smtp.to(teammate.email)
    assert len(bobs) == 1
    text, _ = text_and_html(bobs[0])
    assert "Bobs Contact: Bob's call" in text and "Lee" not in text and "Harbor Breakfast" in text


def test_it_carries_one_click_unsubscribe_headers(smtp, week, owner):
    digest_tick()
    message = smtp.to(owner.email)[0]
    text, _ = text_and_html(message)
    link = str(message["List-Unsubscribe"]).strip()  # folded: it is a long line
    assert link.startswith(f"<{BASE}/reminders/unsubscribe/") and link.endswith("/>")
    assert link[1:-1] in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_workspace_with_its_own_mail_server_sends_its_digest_there(
    settings, smtp_server, smtp_down, week, workspace, owner
):
    from followthrough.mail.models import MailSettings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_down  # the installation's: refused
    MailSettings.objects.create(
        workspace=workspace, host=smtp_server.host, port=smtp_server.port, security="none",
        from_address="team@riverside.example", from_name="Riverside Literacy", timeout=5,
    )  # fmt: skip
    digest_tick()
    sent = [m for m in smtp_server.to(owner.email) if "Riverside" in m["Subject"]]
    assert len(sent) == 1
    assert sent[0]["From"] == "Riverside Literacy <team@riverside.example>"


def test_running_the_job_twice_sends_once(smtp, week, owner):
    digest_tick()
    digest_tick()
    subscription = DigestSubscription.objects.get(workspace=week["lee"].workspace, user=owner)
    assert digest_send(subscription_id=subscription.pk) is False
    assert len([m for m in smtp.to(owner.email) if "Riverside" in m["Subject"]]) == 1


def test_a_failed_send_frees_the_slot_for_a_retry(settings, week, workspace, owner):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    subscription = DigestSubscription.objects.get(workspace=workspace, user=owner)
    with pytest.raises(OSError):
        digest_send(subscription_id=subscription.pk)
    subscription.refresh_from_db()
    assert subscription.last_sent_at is None


def test_an_empty_week_sends_nothing_and_is_not_due_again(smtp, workspace, owner):
    _subscriptions_made_last_week()
    digest_tick()
    assert smtp.received == []
    assert DigestSubscription.objects.get(user=owner).last_sent_at is not None


def test_a_disabled_digest_or_a_former_member_gets_nothing(smtp, week, workspace, owner, teammate):
    DigestSubscription.objects.filter(user=owner).update(enabled=False)
    workspace.memberships.filter(user=teammate).delete()
    digest_tick()
    # Alice is still sent her other workspace's digest: only Riverside's stop.
    assert all("Riverside" not in m["Subject"] for _, m in smtp.received)


def test_a_new_member_waits_for_their_first_slot(smtp, week, workspace):
    newcomer = add_member(workspace)
    digest_tick()
    assert smtp.to(newcomer.email) == []
    assert DigestSubscription.objects.filter(user=newcomer, workspace=workspace).exists()
