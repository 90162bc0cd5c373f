"""The mail pages: who may use them, what they refuse, and the password never shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from followthrough.exchange.backup.writer import backup_chunks
from followthrough.mail.models import EmailTemplate, MailSettings, OutgoingMessage, SenderProfile
from followthrough.mail.services import templates_ensure_defaults
from followthrough.outreach.models import Outreach, OutreachState
from followthrough.relationships.models import Interaction, InteractionKind
from tests.factories import make_person
from tests.mail.conftest import SECRET, point_at


def settings_data(**changes):
    data = {"host": "smtp.example.org", "port": "587", "security": "starttls",
            "username": "team", "from_address": "team@riverside.example",
            "from_name": "Riverside", "timeout": "20", "new_password": ""}  # fmt: skip
    return {**data, **changes}


def test_the_password_is_write_only(owner_client, workspace, owner, teammate_client, ada):
    url = reverse("mail:settings", args=[workspace.slug])
    assert owner_client.post(url, settings_data(new_password=SECRET)).status_code == 303
    assert MailSettings.objects.get(workspace=workspace).password == SECRET
    # Blank keeps it; it is never rendered back, on any page.
    assert owner_client.post(url, settings_data(username="team2")).status_code == 303
    assert MailSettings.objects.get(workspace=workspace).password == SECRET
    SenderProfile.objects.create(workspace=workspace, user=owner, display_name="A")
    templates_ensure_defaults(workspace=workspace)
    pages = [
        url,
        reverse("mail:profile", args=[workspace.slug]),
        reverse("mail:template-list", args=[workspace.slug]),
        reverse("mail:outbox", args=[workspace.slug]),
        reverse("mail:compose", args=[workspace.slug, ada.pk]),
        reverse("people:person-detail", args=[workspace.slug, ada.pk]),
        reverse("workspaces:settings", args=[workspace.slug]),
    ]
    for page in pages:
        response = owner_client.get(page)
        assert response.status_code == 200, page
        assert SECRET not in response.content.decode(), page
    assert "A password is saved" in owner_client.get(url).content.decode()
    # Only owners see the settings at all.
    assert teammate_client.get(url).status_code == 403
    # Forgetting clears it.
    owner_client.post(url, settings_data(forget_password="on"))
    assert MailSettings.objects.get(workspace=workspace).password == ""


def test_the_backup_carries_the_settings_without_the_password(workspace, owner, ada):
    point_at(workspace, "smtp.example.org", 587)
    MailSettings.objects.filter(workspace=workspace).update(password=SECRET)
    templates_ensure_defaults(workspace=workspace)
    text = "".join(backup_chunks(workspace=workspace))
    assert SECRET not in text
    assert '"mail_settings":[\n{"host":"smtp.example.org"' in text
    assert '"key":"coffee"' in text


def test_settings_refuse_a_line_break_in_the_from_name(owner_client, workspace):
    url = reverse("mail:settings", args=[workspace.slug])
    response = owner_client.post(url, settings_data(from_name="Team\r\nBcc: x@evil.example"))
    assert response.status_code == 400
    assert "line break" in response.content.decode()
    assert not MailSettings.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("field", ["subject", "to"])
def test_compose_refuses_a_line_break_in_a_header(
    owner_client, workspace, ada, smtp_settings, field
):
    data = {"action": "send", "to": "ada@northside.example", "subject": "Hi", "body": "B"}
    data[field] = data[field] + "\r\nBcc: x@evil.example"
    url = reverse("mail:compose", args=[workspace.slug, ada.pk])
    response = owner_client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert not OutgoingMessage.objects.exists()


def test_a_sender_name_with_a_line_break_is_refused(teammate_client, workspace):
    url = reverse("mail:profile", args=[workspace.slug])
    response = teammate_client.post(url, {"display_name": "Bob\nBcc: x", "signature": "Bob"})
    assert response.status_code == 400
    assert not SenderProfile.objects.exists()
    assert (
        teammate_client.post(
            url, {"display_name": "Bob B", "signature": "Bob\nRiverside"}
        ).status_code
        == 303
    )


def test_log_as_sent_opens_the_outreach_without_sending(owner_client, workspace, ada):
    url = reverse("mail:compose", args=[workspace.slug, ada.pk]) + "?template=check-in"
    data = {"action": "log", "to": "ada@northside.example", "subject": "Checking in", "body": "x"}
    assert owner_client.post(url, data).status_code == 303
    interaction = Interaction.objects.get(person=ada)
    assert interaction.kind == InteractionKind.EMAIL_SENT and interaction.summary == "Checking in"
    assert Outreach.objects.get(person=ada).state == OutreachState.WAITING
    assert not OutgoingMessage.objects.exists()


def test_without_smtp_there_is_no_send_button(owner_client, teammate_client, workspace, ada):
    url = reverse("mail:compose", args=[workspace.slug, ada.pk])
    html = owner_client.get(url).content.decode()
    assert 'value="send"' not in html
    assert reverse("mail:settings", args=[workspace.slug]) in html
    assert (
        reverse("mail:settings", args=[workspace.slug])
        not in teammate_client.get(url).content.decode()
    )
    data = {"action": "send", "to": "ada@northside.example", "subject": "Hi", "body": "B"}
    assert "not set up" in owner_client.post(url, data).content.decode()
    assert not OutgoingMessage.objects.exists()


def test_viewers_cannot_write_or_send(viewer_client, workspace, ada, smtp_settings):
    templates_ensure_defaults(workspace=workspace)
    template = EmailTemplate.objects.filter(workspace=workspace).first()
    compose = reverse("mail:compose", args=[workspace.slug, ada.pk])
    assert viewer_client.get(compose).status_code == 403
    data = {"action": "send", "to": "ada@northside.example", "subject": "Hi", "body": "B"}
    assert viewer_client.post(compose, data).status_code == 403
    for name, args in [("mail:template-edit", [template.pk]), ("mail:profile", []),
                       ("mail:settings", [])]:  # fmt: skip
        assert viewer_client.get(reverse(name, args=[workspace.slug, *args])).status_code == 403
    assert (
        viewer_client.get(reverse("mail:template-list", args=[workspace.slug])).status_code == 200
    )
    assert not OutgoingMessage.objects.exists()


def test_another_workspaces_person_and_template_are_404(owner_client, workspace, other_workspace):
    stranger = make_person(other_workspace, first_name="Sam", emails=["sam@x.example"])
    templates_ensure_defaults(workspace=other_workspace)
    theirs = EmailTemplate.objects.filter(workspace=other_workspace).first()
    slug = workspace.slug
    assert owner_client.get(reverse("mail:compose", args=[slug, stranger.pk])).status_code == 404
    assert (
        owner_client.get(reverse("mail:template-edit", args=[slug, theirs.pk])).status_code == 404
    )
    assert (
        owner_client.post(reverse("mail:template-reset", args=[slug, theirs.pk])).status_code == 404
    )


def test_an_outreach_of_another_person_is_404(owner_client, workspace, ada, owner):
    from followthrough.outreach.services import outreach_open

    other = make_person(workspace, first_name="Bea")
    outreach = outreach_open(person=other, kind="email")
    url = reverse("mail:compose", args=[workspace.slug, ada.pk]) + f"?outreach={outreach.pk}"
    assert owner_client.get(url).status_code == 404


def test_a_person_without_an_address_is_told_to_add_one(owner_client, workspace):
    person = make_person(workspace, first_name="Nomail")
    html = owner_client.get(
        reverse("mail:compose", args=[workspace.slug, person.pk])
    ).content.decode()
    assert "has no e-mail address yet" in html


def test_the_test_email_goes_to_the_owner(owner_client, workspace, smtp_settings, smtp_server):
    response = owner_client.post(reverse("mail:settings-test", args=[workspace.slug]), follow=True)
    assert "Sent a test e-mail" in response.content.decode()
    [received] = smtp_server.messages
    assert received["To"].addresses[0].addr_spec == "alice@example.org"


def test_the_test_email_says_why_it_failed(owner_client, workspace, smtp_down):
    point_at(workspace, *smtp_down, timeout=1)
    response = owner_client.post(reverse("mail:settings-test", args=[workspace.slug]), follow=True)
    assert "could not be sent" in response.content.decode()


def test_the_outbox_reads_in_a_fixed_number_of_queries(
    owner_client, owner, workspace, django_assert_max_num_queries
):
    for n in range(12):
        person = make_person(workspace, first_name=f"P{n}")
        OutgoingMessage.objects.create(
            workspace=workspace, person=person, sender=owner, to_address="p@example.org",
            subject=f"Hello {n}", body="x", status="failed", message_id=f"{n}@x.example",
        )  # fmt: skip
    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("mail:outbox", args=[workspace.slug]))
    assert response.content.decode().count("Retry") == 12
