"""Sending to a real SMTP server on 127.0.0.1 (aiosmtpd): what arrives, and what is
logged once it did."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import getaddresses
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from followthrough.mail.models import MessageKind, MessageStatus, OutgoingMessage, SenderProfile
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.relationships.models import Interaction, InteractionKind
from tests.factories import make_person


def compose_url(workspace, person, **query):
    url = reverse("mail:compose", args=[workspace.slug, person.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_send(client, url, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, {"action": "send", **data})


def test_compose_is_prefilled_from_the_template(owner_client, workspace, ada):
    response = owner_client.get(compose_url(workspace, ada, template="check-in"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "How are things, Ada?" in html
    assert "Northside Readers" in html
    assert "ada@northside.example" in html


def test_the_preview_shows_the_message_and_a_mailto_link(owner_client, workspace, ada):
    url = compose_url(workspace, ada, template="check-in")
    data = {"action": "preview", "to": "ada@northside.example", "subject": "Hi & hello",
            "body": "Line one\nLine <two>"}  # fmt: skip
    html = owner_client.post(url, data).content.decode()
    assert "Line &lt;two&gt;" in html  # escaped in the page
    assert (
        "mailto:ada@northside.example?subject=Hi%20%26%20hello&amp;body=Line%20one%0D%0ALine%20%3Ctwo%3E"
        in html
    )
    assert not Interaction.objects.filter(person=ada).exists()


def test_the_preview_is_an_htmx_fragment(owner_client, workspace, ada):
    url = compose_url(workspace, ada, template="check-in")
    data = {"action": "preview", "to": "ada@northside.example", "subject": "Hi", "body": "B"}
    response = owner_client.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="preview")
    html = response.content.decode()
    assert "<html" not in html and "Preview" in html


def test_send_delivers_with_the_right_headers_and_logs_it(
    owner_client, owner, workspace, ada, smtp_settings, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    SenderProfile.objects.create(
        workspace=workspace, user=owner, display_name="Alice Ørsted", signature="Alice\nRiverside"
    )
    url = compose_url(workspace, ada, template="check-in")
    response = post_send(owner_client, url, django_capture_on_commit_callbacks,
                         to="ada@northside.example", subject="How are things, Ada?",
                         body="Hi Ada,\n\nHow are you?\n\nAlice\n")  # fmt: skip
    assert response.status_code == 303
    [received] = smtp_server.messages
    assert received["Subject"] == "How are things, Ada?"
    assert getaddresses([str(received["From"])]) == [("Alice Ørsted", "team@riverside.example")]
    assert getaddresses([str(received["To"])]) == [("Ada Lovelace", "ada@northside.example")]
    assert received["Reply-To"].addresses[0].addr_spec == "alice@example.org"
    assert received.get_content().replace("\r\n", "\n") == "Hi Ada,\n\nHow are you?\n\nAlice\n"
    assert smtp_server.envelopes[0].rcpt_tos == ["ada@northside.example"]
    message = OutgoingMessage.objects.get(person=ada)
    assert message.status == MessageStatus.SENT and message.attempts == 1
    assert received["Message-ID"] == f"<{message.message_id}>"
    assert message.message_id.endswith("@riverside.example")
    interaction = Interaction.objects.get(person=ada)
    assert interaction.kind == InteractionKind.EMAIL_SENT
    assert interaction.message_id == message.message_id
    assert interaction.summary == "How are things, Ada?"
    assert message.interaction == interaction
    outreach = Outreach.objects.get(person=ada)  # the outreach hook opened it
    assert outreach.state == OutreachState.WAITING


@pytest.mark.parametrize(
    "name", ["Zoë Ñúñez-Łukasz 山田", 'O\'Brien, "Pat"', "Smith, Jane (ops) <x@y>"]
)
def test_display_names_arrive_encoded_and_intact(
    owner, workspace, smtp_settings, smtp_server, django_capture_on_commit_callbacks, name
):
    from followthrough.mail.services import Draft, message_queue

    person = make_person(workspace, first_name="Pat", emails=["pat@example.org"])
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(person=person, sender=owner,
                      draft=Draft("pat@example.org", name, "Hello", "Body"))  # fmt: skip
    [received] = smtp_server.messages
    raw = smtp_server.envelopes[0].original_content
    assert all(ord(c) < 128 for c in raw.decode("ascii"))  # every header encoded
    assert getaddresses([str(received["To"])]) == [(name, "pat@example.org")]
    assert smtp_server.envelopes[0].rcpt_tos == ["pat@example.org"]


def test_a_nudge_answers_the_earlier_message(
    owner_client, owner, workspace, ada, smtp_settings, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    from followthrough.relationships.services import relationship_log_interaction

    first = relationship_log_interaction(
        person=ada, kind=InteractionKind.EMAIL_SENT, summary="Hello", actor=owner,
        message_id="first.1@riverside.example",
    )  # fmt: skip
    outreach = Outreach.objects.get(person=ada, interaction=first)
    url = compose_url(workspace, ada, purpose="nudge", outreach=outreach.pk)
    assert "Following up" in owner_client.get(url).content.decode()
    post_send(owner_client, url, django_capture_on_commit_callbacks,
              to="ada@northside.example", subject="Following up", body="Bump")  # fmt: skip
    [received] = smtp_server.messages
    assert received["In-Reply-To"] == "<first.1@riverside.example>"
    assert received["References"] == "<first.1@riverside.example>"
    outreach.refresh_from_db()
    assert outreach.nudge_count == 1  # the send counted as the nudge


def test_a_coffee_invitation_carries_an_ics_that_parses_back(
    owner_client, owner, workspace, ada, smtp_settings, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    workspace.timezone = "Europe/Berlin"
    workspace.save()
    url = compose_url(workspace, ada, purpose="coffee")
    html = owner_client.get(url).content.decode()
    assert 'type="datetime-local"' in html and "Coffee, Ada?" in html
    post_send(owner_client, url, django_capture_on_commit_callbacks,
              to="ada@northside.example", subject="Coffee, Ada?", body="Hi Ada,\n\nCoffee?",
              time_1="2030-06-04T10:00", time_2="2030-06-05T15:30", time_3="",
              minutes="45", place="Café Nord")  # fmt: skip
    [received] = smtp_server.messages
    body = received.get_body(("plain",)).get_content()
    assert "Tuesday 4 June, 10:00" in body and "Wednesday 5 June, 15:30" in body
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = calendar.walk("VEVENT")
    assert len(events) == 2 and len({e["UID"] for e in events}) == 2
    berlin = ZoneInfo("Europe/Berlin")
    assert events[0].decoded("DTSTART") == datetime(2030, 6, 4, 10, 0, tzinfo=berlin)
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert events[0].decoded("DTEND") - events[0].decoded("DTSTART") == timedelta(minutes=45)
    assert events[0]["STATUS"] == "TENTATIVE" and events[0]["LOCATION"] == "Café Nord"
    attendee = events[0]["ATTENDEE"]
    assert str(attendee) == "mailto:ada@northside.example"
    assert attendee.params["CN"] == "Ada Lovelace" and attendee.params["RSVP"] == "TRUE"
    organizer = events[0]["ORGANIZER"]
    assert str(organizer) == "mailto:alice@example.org" and organizer.params["CN"] == "Alice Owner"
    message = OutgoingMessage.objects.get(person=ada)
    assert message.kind == MessageKind.INVITATION
    assert Interaction.objects.get(person=ada).kind == InteractionKind.INVITATION
