"""The one place that builds the SMTP connection from a workspace's mail settings, and
the e-mail an outgoing message becomes. Other rooms (the weekly digest) call
`connection_for` too, so every message of a workspace leaves the same way."""

from __future__ import annotations

from email.utils import formataddr

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend

from followthrough.mail.models import MailSettings, MessageKind, OutgoingMessage, Security
from followthrough.workspaces.models import Workspace


class MailNotConfigured(Exception):
    """The workspace has no SMTP server (or no From address) yet."""


def connection_for(workspace: Workspace) -> BaseEmailBackend:
    """An SMTP connection (not yet opened) with the workspace's settings and timeout;
    errors are raised, never swallowed, so a failed send is never taken for a sent one."""
    found = MailSettings.objects.filter(workspace=workspace).first()
    if found is None or not found.is_configured:
        raise MailNotConfigured("E-mail is not set up for this workspace yet.")
    return EmailBackend(
        host=found.host,
        port=found.port,
        username=found.username or None,
        password=found.password or None,
        use_tls=found.security == Security.STARTTLS,
        use_ssl=found.security == Security.SSL,
        timeout=found.timeout,
        fail_silently=False,
    )


def from_header(settings: MailSettings, sender_name: str) -> str:
    """`Name <address>`: the sender's own name when they have one, else the workspace's.
    `formataddr` quotes or encodes the name; Django sanitises the address header again."""
    return formataddr((sender_name or settings.from_name, settings.from_address))


def email_for(
    *, message: OutgoingMessage, settings: MailSettings, sender_name: str, reply_to: str
) -> EmailMessage:
    """The e-mail for an outgoing message: its Message-ID (made when it was queued, so a
    retry sends the same one), In-Reply-To/References when it answers an earlier one,
    and an invitation's .ics as `text/calendar; method=REQUEST`."""
    headers = {"Message-ID": f"<{message.message_id}>"}
    if message.in_reply_to:
        headers["In-Reply-To"] = f"<{message.in_reply_to}>"
        headers["References"] = f"<{message.in_reply_to}>"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=from_header(settings, sender_name),
        to=[formataddr((message.to_name, message.to_address))],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
    if message.kind == MessageKind.INVITATION and message.ics:
        email.attach("invitation.ics", message.ics, "text/calendar; method=REQUEST")
    return email
