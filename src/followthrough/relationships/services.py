"""Writes for relationships: starting them, logging interactions, follow-ups.

Any logged interaction resets the keep-in-touch cadence and moves the stage forward
where the interaction implies it; stages never move backward on their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Min, Model
from django.utils import timezone

from followthrough.people.bulk import BulkError, people_ids_in_workspace
from followthrough.people.models import Organization, Person
from followthrough.relationships import hooks
from followthrough.relationships.cadence import cadence_days, next_touch_due
from followthrough.relationships.due import window_due
from followthrough.relationships.models import (
    OUTBOUND_KINDS,
    FollowUp,
    FollowUpStatus,
    Interaction,
    InteractionKind,
    Relationship,
    Stage,
)
from followthrough.sql import insert_rows, update_rows
from followthrough.workspaces.models import Membership, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User


# The stage an interaction of each kind implies (at least); missing kinds imply none.
STAGE_IMPLIED_BY: dict[str, int] = {
    InteractionKind.MET_AT_EVENT: Stage.MET,
    InteractionKind.EMAIL_SENT: Stage.FOLLOWED_UP,
    InteractionKind.EMAIL_RECEIVED: Stage.FOLLOWED_UP,
    InteractionKind.MESSAGE_SENT: Stage.FOLLOWED_UP,
    InteractionKind.MESSAGE_RECEIVED: Stage.FOLLOWED_UP,
    InteractionKind.CALL: Stage.FOLLOWED_UP,
    InteractionKind.CALL_ATTEMPT: Stage.FOLLOWED_UP,
    InteractionKind.INVITATION: Stage.FOLLOWED_UP,
    InteractionKind.COFFEE: Stage.MET_ONE_TO_ONE,
}

# Interactions that count as following up: they close the person's follow-ups now due.
OUTREACH_KINDS = OUTBOUND_KINDS | {InteractionKind.CALL, InteractionKind.COFFEE}


def _pk(row: Model | None) -> int | None:
    """The id of an event or focus pick an interaction or follow-up refers to: their room
    (events) sits above this one and is never imported here, so they come as plain models
    and are stored by id."""
    return row.pk if row is not None else None


class RelationshipError(ValueError):
    """A relationship change that cannot be made, with a message for the user."""


def relationship_cadence_days(
    *, relationship: Relationship, tag_cadences: Iterable[int | None] | None = None
) -> int | None:
    """The cadence in force (`cadence.cadence_days`) for this relationship.

    `tag_cadences`, when the caller has the person's tags at hand, saves a query.
    """
    if tag_cadences is None and not relationship.cadence_days:
        tag_cadences = [
            relationship.person.tags.filter(cadence_days__isnull=False).aggregate(
                days=Min("cadence_days")
            )["days"]
        ]
    return cadence_days(
        own=relationship.cadence_days, tag_cadences=tag_cadences or (), stage=relationship.stage
    )


def _next_touch_due(
    relationship: Relationship, tag_cadences: Iterable[int | None] | None = None
) -> datetime | None:
    return next_touch_due(
        cadence_days=relationship_cadence_days(
            relationship=relationship, tag_cadences=tag_cadences
        ),
        last_interaction_at=relationship.last_interaction_at,
        created_at=relationship.created_at,
    )


def relationship_start(
    *, person: Person, organization: Organization | None = None, owner: User | None = None
) -> Relationship:
    """Create the relationship with a newly added person, at stage Noticed."""
    relationship = Relationship(
        workspace_id=person.workspace_id, person=person, organization=organization, owner=owner
    )
    relationship.next_touch_due = _next_touch_due(relationship)
    relationship.save()
    return relationship


def relationship_recompute_due(*, relationship: Relationship) -> Relationship:
    relationship.next_touch_due = _next_touch_due(relationship)
    relationship.save(update_fields=["next_touch_due"])
    return relationship


def relationships_recompute_due(*, workspace: Workspace, person_ids: list[int]) -> None:
    """Next touch for these people of the workspace after their tags changed (tags can
    set a cadence): three queries for any number of people."""
    relationships = list(Relationship.objects.filter(workspace=workspace, person_id__in=person_ids))
    cadences: dict[int, list[int]] = defaultdict(list)
    tagged = Person.tags.through.objects.filter(
        person_id__in=person_ids, tag__cadence_days__isnull=False
    ).values_list("person_id", "tag__cadence_days")
    for person_id, days in tagged:
        assert days is not None  # tag__cadence_days__isnull=False
        cadences[person_id].append(days)
    now = timezone.now()
    for relationship in relationships:
        relationship.next_touch_due = next_touch_due(
            cadence_days=relationship_cadence_days(
                relationship=relationship, tag_cadences=cadences[relationship.person_id]
            ),
            last_interaction_at=relationship.last_interaction_at,
            created_at=relationship.created_at,
            now=now,
        )
    Relationship.objects.bulk_update(relationships, ["next_touch_due"], batch_size=500)


def relationships_set_owner(
    *, workspace: Workspace, person_ids: Iterable[Any], owner: User | None
) -> int:
    """Make `owner` (a member of the workspace; None: nobody) the owner of these people's
    relationships; ids of other workspaces are ignored. One update; returns how many
    relationships changed hands. Raises `BulkError` for an owner who is not a member."""
    if (
        owner is not None
        and not Membership.objects.filter(workspace=workspace, user=owner).exists()
    ):
        raise BulkError("The owner must be a member of this workspace.")
    ids = people_ids_in_workspace(workspace=workspace, ids=person_ids)
    return Relationship.objects.filter(workspace=workspace, person_id__in=ids).update(owner=owner)


@transaction.atomic
def relationship_update(
    *,
    relationship: Relationship,
    stage: int | None = None,
    cadence_days: int | None = None,
    clear_cadence: bool = False,
    owner: User | None = None,
    clear_owner: bool = False,
    organization: Organization | None = None,
    actor: User | None = None,
) -> Relationship:
    """Set stage, cadence, owner or organization by hand; next-touch-due follows. A new
    stage is an entry on the person's timeline (from → to, by `actor`, now)."""
    if stage is not None and Stage(stage) != relationship.stage:
        Interaction.objects.create(
            workspace_id=relationship.workspace_id,
            person_id=relationship.person_id,
            kind=InteractionKind.STAGE_CHANGED,
            occurred_at=timezone.now(),
            summary=f"{Stage(relationship.stage).label} → {Stage(stage).label}",
            logged_by=actor,
        )
        relationship.stage = Stage(stage)
    if clear_cadence:
        relationship.cadence_days = None
    elif cadence_days is not None:
        if cadence_days < 1:
            raise RelationshipError("A keep-in-touch cadence is at least 1 day.")
        relationship.cadence_days = cadence_days
    if clear_owner:
        relationship.owner = None
    elif owner is not None:
        if not Membership.objects.filter(workspace=relationship.workspace_id, user=owner).exists():
            raise RelationshipError("The owner must be a member of this workspace.")
        relationship.owner = owner
    if organization is not None:
        if organization.workspace_id != relationship.workspace_id:
            raise RelationshipError("That organization is not in this workspace.")
        relationship.organization = organization
    relationship.next_touch_due = _next_touch_due(relationship)
    relationship.save()
    return relationship


