"""Reads for mail: the merge fields for a person, a member's sender profile, the outbox,
and what a person's page shows of mail (failed messages, open invitations, meetings).
Every read is scoped to one workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.db.models import Q, QuerySet
from django.utils import timezone

from followthrough.events.models import Event
from followthrough.mail.models import (
    EmailTemplate,
    MailSettings,
    Meeting,
    MessageKind,
    MessageStatus,
    OutgoingMessage,
    SenderProfile,
)
from followthrough.matching.selectors import organizations_intersecting
from followthrough.people.models import Affiliation, ContactKind, ContactPoint, Person
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OUTBOX_LIMIT = 100


def mail_settings_for(*, workspace: Workspace) -> MailSettings:
    """The workspace's settings, or unsaved defaults when none were saved yet."""
    return MailSettings.objects.filter(workspace=workspace).first() or MailSettings(
        workspace=workspace
    )


def sender_profile_for(*, workspace: Workspace, user: User) -> SenderProfile:
    """The member's profile, or an unsaved one named after their account."""
    found = SenderProfile.objects.filter(workspace=workspace, user=user).first()
    return found or SenderProfile(workspace=workspace, user=user, display_name=user.get_full_name())


def sender_name_of(profile: SenderProfile) -> str:
    user = profile.user
    return profile.display_name or user.get_full_name() or user.email


def templates_of(*, workspace: Workspace) -> QuerySet[EmailTemplate]:
    return EmailTemplate.objects.filter(workspace=workspace).order_by("name", "pk")


def email_addresses(*, person: Person) -> list[str]:
    """The person's e-mail addresses, the first one first."""
    return list(
        ContactPoint.objects.filter(
            workspace_id=person.workspace_id, person=person, kind=ContactKind.EMAIL
        )
        .order_by("position", "pk")
        .values_list("value", flat=True)
    )


def _current_organizations(person: Person) -> list[tuple[int, str]]:
    return list(
        Affiliation.objects.filter(
            workspace_id=person.workspace_id, person=person, ended_on__isnull=True
        )
        .order_by("pk")
        .values_list("organization_id", "organization__name")
    )


def _last_event(person: Person) -> Event | None:
    return (
        Event.objects.filter(workspace_id=person.workspace_id, attendances__person=person)
        .filter(starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .first()
    )


def merge_fields(
    *, workspace: Workspace, person: Person, profile: SenderProfile, event: Event | None = None
) -> dict[str, str]:
    """The merge fields for writing to `person` as `profile`'s member: plain strings.
    `reason` is the first reason of the best intersection of the organizations they
    are at now with ours (`matching`), empty when none intersects. Cost: a few queries
    plus scoring their current organizations."""
    organizations = _current_organizations(person)
    matches = organizations_intersecting(
        workspace=workspace, organization_ids=[pk for pk, _ in organizations]
    )
    best = max(matches, key=lambda match: match.score, default=None)
    event = event or _last_event(person)
    sender_name = sender_name_of(profile)
    return {
        "first_name": person.first_name or person.full_name,
        "full_name": person.full_name,
        "organization": organizations[0][1] if organizations else "",
        "event": event.title if event else "",
        "reason": best.reasons[0] if best and best.reasons else "",
        "sender_name": sender_name,
        "signature": profile.signature.strip() or sender_name,
    }


def mailto_url(*, to: str, subject: str, body: str) -> str:
    """A `mailto:` URL opening the draft in the member's own mail program; every part
    percent-encoded (RFC 6068), line breaks as CRLF."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        f"mailto:{quote(to, safe='@')}?subject={quote(subject, safe='')}"
        f"&body={quote(body, safe='')}"
    )


def outbox(*, workspace: Workspace) -> QuerySet[OutgoingMessage]:
    """Messages not sent yet or failed, newest first, with the person's name."""
    return (
        OutgoingMessage.objects.filter(workspace=workspace)
        .exclude(status=MessageStatus.SENT)
        .select_related("person")
        .order_by("-created_at", "-pk")[:OUTBOX_LIMIT]
    )


@dataclass(frozen=True)
class Proposal:
    index: int
    starts_at: datetime
    ends_at: datetime


@dataclass
class PersonMail:
    """What a person's page shows of mail."""

    unsent: list[OutgoingMessage] = field(default_factory=list)
    invitations: list[tuple[OutgoingMessage, list[Proposal]]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)


def proposals_of(message: OutgoingMessage) -> list[Proposal]:
    found = []
    for index, item in enumerate(message.proposals or []):
        starts_at = datetime.fromisoformat(item["starts_at"])
        ends_at = datetime.fromisoformat(item["ends_at"])
        found.append(Proposal(index, starts_at, ends_at))
    return found


def person_mail(*, workspace: Workspace, person: Person, now: datetime | None = None) -> PersonMail:
    """The person's queued or failed messages, the invitations sent whose time is not
    chosen yet (and not past), and their upcoming meetings. Two queries."""
    now = now or timezone.now()
    rows = (
        OutgoingMessage.objects.filter(workspace=workspace, person=person)
        .filter(
            ~Q(status=MessageStatus.SENT)
            | Q(kind=MessageKind.INVITATION, status=MessageStatus.SENT, meetings__isnull=True)
        )
        .order_by("-created_at", "-pk")[:20]
    )
    found = PersonMail()
    for message in rows:
        if message.status != MessageStatus.SENT:
            found.unsent.append(message)
        elif upcoming := [p for p in proposals_of(message) if p.starts_at > now]:
            found.invitations.append((message, upcoming))
    found.meetings = list(
        Meeting.objects.filter(workspace=workspace, person=person, ends_at__gte=now).order_by(
            "starts_at"
        )[:10]
    )
    return found
