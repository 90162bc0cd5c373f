"""A coffee invitation's chosen time becomes a meeting on the timeline and on Today."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from followthrough.exchange.backup.restore import workspace_restore
from followthrough.exchange.backup.writer import backup_chunks
from followthrough.mail.models import EmailTemplate, MailSettings, Meeting, SenderProfile
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.people.merge import person_merge
from followthrough.relationships.models import FollowUp, FollowUpStatus
from tests.factories import make_person


def send_invitation(client, workspace, person, capture):
    url = reverse("mail:compose", args=[workspace.slug, person.pk]) + "?purpose=coffee"
    soon = timezone.localtime(timezone.now(), ZoneInfo(workspace.timezone)) + timedelta(days=2)
    times = [(soon + timedelta(days=n)).strftime("%Y-%m-%dT10:00") for n in range(3)]
    with capture(execute=True):
        client.post(url, {"action": "send", "to": "ada@northside.example", "subject": "Coffee?",
                          "body": "Hi", "time_1": times[0], "time_2": times[1],
                          "time_3": times[2], "minutes": "30", "place": "Café Nord"})  # fmt: skip
    return times


def test_they_chose_a_time(
    owner_client, workspace, ada, smtp_settings, smtp_server, django_capture_on_commit_callbacks
):
    workspace.timezone = "America/New_York"
    workspace.save()
    times = send_invitation(owner_client, workspace, ada, django_capture_on_commit_callbacks)
    assert Outreach.objects.get(person=ada).state == OutreachState.WAITING
    page = reverse("people:person-detail", args=[workspace.slug, ada.pk])
    html = owner_client.get(page).content.decode()
    assert html.count("They chose") == 3
    message = ada.outgoing_messages.get()
    response = owner_client.post(
        reverse("mail:invitation-confirm", args=[workspace.slug, message.pk]), {"proposal": "1"}
    )
    assert response.status_code == 303
    meeting = Meeting.objects.get(person=ada)
    new_york = ZoneInfo("America/New_York")
    assert meeting.starts_at == datetime.strptime(times[1], "%Y-%m-%dT%H:%M").replace(
        tzinfo=new_york
    )
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=30)
    assert meeting.place == "Café Nord" and meeting.invitation == message
    assert Outreach.objects.get(person=ada).state == OutreachState.REPLIED  # their reply
    follow_up = FollowUp.objects.get(person=ada, status=FollowUpStatus.OPEN)
    assert follow_up.title == "Coffee with Ada Lovelace" and follow_up.due_at == meeting.starts_at
    html = owner_client.get(page).content.decode()
    assert "Upcoming meetings" in html and "They chose" not in html
    # Once chosen, a second choice is refused.
    owner_client.post(
        reverse("mail:invitation-confirm", args=[workspace.slug, message.pk]), {"proposal": "0"}
    )
    assert Meeting.objects.filter(person=ada).count() == 1


def test_a_proposal_out_of_range_is_404(
    owner_client, workspace, ada, smtp_settings, smtp_server, django_capture_on_commit_callbacks
):
    send_invitation(owner_client, workspace, ada, django_capture_on_commit_callbacks)
    message = ada.outgoing_messages.get()
    url = reverse("mail:invitation-confirm", args=[workspace.slug, message.pk])
    assert owner_client.post(url, {"proposal": "7"}).status_code == 404
    assert not Meeting.objects.exists()


def test_merging_people_keeps_their_messages_and_meetings(workspace, owner, ada):
    twin = make_person(workspace, first_name="Ada", last_name="L.")
    Meeting.objects.create(
        workspace=workspace, person=twin, starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    person_merge(keep=ada, other=twin, actor=owner)
    assert Meeting.objects.get().person == ada


def test_backup_and_restore_keep_mail_but_not_the_password(workspace, owner, ada):
    MailSettings.objects.create(
        workspace=workspace, host="smtp.example.org", from_address="team@riverside.example",
        password="secret-1",
    )  # fmt: skip
    SenderProfile.objects.create(
        workspace=workspace, user=owner, display_name="Alice", signature="A."
    )
    EmailTemplate.objects.create(
        workspace=workspace, key="mine", name="Mine", subject="S", body="B"
    )
    start = timezone.now().replace(microsecond=0)
    Meeting.objects.create(
        workspace=workspace, person=ada, starts_at=start, ends_at=start + timedelta(hours=1),
        place="Café", created_by=owner,
    )  # fmt: skip
    text = "".join(backup_chunks(workspace=workspace))
    restored = workspace_restore(stream=io.StringIO(text), slug="restored").workspace
    settings = MailSettings.objects.get(workspace=restored)
    assert settings.host == "smtp.example.org" and settings.password == ""
    assert SenderProfile.objects.get(workspace=restored).signature == "A."
    assert EmailTemplate.objects.get(workspace=restored, key="mine").body == "B"
    meeting = Meeting.objects.get(workspace=restored)
    assert meeting.starts_at == start and meeting.person.full_name == "Ada Lovelace"
    assert "".join(backup_chunks(workspace=restored)) == text


def test_a_meeting_today_is_on_today(owner_client, owner, workspace, ada):
    from followthrough.mail.invitations import proposals_json
    from followthrough.mail.models import MessageKind, MessageStatus, OutgoingMessage

    soon = timezone.now() + timedelta(minutes=1)
    message = OutgoingMessage.objects.create(
        workspace=workspace, person=ada, sender=owner, to_address="ada@northside.example",
        subject="Coffee?", body="x", kind=MessageKind.INVITATION, status=MessageStatus.SENT,
        message_id="c.1@riverside.example", proposals=proposals_json([soon], 30, ""),
    )  # fmt: skip
    owner_client.post(
        reverse("mail:invitation-confirm", args=[workspace.slug, message.pk]), {"proposal": "0"}
    )
    today = owner_client.get(reverse("agenda:today", args=[workspace.slug])).content.decode()
    assert "Coffee with Ada Lovelace" in today