def _take_interaction(
    relationship: Relationship,
    *,
    kind: str,
    occurred_at: datetime,
    tag_cadences: Iterable[int | None] | None = None,
) -> None:
    """The rule of one logged interaction for its relationship, in memory: the last
    interaction is the latest, the stage moves up to what the kind implies (never down),
    and the next touch follows. Both logging paths apply it; the caller saves."""
    if relationship.last_interaction_at is None or occurred_at > relationship.last_interaction_at:
        relationship.last_interaction_at = occurred_at
    implied = STAGE_IMPLIED_BY.get(kind)
    if implied is not None and implied > relationship.stage:
        relationship.stage = implied
    relationship.next_touch_due = _next_touch_due(relationship, tag_cadences)


def _closes_due_until(*, kind: str, occurred_at: datetime, workspace: Workspace) -> datetime | None:
    """An interaction that counts as following up closes the person's open follow-ups
    due by this time (its time plus the workspace's follow-up window, moved to a working
    hour as the follow-ups' own due times are: `due.window_due`); others: None."""
    if kind not in OUTREACH_KINDS:
        return None
    return window_due(occurred_at, workspace.follow_up_window_hours, workspace.timezone)


LOGGED_FIELDS = ["last_interaction_at", "stage", "next_touch_due"]


@transaction.atomic
def relationship_log_interaction(
    *,
    person: Person,
    kind: str,
    occurred_at: datetime | None = None,
    summary: str = "",
    note: str = "",
    event: Model | None = None,
    actor: User | None = None,
    message_id: str = "",
) -> Interaction:
    """Log an interaction with a person: it resets the cadence, advances the stage where
    the kind implies it, and (for outreach) closes the person's follow-ups now due.
    `message_id` is the e-mail's Message-ID, without angle brackets, when it is one."""
    kind = InteractionKind(kind)
    occurred_at = occurred_at or timezone.now()
    interaction = Interaction.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary,
        note=note,
        event_id=_pk(event),
        logged_by=actor,
        message_id=message_id,
    )
    relationship = Relationship.objects.select_for_update().get(person=person)
    _take_interaction(relationship, kind=kind, occurred_at=occurred_at)
    relationship.save(update_fields=LOGGED_FIELDS)
    closed: list[int] = []
    until = _closes_due_until(kind=kind, occurred_at=occurred_at, workspace=person.workspace)
    if until is not None:
        due = FollowUp.objects.filter(
            workspace_id=person.workspace_id,
            person=person,
            status=FollowUpStatus.OPEN,
            due_at__lte=until,
        )
        closed = list(due.values_list("pk", flat=True))
        due.filter(pk__in=closed).update(status=FollowUpStatus.DONE, done_at=timezone.now())
    hooks.interaction_logged(interaction)
    # After the interaction's own hook: a reply is judged against the step it answered,
    # before the follow-ups it closed move anything on.
    if closed:
        hooks.follow_ups_done(person.workspace_id, closed)
    return interaction


