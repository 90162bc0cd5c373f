"""Writes for outreach: opened by an outbound interaction, nudged by the next one, closed
by a reply; quiet once every nudge has gone unanswered.

The interaction log (`relationships.services.relationship_log_interaction`) is the one
way in: it calls `outreach_follow_interaction` through `relationships.hooks`, so logging
from any page, import or one-click action keeps outreach in step.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

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
from followthrough.sql import insert_rows, update_rows
from followthrough.workspaces.models import Workspace

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
# The interactions outreach follows.
FOLLOWED_KINDS = OUTBOUND_KINDS | INBOUND_KINDS
QUERY_SLICE = 900  # ids per IN (…): below SQLite's oldest limit on bound parameters


class OutreachError(ValueError):
    """An outreach change that cannot be made, with a message for the user."""


def _schedule(outreach: Outreach, workspace: Workspace) -> None:
    """Set the next nudge from the workspace's gaps and cap; past the cap, go quiet."""
    outreach.next_nudge_due = nudge_due(
        sent_at=outreach.sent_at,
        nudge_count=outreach.nudge_count,
        gaps=workspace.nudge_gap_days,
        cap=workspace.nudge_cap,
        zone=workspace.timezone,
    )
    if outreach.next_nudge_due is None:
        outreach.state = OutreachState.QUIET


# What each transition writes, as field values: the in-memory step sets them, and the
# services that write by query (`outreach_open`, `outreach_replied`) update with them.
def _closed_values() -> dict[str, Any]:
    """A quiet outreach closed because a new one starts the count again."""
    return {"state": OutreachState.CLOSED, "next_nudge_due": None}


def _replied_values(at: datetime) -> dict[str, Any]:
    """An open outreach (waiting or quiet) answered at `at`."""
    return {"state": OutreachState.REPLIED, "replied_at": at, "next_nudge_due": None}


def _new_outreach(
    *,
    workspace: Workspace,
    person_id: int,
    kind: str,
    sent_at: datetime,
    by: User | None,
    summary: str,
    interaction: Interaction | None,
) -> Outreach:
    """A new outreach waiting for a reply, its first nudge scheduled (unsaved)."""
    outreach = Outreach(
        workspace_id=workspace.pk,
        person_id=person_id,
        kind=OutreachKind(kind),
        sent_at=sent_at,
        by=by,
        summary=summary,
        interaction=interaction,
    )
    _schedule(outreach, workspace)
    return outreach


def _nudge(outreach: Outreach, *, at: datetime, workspace: Workspace) -> None:
    """One more nudge sent on a waiting outreach (in memory)."""
    outreach.nudge_count += 1
    outreach.last_nudged_at = at
    _schedule(outreach, workspace)


# The fields the step may change on an existing outreach.
STEP_FIELDS = ["state", "replied_at", "next_nudge_due", "nudge_count", "last_nudged_at"]


def outreach_step(
    open_outreach: list[Outreach], *, interaction: Interaction, workspace: Workspace
) -> list[Outreach]:
    """The one state transition an interaction makes to its person's outreach, in
    memory. `open_outreach` is the person's open (waiting or quiet) outreach, in the
    order they were created; it is updated in place (what closes leaves it, what opens
    joins it). An outbound interaction nudges the latest waiting outreach sent by then,
    or else opens a new one (closing the quiet ones); an inbound one closes those sent
    by then as replied. Returns the outreach changed or created (unsaved), each once."""
    at = interaction.occurred_at
    changed: list[Outreach] = []
    if interaction.kind in OUTBOUND_KINDS:
        waiting = [
            (o.sent_at, i, o)
            for i, o in enumerate(open_outreach)
            if o.state == OutreachState.WAITING
        ]
        latest = max(waiting, key=lambda t: t[:2])[2] if waiting else None
        if latest is not None and latest.sent_at <= at:
            _nudge(latest, at=at, workspace=workspace)
            changed.append(latest)
            return changed
        for outreach in [o for o in open_outreach if o.state == OutreachState.QUIET]:
            for field, value in _closed_values().items():
                setattr(outreach, field, value)
            open_outreach.remove(outreach)
            changed.append(outreach)
        assert interaction.person_id is not None  # only interactions with a person
        new = _new_outreach(
            workspace=workspace,
            person_id=interaction.person_id,
            kind=OUTREACH_KIND_OF[interaction.kind],
            sent_at=at,
            by=interaction.logged_by,
            summary=interaction.summary,
            interaction=interaction,
        )
        open_outreach.append(new)
        changed.append(new)
    elif interaction.kind in INBOUND_KINDS:
        for outreach in [o for o in open_outreach if o.sent_at <= at]:
            for field, value in _replied_values(at).items():
                setattr(outreach, field, value)
            open_outreach.remove(outreach)
            changed.append(outreach)
    return changed


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
    ).update(**_closed_values())
    outreach = _new_outreach(
        workspace=person.workspace,
        person_id=person.pk,
        kind=kind,
        sent_at=sent_at or timezone.now(),
        by=by,
        summary=summary,
        interaction=interaction,
    )
    outreach.save()
    return outreach


