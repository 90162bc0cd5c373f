"""Writes for mail: templates and their defaults, the SMTP settings (the password
write-only), sender profiles, queuing a message (and retrying a failed one), logging a
mailto draft as sent, and turning a chosen invitation time into a meeting.

Sending itself — one attempt, and what follows from it — is `mail.sending`, run by
`mail.tasks.send_message_task` after the queuing transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from followthrough.mail.defaults import BY_KEY, DEFAULTS
from followthrough.mail.invitations import Attendee, invitation_ics, proposals_json
from followthrough.mail.merge import compile_template
from followthrough.mail.models import (
    EmailTemplate,
    MailSettings,
    Meeting,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    SenderProfile,
)
from followthrough.mail.selectors import Proposal, sender_name_of, sender_profile_for
from followthrough.mail.tasks import send_message_task
from followthrough.outreach.models import Outreach
from followthrough.people.models import Person
from followthrough.relationships.models import InteractionKind
from followthrough.relationships.services import follow_up_create, relationship_log_interaction
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class MailError(ValueError):
    """A mail action that cannot be done, with a message for the member."""


def refuse_line_breaks(**values: str) -> None:
    """Header values never carry CR or LF (header injection); `MailError` names the field."""
    for name, value in values.items():
        if "\r" in value or "\n" in value:
            raise MailError(f"The {name.replace('_', ' ')} may not contain a line break.")


# Templates


def templates_ensure_defaults(*, workspace: Workspace) -> int:
    """Give a workspace with no templates the default ones; how many were created."""
    if EmailTemplate.objects.filter(workspace=workspace).exists():
        return 0
    EmailTemplate.objects.bulk_create(
        EmailTemplate(workspace=workspace, **default._asdict()) for default in DEFAULTS
    )
    return len(DEFAULTS)


def template_save(*, template: EmailTemplate) -> EmailTemplate:
    """Save a template whose subject and body are valid (`MergeError` otherwise)."""
    compile_template(template.subject)
    compile_template(template.body)
    refuse_line_breaks(subject=template.subject)
    template.save()
    return template


def template_reset(*, template: EmailTemplate) -> EmailTemplate:
    """Put a default template's name, subject and body back as shipped."""
    default = BY_KEY.get(template.key)
    if default is None:
        raise MailError("This template is your own: it has no default to go back to.")
    template.name, template.subject, template.body = default.name, default.subject, default.body
    template.purpose = default.purpose
    template.save()
    return template


# Settings


def mail_settings_save(
    *, settings: MailSettings, new_password: str = "", forget_password: bool = False
) -> MailSettings:
    """Save the settings. The password changes only when a new one is given (blank
    keeps it) or when asked to forget it."""
    refuse_line_breaks(from_name=settings.from_name, from_address=settings.from_address)
    if forget_password:
        settings.password = ""
    elif new_password:
        settings.password = new_password
    settings.save()
    return settings


def sender_profile_save(*, profile: SenderProfile) -> SenderProfile:
    refuse_line_breaks(display_name=profile.display_name)
    profile.save()
    return profile


# Messages


@dataclass(frozen=True)
class Draft:
    """What the compose page hands over: checked there, checked again here."""

    to_address: str
    to_name: str
    subject: str
    body: str
    template_key: str = ""
    outreach: Outreach | None = None


@dataclass(frozen=True)
class CoffeeProposal:
    starts: list[datetime]
    minutes: int
    place: str


def _in_reply_to(outreach: Outreach | None) -> str:
    interaction = outreach.interaction if outreach is not None else None
    return interaction.message_id if interaction is not None else ""


def message_queue(
    *,
    person: Person,
    sender: User,
    draft: Draft,
    coffee: CoffeeProposal | None = None,
) -> OutgoingMessage:
    """Queue an e-mail (or, with `coffee`, an invitation with its .ics) to `person` and
    enqueue its sending once the transaction commits. Its Message-ID is made now, so
    every attempt sends the same one."""
    workspace = person.workspace
    settings = MailSettings.objects.filter(workspace=workspace).first()
    if settings is None or not settings.is_configured:
        raise MailError("E-mail is not set up for this workspace yet.")
    refuse_line_breaks(
        subject=draft.subject, recipient_name=draft.to_name, recipient_address=draft.to_address
    )
    domain = settings.from_address.rpartition("@")[2]
    message = OutgoingMessage(
        workspace=workspace,
        person=person,
        sender=sender,
        to_address=draft.to_address,
        to_name=draft.to_name,
        subject=draft.subject,
        body=draft.body,
        template_key=draft.template_key,
        outreach=draft.outreach,
        in_reply_to=_in_reply_to(draft.outreach),
        message_id=make_msgid(domain=domain).strip("<>"),
    )
    if coffee is not None:
        profile = sender_profile_for(workspace=workspace, user=sender)
        organizer = Attendee(sender_name_of(profile), sender.email or settings.from_address)
        message.kind = MessageKind.INVITATION
        message.proposals = proposals_json(coffee.starts, coffee.minutes, coffee.place)
        message.ics = invitation_ics(
            starts=coffee.starts,
            minutes=coffee.minutes,
            place=coffee.place,
            summary=f"Coffee: {organizer.name} and {person.full_name}",
            description=draft.body,
            organizer=organizer,
            attendee=Attendee(draft.to_name or person.full_name, draft.to_address),
            zone=workspace.timezone,
            domain=domain,
        )
    message.save()
    _enqueue_on_commit(message)
    return message


def _enqueue_on_commit(message: OutgoingMessage) -> None:
    pk = message.pk
    transaction.on_commit(lambda: send_message_task.enqueue(pk))


def message_retry(*, message: OutgoingMessage) -> OutgoingMessage:
    """Send a failed message again, with a fresh count of attempts."""
    if message.status != MessageStatus.FAILED:
        raise MailError("Only a message that failed can be sent again.")
    message.status, message.attempts, message.next_attempt_at = MessageStatus.QUEUED, 0, None
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    _enqueue_on_commit(message)
    return message


def mail_log_as_sent(*, person: Person, actor: User, subject: str) -> None:
    """Log a draft the member sent from their own mail program (mailto): an e-mail sent,
    so the outreach hook opens or nudges the outreach. Nothing is sent from here."""
    refuse_line_breaks(subject=subject)
    relationship_log_interaction(
        person=person, kind=InteractionKind.EMAIL_SENT, summary=subject[:200], actor=actor
    )


# Meetings


@transaction.atomic
def invitation_confirm(*, message: OutgoingMessage, proposal: Proposal, actor: User) -> Meeting:
    """They chose one of the proposed times: log their reply (which closes the
    outreach), make the meeting, and a follow-up due at it so that it is on Today."""
    if message.kind != MessageKind.INVITATION or message.status != MessageStatus.SENT:
        raise MailError("This is not an invitation that was sent.")
    if message.meetings.exists():
        raise MailError("A time was already chosen for this invitation.")
    person = message.person
    place = (message.proposals[proposal.index] or {}).get("place", "")
    relationship_log_interaction(
        person=person,
        kind=InteractionKind.EMAIL_RECEIVED,
        summary=f"Chose a time for coffee: {timezone.localtime(proposal.starts_at):%a %d %b %H:%M}",
        actor=actor,
    )
    meeting = Meeting.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        starts_at=proposal.starts_at,
        ends_at=proposal.ends_at,
        place=place,
        invitation=message,
        created_by=actor,
    )
    follow_up_create(
        person=person,
        title=f"Coffee with {person.full_name}",
        due_at=proposal.starts_at,
        assigned_to=actor,
    )
    return meeting
