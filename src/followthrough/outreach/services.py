"""Writes for outreach: opened by an outbound interaction, nudged by the next one, closed
by a reply; quiet once every nudge has gone unanswered.

The interaction log (`relationships.services.relationship_log_interaction`) is the one
way in: it calls `outreach_follow_interaction` through `relationships.hooks`, so logging
from any page, import or one-click action keeps outreach in step.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from followthrough.outreach.models import OPEN_STATES, Outreach, OutreachKind, OutreachState
from followthrough.outreach.schedule import nudge_due
from followthrough.people.models import Person
from followthrough.relationships.models import (
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    Interaction,
    InteractionKind,
)
from followthrough.relationships.services import relationship_log_interaction

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OUTREACH_KIND_OF: dict[str, str] = {
    InteractionKind.EMAIL_SENT: OutreachKind.EMAIL,
    InteractionKind.MESSAGE_SENT: OutreachKind.MESSAGE,
    InteractionKind.CALL_ATTEMPT: OutreachKind.CALL,
    InteractionKind.INVITATION: OutreachKind.INVITATION,
}
INTERACTION_KIND_OF = {outreach: interaction for interaction, outreach in OUTREACH_KIND_OF.items()}
# How "they replied" is logged, after the way we reached out.
REPLY_KIND_OF: dict[str, str] = {
    OutreachKind.EMAIL: InteractionKind.EMAIL_RECEIVED,
    OutreachKind.MESSAGE: InteractionKind.MESSAGE_RECEIVED,
    OutreachKind.CALL: InteractionKind.CALL,
    OutreachKind.INVITATION: InteractionKind.EMAIL_RECEIVED,
}
SNOOZE_DAYS = 2


class OutreachError(ValueError):
    """An outreach change that cannot be made, with a message for the user."""


def _schedule(outreach: Outreach) -> None:
    """Set the next nudge from the workspace's gaps and cap; past the cap, go quiet."""
    workspace = outreach.person.workspace
    outreach.next_nudge_due = nudge_due(
        sent_at=outreach.sent_at,
        nudge_count=outreach.nudge_count,
        gaps=workspace.nudge_gap_days,
        cap=workspace.nudge_cap,
        zone=workspace.timezone,
    )
    if outreach.next_nudge_due is None:
        outreach.state = OutreachState.QUIET


def outreach_open(
    *,
    person: Person,
    kind: str,
    sent_at: datetime | None = None,
    by: User | None = None,
    summary: str = "",
    interaction: Interaction | None = None,
) -> Outreach:
    """Open an outreach waiting for the person's reply, its first nudge scheduled. A quiet
    outreach to the same person is closed: this one starts the count again."""
    Outreach.objects.filter(
        workspace_id=person.workspace_id, person=person, state=OutreachState.QUIET
    ).update(state=OutreachState.CLOSED, next_nudge_due=None)
    outreach = Outreach(
        workspace_id=person.workspace_id,
        person=person,
        kind=OutreachKind(kind),
        sent_at=sent_at or timezone.now(),
        by=by,
        summary=summary,
        interaction=interaction,
    )
    _schedule(outreach)
    outreach.save()
    return outreach


def outreach_nudged(*, outreach: Outreach, at: datetime | None = None) -> Outreach:
    """Count one more nudge sent on this waiting outreach and schedule the next; after the
    workspace's cap the outreach goes quiet and is never nudged again."""
    if outreach.state != OutreachState.WAITING:
        raise OutreachError("This outreach is not waiting for a reply.")
    outreach.nudge_count += 1
    outreach.last_nudged_at = at or timezone.now()
    _schedule(outreach)
    outreach.save(update_fields=["nudge_count", "last_nudged_at", "next_nudge_due", "state"])
    return outreach


def outreach_replied(*, person: Person, at: datetime | None = None) -> int:
    """Close the person's open outreach (waiting or quiet) sent by `at` as replied; the
    relationship is no longer quiet. Returns how many were closed."""
    at = at or timezone.now()
    return Outreach.objects.filter(
        workspace_id=person.workspace_id, person=person, state__in=OPEN_STATES, sent_at__lte=at
    ).update(state=OutreachState.REPLIED, replied_at=at, next_nudge_due=None)


def outreach_follow_interaction(interaction: Interaction) -> None:
    """Keep outreach in step with a logged interaction: an outbound one nudges the
    person's waiting outreach or opens a new one; an inbound one closes it as replied."""
    person = interaction.person
    if person is None:
        return
    if interaction.kind in OUTBOUND_KINDS:
        waiting = (
            Outreach.objects.select_for_update()
            .filter(workspace_id=person.workspace_id, person=person, state=OutreachState.WAITING)
            .order_by("-sent_at", "-id")
            .first()
        )
        if waiting is not None and waiting.sent_at <= interaction.occurred_at:
            outreach_nudged(outreach=waiting, at=interaction.occurred_at)
        else:
            outreach_open(
                person=person,
                kind=OUTREACH_KIND_OF[interaction.kind],
                sent_at=interaction.occurred_at,
                by=interaction.logged_by,
                summary=interaction.summary,
                interaction=interaction,
            )
    elif interaction.kind in INBOUND_KINDS:
        outreach_replied(person=person, at=interaction.occurred_at)


@transaction.atomic
def outreach_log_nudge(
    *, outreach: Outreach, actor: User | None = None, now: datetime | None = None
) -> Interaction:
    """Log the nudge as sent (an interaction of the outreach's kind): it counts as the
    outreach's next nudge."""
    if outreach.state != OutreachState.WAITING:
        raise OutreachError("This outreach is not waiting for a reply.")
    return relationship_log_interaction(
        person=outreach.person,
        kind=INTERACTION_KIND_OF[outreach.kind],
        occurred_at=now,
        summary=f"Nudge #{outreach.nudge_count + 1}",
        actor=actor,
    )


def outreach_log_reply(
    *, person: Person, actor: User | None = None, now: datetime | None = None
) -> Interaction:
    """Record that the person replied (logged on their timeline, in the way we reached
    out), closing their open outreach and reviving a quiet relationship."""
    latest = (
        Outreach.objects.filter(
            workspace_id=person.workspace_id, person=person, state__in=OPEN_STATES
        )
        .order_by("-sent_at")
        .first()
    )
    kind = REPLY_KIND_OF[latest.kind] if latest else InteractionKind.EMAIL_RECEIVED
    return relationship_log_interaction(
        person=person, kind=kind, occurred_at=now, summary="They replied", actor=actor
    )


def outreach_snooze(
    *, outreach: Outreach, days: int = SNOOZE_DAYS, now: datetime | None = None
) -> Outreach:
    """Push the next nudge `days` days past now (or past when it was due, if later)."""
    if outreach.state != OutreachState.WAITING or outreach.next_nudge_due is None:
        raise OutreachError("No nudge is due on this outreach.")
    base = max(now or timezone.now(), outreach.next_nudge_due)
    outreach.next_nudge_due = base + timedelta(days=days)
    outreach.save(update_fields=["next_nudge_due"])
    return outreach