def outreach_nudged(*, outreach: Outreach, at: datetime | None = None) -> Outreach:
    """Count one more nudge sent on this waiting outreach and schedule the next; after the
    workspace's cap the outreach goes quiet and is never nudged again."""
    if outreach.state != OutreachState.WAITING:
        raise OutreachError("This outreach is not waiting for a reply.")
    _nudge(outreach, at=at or timezone.now(), workspace=outreach.person.workspace)
    outreach.save(update_fields=["nudge_count", "last_nudged_at", "next_nudge_due", "state"])
    return outreach


def outreach_replied(*, person: Person, at: datetime | None = None) -> int:
    """Close the person's open outreach (waiting or quiet) sent by `at` as replied; the
    relationship is no longer quiet. Returns how many were closed."""
    at = at or timezone.now()
    return Outreach.objects.filter(
        workspace_id=person.workspace_id, person=person, state__in=OPEN_STATES, sent_at__lte=at
    ).update(**_replied_values(at))


def _open_outreach(workspace_id: int, person_ids: list[int]) -> dict[int, list[Outreach]]:
    """The people's open outreach, locked, each person's in the order they were created."""
    found: dict[int, list[Outreach]] = defaultdict(list)
    for start in range(0, len(person_ids), QUERY_SLICE):
        rows = (
            Outreach.objects.select_for_update()
            .filter(
                workspace_id=workspace_id,
                person_id__in=person_ids[start : start + QUERY_SLICE],
                state__in=OPEN_STATES,
            )
            .order_by("id")
        )
        for outreach in rows:
            found[outreach.person_id].append(outreach)
    return found


def _save_step(changed: list[Outreach]) -> None:
    """Write what the steps changed: new outreach inserted in the order they were
    opened (so ids follow that order), the others updated."""
    insert_rows([o for o in changed if o.pk is None])
    update_rows([o for o in changed if o.pk is not None], STEP_FIELDS)


def outreach_follow_interaction(interaction: Interaction) -> None:
    """Keep outreach in step with a logged interaction (`outreach_step`). Registered on
    `relationships.hooks.on_interaction_logged`."""
    person = interaction.person
    if person is None or interaction.kind not in FOLLOWED_KINDS:
        return
    open_outreach = _open_outreach(person.workspace_id, [person.pk])[person.pk]
    _save_step(outreach_step(open_outreach, interaction=interaction, workspace=person.workspace))


def outreach_follow_interactions(interactions: list[Interaction]) -> None:
    """The batch form of `outreach_follow_interaction`: each person's open outreach read
    once, the person's interactions replayed through `outreach_step` in the order they
    were logged, and everything written in bulk. Registered on
    `relationships.hooks.on_interactions_logged`."""
    followed = [
        (i.person_id, i)
        for i in interactions
        if i.person_id is not None and i.kind in FOLLOWED_KINDS
    ]
    if not followed:
        return
    workspace = followed[0][1].workspace
    open_outreach = _open_outreach(workspace.pk, sorted({pk for pk, _ in followed}))
    changed: dict[int, Outreach] = {}  # by id(): unsaved models cannot be hashed
    for person_id, interaction in followed:
        assert interaction.workspace_id == workspace.pk  # one batch, one workspace
        person_outreach = open_outreach[person_id]
        step = outreach_step(person_outreach, interaction=interaction, workspace=workspace)
        for outreach in step:
            changed.setdefault(id(outreach), outreach)
    # In the order first touched: the new ones get their ids in the order they opened.
    _save_step(list(changed.values()))


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


def outreach_settle_read_back(
    *, workspace: Workspace, outreach_ids: list[int], now: datetime | None = None
) -> int:
    """Outreach opened by mail read back (a mailbox file, IMAP) that is still waiting
    although even its last nudge was due by `now` goes quiet at once: an e-mail from last
    year that nobody answered is not a nudge to make today, and a pile of them would bury
    Today. Recent ones keep their nudge. Any reply still closes a quiet outreach. Returns
    how many went quiet."""
    now = now or timezone.now()
    gaps, cap = workspace.nudge_gap_days, workspace.nudge_cap
    stale: list[int] = []
    for start in range(0, len(outreach_ids), 500):
        rows = Outreach.objects.filter(
            pk__in=outreach_ids[start : start + 500],
            workspace_id=workspace.pk,
            state=OutreachState.WAITING,
        ).values_list("pk", "sent_at")
        for pk, sent_at in rows:
            last = nudge_due(
                sent_at=sent_at, nudge_count=cap - 1, gaps=gaps, cap=cap, zone=workspace.timezone
            )
            if last is None or last <= now:
                stale.append(pk)
    for start in range(0, len(stale), 500):
        Outreach.objects.filter(pk__in=stale[start : start + 500]).update(
            state=OutreachState.QUIET, next_nudge_due=None
        )
    return len(stale)
