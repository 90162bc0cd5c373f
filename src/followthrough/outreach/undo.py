"""Today's one-click actions, each answered with a short message and an Undo.

Before an action, the person's state that it may change is read (their relationship's
stage and dates, their open follow-ups, their open outreach); the Undo button carries that
snapshot signed, with the interaction the action logged. Undoing deletes that interaction
and any outreach it opened, and writes the snapshot back: exactly that action is reverted.
A token is good for `UNDO_SECONDS` and only in its own workspace, and only while the
person is as the action left them: the token also carries the state after the action, so
an Undo replayed, or pressed after something else changed the person, is refused rather
than writing an old state over newer work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.dateparse import parse_datetime

from followthrough.outreach.models import OPEN_STATES, Outreach
from followthrough.people.models import Person
from followthrough.relationships import hooks
from followthrough.relationships.models import FollowUp, FollowUpStatus, Interaction, Relationship
from followthrough.workspaces.models import Workspace

SALT = "followthrough.outreach.undo"
UNDO_SECONDS = 30 * 60
RELATIONSHIP_FIELDS = ("stage", "last_interaction_at", "next_touch_due")
FOLLOW_UP_FIELDS = ("status", "due_at", "snooze_count", "done_at")
OUTREACH_FIELDS = ("state", "replied_at", "nudge_count", "last_nudged_at", "next_nudge_due")
DATE_FIELDS = {"last_interaction_at", "next_touch_due", "due_at", "done_at", "replied_at",
               "last_nudged_at", "next_nudge_due"}  # fmt: skip


class UndoError(ValueError):
    """An undo that cannot be made (expired, tampered with, another workspace's)."""


@dataclass(frozen=True)
class Done:
    """What a one-click action answers: the message and the token of its Undo."""

    message: str
    token: str


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {k: parse_datetime(v) if k in DATE_FIELDS and v else v for k, v in values.items()}


def person_snapshot(person: Person) -> dict[str, Any]:
    """What a one-click action on this person may change. Three small indexed reads."""
    ws = person.workspace_id
    relationship = Relationship.objects.filter(workspace_id=ws, person=person)
    follow_ups = FollowUp.objects.filter(workspace_id=ws, person=person, status=FollowUpStatus.OPEN)
    outreach = Outreach.objects.filter(workspace_id=ws, person=person, state__in=OPEN_STATES)
    return {
        "relationship": [_plain(r) for r in relationship.values("id", *RELATIONSHIP_FIELDS)],
        "follow_ups": [_plain(f) for f in follow_ups.values("id", *FOLLOW_UP_FIELDS)],
        "outreach": [_plain(o) for o in outreach.values("id", *OUTREACH_FIELDS)],
    }


@transaction.atomic
def undoable(*, person: Person, message: str, action: Callable[[], object]) -> Done:
    """Run `action` (a service call on this person) and return its message and Undo; an
    interaction the action returns is removed by the Undo."""
    before = person_snapshot(person)
    made = action()
    interaction = made if isinstance(made, Interaction) else None
    payload = {
        "ws": person.workspace_id,
        "person": person.pk,
        "interaction": interaction.pk if interaction is not None else None,
        "before": before,
        "after": person_snapshot(person),
        "message": message,
    }
    return Done(message, signing.dumps(payload, salt=SALT, compress=True))


def _restore(model: Any, workspace_id: int, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        values = _typed(row)
        model.objects.filter(workspace_id=workspace_id, pk=values.pop("id")).update(**values)


@transaction.atomic
def undo_apply(*, workspace: Workspace, token: str) -> str:
    """Revert the action the token names; returns what was undone, for the message."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=UNDO_SECONDS)
    except signing.BadSignature as error:  # includes SignatureExpired
        raise UndoError("This can no longer be undone.") from error
    if payload.get("ws") != workspace.pk:
        raise UndoError("This can no longer be undone.")
    ws, before = workspace.pk, payload["before"]
    person = (
        Person.objects.select_for_update().filter(workspace_id=ws, pk=payload["person"]).first()
    )
    gone = payload["interaction"] is not None and not (
        Interaction.objects.filter(workspace_id=ws, pk=payload["interaction"]).exists()
    )
    if person is None or gone or person_snapshot(person) != payload["after"]:
        raise UndoError(
            "This can no longer be undone: it was undone already, or something changed since."
        )
    if payload["interaction"] is not None:
        Outreach.objects.filter(workspace_id=ws, interaction_id=payload["interaction"]).delete()
        Interaction.objects.filter(workspace_id=ws, pk=payload["interaction"]).delete()
    _restore(Relationship, ws, before["relationship"])
    _restore(FollowUp, ws, before["follow_ups"])
    hooks.follow_ups_reopened(ws, [row["id"] for row in before["follow_ups"]])
    _restore(Outreach, ws, before["outreach"])
    return f"Undone: {payload['message']}"


SESSION_KEY = "outreach_undo"


def remember(session: Any, done: Done) -> None:
    """Keep the answer for the next page (Today) to show, once."""
    session[SESSION_KEY] = {"message": done.message, "token": done.token}


def recall(session: Any) -> Done | None:
    value = session.pop(SESSION_KEY, None)
    return Done(value["message"], value["token"]) if value else None