@dataclass(frozen=True)
class InteractionEntry:
    """One interaction for `relationship_log_interactions` (`occurred_at` None: now)."""

    person_id: int
    kind: str
    occurred_at: datetime | None
    summary: str = ""
    message_id: str = ""
    actor: User | None = None


QUERY_SLICE = 900  # ids per IN (…): below SQLite's oldest limit on bound parameters


@transaction.atomic
def relationship_log_interactions(
    *, workspace: Workspace, entries: list[InteractionEntry]
) -> list[Interaction]:
    """Log many interactions with the workspace's people: the same end state as calling
    `relationship_log_interaction` for each entry in the list's order, in a few queries
    for the whole batch. Returns the interactions, in the entries' order.

    The rules are those of the single path (`_take_interaction`, `_closes_due_until`);
    the rooms above hear the batch through `hooks.interactions_logged`, except the
    people a room claims with `hooks.on_one_by_one`, whose entries are logged one at a
    time by `relationship_log_interaction`. Raises `Relationship.DoesNotExist` when a
    person of the entries has no relationship in this workspace."""
    if not entries:
        return []
    now = timezone.now()
    kinds = [InteractionKind(entry.kind) for entry in entries]
    times = [entry.occurred_at or now for entry in entries]
    person_ids = sorted({entry.person_id for entry in entries})
    claimed = hooks.one_by_one(workspace.pk, person_ids)
    batched = [i for i, entry in enumerate(entries) if entry.person_id not in claimed]
    logged: dict[int, Interaction] = {}
    if claimed:
        people = Person.objects.filter(workspace=workspace, pk__in=claimed).in_bulk()
        for i, entry in enumerate(entries):
            if entry.person_id in claimed:
                person = people[entry.person_id]
                person.workspace = workspace
                logged[i] = relationship_log_interaction(
                    person=person,
                    kind=kinds[i],
                    occurred_at=times[i],
                    summary=entry.summary,
                    actor=entry.actor,
                    message_id=entry.message_id,
                )
    if batched:
        created = _log_batch(
            workspace,
            [(entries[i], kinds[i], times[i]) for i in batched],
        )
        logged.update(zip(batched, created, strict=True))
    return [logged[i] for i in range(len(entries))]


