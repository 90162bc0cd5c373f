"""The digest as an e-mail: its sections with absolute links, rendered from templates
(plain text, and HTML escaped by the template engine), with the one-click unsubscribe
headers of RFC 8058, sent over the connection `_connection` chooses."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from followthrough.mail.models import MailSettings
from followthrough.mail.transport import MailNotConfigured, connection_for, from_header
from followthrough.reminders.tokens import unsubscribe_token

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

    from followthrough.reminders.selectors import Digest
    from followthrough.workspaces.models import Workspace

SMTP_TIMEOUT_SECONDS = 30


def _connection(workspace: Workspace) -> tuple[BaseEmailBackend, str | None]:
    """The one place the digest's connection and From are chosen: the workspace's own
    mail server (`mail.transport`) when it has one, as every other message of the
    workspace; else the installation's e-mail settings and From (None: Django's
    DEFAULT_FROM_EMAIL). A timeout either way, so a mute server fails the task instead
    of holding the worker forever."""
    try:
        connection = connection_for(workspace)
    except MailNotConfigured:
        return get_connection(timeout=SMTP_TIMEOUT_SECONDS), None
    found = MailSettings.objects.get(workspace=workspace)
    return connection, from_header(found, found.from_name)


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


@dataclass(frozen=True)
class Item:
    name: str
    detail: str
    url: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    items: list[Item]
    more: str = ""


@dataclass
class DigestEmail:
    subject: str
    sections: list[Section]
    meet_at: list[tuple[Item, list[Item]]] = field(default_factory=list)
    today_url: str = ""
    settings_url: str = ""
    unsubscribe_url: str = ""


def _local(value: datetime, fmt: str) -> str:
    """`value` in the active time zone, in Django's date format (`D j M`: Mon 7 Dec)."""
    return dateformat.format(timezone.localtime(value), fmt)


_SENTINEL = 2_147_483_647


def _link(viewname: str, slug: str) -> Callable[[int], str]:
    """The absolute URL of one object's page as a function of its id, reversed once."""
    head, _, tail = reverse(viewname, args=[slug, _SENTINEL]).rpartition(str(_SENTINEL))
    return lambda pk: absolute(f"{head}{int(pk)}{tail}")


def _sections(
    digest: Digest, person: Callable[[int], str], event: Callable[[int], str]
) -> list[Section]:
    follow_ups = [
        Item(f.person_name, f"{f.title} — "
             + (f"overdue since {_local(f.due_at, 'D j M')}" if f.due_at < digest.now
                else f"due {_local(f.due_at, 'D j M, H:i')}"), person(f.person_id))
        for f in digest.follow_ups
    ]  # fmt: skip
    nudges = [
        Item(n.person_name, f"{n.kind_label} sent {_local(n.sent_at, 'j M')}, no reply yet "
             f"— nudge #{n.nudge_number}", person(n.person_id))
        for n in digest.nudges
    ]  # fmt: skip
    slipping = [
        Item(r.person_name, f"{r.stage_label}, "
             + (f"last in touch {_local(r.last_interaction_at, 'j M Y')}"
                if r.last_interaction_at else "never in touch"), person(r.person_id))
        for r in digest.slipping
    ]  # fmt: skip
    events = [
        Item(e.title, _local(e.starts_at, "D j M") if e.all_day
             else _local(e.starts_at, "D j M, H:i") + (f" · {e.location}" if e.location
                                                            else ""),
             event(e.id))
        for e in digest.events
    ]  # fmt: skip
    return [
        Section("follow_ups", "Follow up", follow_ups,
                "More follow-ups are waiting on Today." if digest.more_follow_ups else ""),
        Section("nudges", "Waiting for a reply", nudges),
        Section("slipping", "Slipping away", slipping,
                "More are slipping: see Today." if digest.more_slipping else ""),
        Section("events", "Coming up this week", events),
    ]  # fmt: skip


def digest_email(*, digest: Digest) -> DigestEmail:
    """The digest's content with absolute links (`settings.BASE_URL`), dates in the
    active (the workspace's) time zone; empty sections are dropped."""
    slug = digest.workspace.slug
    person, event = _link("people:person-detail", slug), _link("events:event-detail", slug)
    sections = [s for s in _sections(digest, person, event) if s.items]
    count = sum(len(s.items) for s in sections if s.key != "events")
    # No line breaks in a header: a workspace's name is the user's text.
    name = " ".join(digest.workspace.name.split())
    subject = f"Your week in {name}: {count} to do" if count else f"Your week in {name}"
    token = unsubscribe_token(workspace_id=digest.workspace.pk, user_id=digest.user.pk)
    meet_at = [
        (
            Item(m.event.title, "", event(m.event.id)),
            [Item(p.name, p.reason, person(p.id)) for p in m.people],
        )
        for m in digest.meet_at
    ]  # fmt: skip
    return DigestEmail(
        subject=subject,
        sections=sections,
        meet_at=meet_at,
        today_url=absolute(reverse("agenda:today", args=[slug]) + "?who=mine"),
        settings_url=absolute(reverse("reminders:settings", args=[slug])),
        unsubscribe_url=absolute(reverse("reminders-public:unsubscribe", args=[token])),
    )


def digest_message(
    *, digest: Digest, connection: BaseEmailBackend, from_email: str | None = None
) -> EmailMultiAlternatives:
    content = digest_email(digest=digest)
    context = {"digest": digest, "email": content, "workspace": digest.workspace}
    message = EmailMultiAlternatives(
        subject=content.subject,
        body=render_to_string("reminders/email/digest.txt", context),
        from_email=from_email,
        to=[digest.user.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{content.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("reminders/email/digest.html", context), "text/html"
    )
    return message


def digest_deliver(*, digest: Digest) -> None:
    """Send the digest as one e-mail to the member; errors propagate (the caller frees
    the slot for a retry)."""
    # Dates in the e-mail are the workspace's wall clock, as on its pages.
    zone = zoneinfo.ZoneInfo(digest.workspace.timezone)
    connection, from_email = _connection(digest.workspace)
    with timezone.override(zone), connection:
        digest_message(digest=digest, connection=connection, from_email=from_email).send()
