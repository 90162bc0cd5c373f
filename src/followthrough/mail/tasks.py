"""Sending in the background. `send_message_task` takes the message's id, reloads it and
returns quietly when it is gone or no longer waiting to be sent.

A failed attempt is tried again after a back-off (`sending.BACK_OFF`) while the
message has attempts left. On a backend that cannot defer a task (the immediate one
of tests and one-off commands) the next attempt runs at once.
"""

from __future__ import annotations

from django_tasks import task

from followthrough.mail.models import MessageStatus, OutgoingMessage
from followthrough.mail.sending import message_attempt


@task()
def send_message_task(message_id: int) -> bool:
    """One attempt to send the message, and the next one enqueued when it failed with
    attempts left. True when the server accepted it."""
    message = (
        OutgoingMessage.objects.select_related("person__workspace", "sender", "outreach")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return False
    if message_attempt(message=message):
        return True
    if message.status == MessageStatus.QUEUED and message.next_attempt_at is not None:
        backend = send_message_task.get_backend()
        if backend.supports_defer:
            send_message_task.using(run_after=message.next_attempt_at).enqueue(message_id)
        else:
            send_message_task.enqueue(message_id)
    return False