def _log_batch(
    workspace: Workspace, entries: list[tuple[InteractionEntry, InteractionKind, datetime]]
) -> list[Interaction]:
    """`relationship_log_interactions` for the people no room claims: (entry, its kind,
    its time) in the order logged."""
    person_ids = sorted({entry.person_id for entry, _, _ in entries})
    relationships: dict[int, Relationship] = {}
    cadences: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(person_ids), QUERY_SLICE):
        chunk = person_ids[start : start + QUERY_SLICE]
        # By person alone (one relationship each, the unique index): with the workspace
        # in the query SQLite reads the workspace's relationships by an index of its own.
        rows = Relationship.objects.select_for_update().filter(person_id__in=chunk)
        relationships.update(
            (row.person_id, row) for row in rows if row.workspace_id == workspace.pk
        )
        tagged = Person.tags.through.objects.filter(
            person_id__in=chunk, tag__cadence_days__isnull=False
        ).values_list("person_id", "tag__cadence_days")
        for person_id, days in tagged:
            assert days is not None  # tag__cadence_days__isnull=False
            cadences[person_id].append(days)
    missing = [pk for pk in person_ids if pk not in relationships]
    if missing:
        raise Relationship.DoesNotExist(f"No relationship with the people {missing[:10]}.")
    interactions = [
        Interaction(
            workspace=workspace,
            person_id=entry.person_id,
            kind=kind,
            occurred_at=occurred_at,
            summary=entry.summary,
            logged_by=entry.actor,
            message_id=entry.message_id,
        )
        for entry, kind, occurred_at in entries
    ]
    insert_rows(interactions)
    until: dict[int, datetime] = {}
    for entry, kind, occurred_at in entries:
        _take_interaction(
            relationships[entry.person_id],
            kind=kind,
            occurred_at=occurred_at,
            tag_cadences=cadences[entry.person_id],
        )
        due_by = _closes_due_until(kind=kind, occurred_at=occurred_at, workspace=workspace)
        if due_by is not None and (entry.person_id not in until or due_by > until[entry.person_id]):
            until[entry.person_id] = due_by
    update_rows(list(relationships.values()), LOGGED_FIELDS)
    # Closing is monotonic and nothing in the batch opens a follow-up (a room that would
    # claims its people one by one), so the interactions' windows close what the latest
    # of them closes.
    closed: list[int] = []
    if until:
        people = sorted(until)
        for start in range(0, len(people), QUERY_SLICE):
            due = FollowUp.objects.filter(
                workspace=workspace,
                person_id__in=people[start : start + QUERY_SLICE],
                status=FollowUpStatus.OPEN,
                due_at__lte=max(until.values()),
            ).values_list("pk", "person_id", "due_at")
            closed += [pk for pk, person_id, due_at in due if due_at <= until[person_id]]
        closed.sort()
        now = timezone.now()
        for start in range(0, len(closed), QUERY_SLICE):
            FollowUp.objects.filter(
                workspace=workspace, pk__in=closed[start : start + QUERY_SLICE]
            ).update(status=FollowUpStatus.DONE, done_at=now)
    hooks.interactions_logged(interactions)
    if closed:
        hooks.follow_ups_done(workspace.pk, closed)
    return interactions


def organization_log_noticed(
    *,
    organization: Organization,
    summary: str,
    note: str = "",
    occurred_at: datetime | None = None,
    actor: User | None = None,
) -> Interaction:
    """Record something noticed about an organization (what it is doing)."""
    if not summary.strip():
        raise RelationshipError("Say what you noticed.")
    return Interaction.objects.create(
        workspace_id=organization.workspace_id,
        organization=organization,
        kind=InteractionKind.NOTICED,
        occurred_at=occurred_at or timezone.now(),
        summary=summary.strip(),
        note=note,
        logged_by=actor,
    )


def follow_up_create(
    *,
    person: Person,
    title: str,
    due_at: datetime,
    event: Model | None = None,
    focus_pick: Model | None = None,
    assigned_to: User | None = None,
) -> FollowUp:
    return FollowUp.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        title=title,
        due_at=due_at,
        event_id=_pk(event),
        focus_pick_id=_pk(focus_pick),
        assigned_to=assigned_to,
    )


def _require_open(follow_up: FollowUp) -> None:
    if follow_up.status != FollowUpStatus.OPEN:
        raise RelationshipError("This follow-up is already closed.")


@transaction.atomic
def follow_up_done(*, follow_up: FollowUp, now: datetime | None = None) -> FollowUp:
    _require_open(follow_up)
    follow_up.status = FollowUpStatus.DONE
    follow_up.done_at = now or timezone.now()
    follow_up.save(update_fields=["status", "done_at"])
    hooks.follow_ups_done(follow_up.workspace_id, [follow_up.pk])
    return follow_up


def follow_up_snooze(
    *, follow_up: FollowUp, days: int = 2, now: datetime | None = None
) -> FollowUp:
    """Push a follow-up `days` days past now (or past its due time, if that is later)."""
    _require_open(follow_up)
    if days < 1:
        raise RelationshipError("Snooze for at least one day.")
    base = max(now or timezone.now(), follow_up.due_at)
    follow_up.due_at = base + timedelta(days=days)
    follow_up.snooze_count += 1
    follow_up.save(update_fields=["due_at", "snooze_count"])
    return follow_up


def follow_up_reschedule(*, follow_up: FollowUp, due_at: datetime) -> FollowUp:
    _require_open(follow_up)
    follow_up.due_at = due_at
    follow_up.save(update_fields=["due_at"])
    return follow_up


def follow_up_cancel(*, follow_up: FollowUp) -> FollowUp:
    _require_open(follow_up)
    follow_up.status = FollowUpStatus.CANCELLED
    follow_up.save(update_fields=["status"])
    return follow_up
