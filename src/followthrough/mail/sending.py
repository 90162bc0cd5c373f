"""One attempt to send an outgoing message, and what follows from it: sent and logged on
the person's timeline (through `relationship_log_interaction`, whose outreach hook opens
or nudges the outreach) only once the SMTP server accepted it; otherwise the attempt is
counted and its error kept, and after `MAX_ATTEMPTS` the message has failed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from followthrough.mail import transport
from followthrough.mail.models import MailSettings, MessageKind, MessageStatus, OutgoingMessage
from followthrough.mail.selectors import sender_name_of, sender_profile_for
from followthrough.relationships.models import InteractionKind
from followthrough.relationships.services import relationship_log_interaction
from followthrough.workspaces.models import Workspace

MAX_ATTEMPTS = 3
# After the first and second failed attempt, wait this long before the next.
BACK_OFF = (timedelta(minutes=1), timedelta(minutes=10))


def message_attempt(*, message: OutgoingMessage, now: datetime | None = None) -> bool:
    """One attempt to hand the message to the SMTP server. True when it was accepted:
    then (and only then) it is sent and logged on the timeline. On an error the attempt
    is counted and the error kept; after `MAX_ATTEMPTS` the message has failed, before
    that `next_attempt_at` says when to try again."""
    # Claimed by one conditional update: a message enqueued twice is still sent once.
    claimed = OutgoingMessage.objects.filter(pk=message.pk, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING
    )
    if not claimed:
        return False
    message.status = MessageStatus.SENDING
    workspace, sender = message.person.workspace, message.sender
    try:
        settings = MailSettings.objects.get(workspace=workspace)
        profile = sender_profile_for(workspace=workspace, user=sender) if sender else None
        email = transport.email_for(
            message=message,
            settings=settings,
            sender_name=sender_name_of(profile) if profile else "",
            reply_to=sender.email if sender else "",
        )
        with transport.connection_for(workspace) as connection:
            accepted = connection.send_messages([email])
        if not accepted:
            raise OSError("The mail server did not accept the message.")
    except Exception as error:  # any failure of the network, the server or the settings
        _attempt_failed(message, error, now or timezone.now())
        return False
    _sent(message, now or timezone.now())
    return True


def _attempt_failed(message: OutgoingMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = (f"{type(error).__name__}: {error}" if str(error) else repr(error))[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.status, message.next_attempt_at = MessageStatus.FAILED, None
    else:
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = now + BACK_OFF[min(message.attempts, len(BACK_OFF)) - 1]
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


@transaction.atomic
def _sent(message: OutgoingMessage, now: datetime) -> None:
    message.attempts += 1
    message.status, message.sent_at, message.next_attempt_at = MessageStatus.SENT, now, None
    message.interaction = relationship_log_interaction(
        person=message.person,
        kind=InteractionKind.INVITATION
        if message.kind == MessageKind.INVITATION
        else InteractionKind.EMAIL_SENT,
        occurred_at=now,
        summary=message.subject[:200],
        actor=message.sender,
        message_id=message.message_id,
    )
    message.save()


LOST_SEND = (
    "The worker stopped while sending this message, so it may or may not have gone out. "
    "Check your sent mail (or ask them) before you press Retry."
)


def message_send_lost(args: list[Any], kwargs: dict[str, Any]) -> None:
    """The worker died while sending this message (`send_message_task(message_id)`).

    Whether the server took it before the worker died cannot be known here, and sending
    it again could reach them twice: it fails with a message that says so, and the
    person's page and the Outbox offer Retry as for any failed message."""
    message_id = args[0] if args else kwargs.get("message_id")
    if message_id is None:
        return
    OutgoingMessage.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.FAILED, last_error=LOST_SEND, next_attempt_at=None
    )


def send_test_email(*, workspace: Workspace, to: str) -> str:
    """Send a short test e-mail now; the error in words, or "" when the server took it."""
    try:
        settings = MailSettings.objects.get(workspace=workspace)
        email = EmailMessage(
            subject="Followthrough test e-mail",
            body="This is a test from Followthrough: your e-mail settings work.\n",
            from_email=transport.from_header(settings, ""),
            to=[to],
        )
        with transport.connection_for(workspace) as connection:
            if not connection.send_messages([email]):
                return "the mail server did not accept it."
    except MailSettings.DoesNotExist:
        return "e-mail is not set up yet."
    except Exception as error:  # show whatever the network or server said
        return f"{type(error).__name__}: {error}"
    return ""
