"""When the SMTP server is down or mute: the send is retried, then failed — never logged
as sent — and Retry sends it once the server is back."""

from __future__ import annotations

import time

from django.urls import reverse

from followthrough.mail.models import MessageStatus, OutgoingMessage
from followthrough.mail.services import Draft, message_queue
from followthrough.outreach.models import Outreach
from followthrough.relationships.models import Interaction
from tests.mail.conftest import point_at


def queue(person, owner, capture):
    with capture(execute=True):
        return message_queue(
            person=person, sender=owner, draft=Draft("ada@northside.example", "Ada", "Hi", "B")
        )


def assert_failed_and_not_logged(message, ada):
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3  # tried three times
    assert message.last_error
    assert message.interaction is None and message.sent_at is None
    assert not Interaction.objects.filter(person=ada).exists()
    assert not Outreach.objects.filter(person=ada).exists()


def test_smtp_down_fails_after_the_retries(
    owner, workspace, ada, smtp_down, django_capture_on_commit_callbacks
):
    point_at(workspace, *smtp_down)
    message = queue(ada, owner, django_capture_on_commit_callbacks)
    assert_failed_and_not_logged(message, ada)
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()


def test_smtp_mute_times_out_then_fails(
    owner, workspace, ada, smtp_mute, django_capture_on_commit_callbacks
):
    point_at(workspace, *smtp_mute, timeout=1)
    started = time.monotonic()
    message = queue(ada, owner, django_capture_on_commit_callbacks)
    elapsed = time.monotonic() - started
    assert_failed_and_not_logged(message, ada)
    assert 3 <= elapsed < 3 + 10  # each of the three attempts gave up after 1 s
    assert "timed out" in message.last_error.lower()


def test_a_failed_message_is_listed_and_retry_sends_it_once_the_server_is_back(
    owner_client, owner, workspace, ada, smtp_down, smtp_server,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    point_at(workspace, *smtp_down)
    message = queue(ada, owner, django_capture_on_commit_callbacks)
    outbox = owner_client.get(reverse("mail:outbox", args=[workspace.slug])).content.decode()
    assert "Retry" in outbox and "Failed" in outbox
    person_page = reverse("people:person-detail", args=[workspace.slug, ada.pk])
    assert "Retry" in owner_client.get(person_page).content.decode()
    point_at(workspace, smtp_server.host, smtp_server.port)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("mail:message-retry", args=[workspace.slug, message.pk])
        )
    assert response.status_code == 303
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1
    [received] = smtp_server.messages
    assert received["Message-ID"] == f"<{message.message_id}>"  # the same message again
    assert Interaction.objects.get(person=ada).message_id == message.message_id


def test_only_a_failed_message_can_be_retried(
    owner_client, owner, workspace, ada, smtp_settings, django_capture_on_commit_callbacks
):
    message = queue(ada, owner, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    owner_client.post(reverse("mail:message-retry", args=[workspace.slug, message.pk]))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 1


def test_a_failed_attempt_waits_before_the_next_on_a_deferring_backend(
    owner, workspace, ada, smtp_down, settings
):
    """With a backend that can defer (the database queue), the next attempt is enqueued
    for after the back-off instead of at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    from followthrough.mail.tasks import send_message_task

    point_at(workspace, *smtp_down)
    message = OutgoingMessage.objects.create(
        workspace=workspace, person=ada, sender=owner, to_address="ada@northside.example",
        subject="Hi", body="B", message_id="x.1@riverside.example",
    )  # fmt: skip
    send_message_task.call(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    [result] = default_task_backend.results
    assert result.task.run_after == message.next_attempt_at


def test_a_message_enqueued_twice_is_sent_once(owner, workspace, ada, smtp_settings, smtp_server):
    from followthrough.mail.tasks import send_message_task

    message = OutgoingMessage.objects.create(
        workspace=workspace, person=ada, sender=owner, to_address="ada@northside.example",
        subject="Hi", body="B", message_id="twice.1@riverside.example",
    )  # fmt: skip
    assert send_message_task.call(message.pk) is True
    assert send_message_task.call(message.pk) is False
    assert len(smtp_server.messages) == 1
    assert Interaction.objects.filter(person=ada).count() == 1
