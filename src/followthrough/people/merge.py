"""Writes for duplicates: merging two people into one, and dismissing a suggested pair.

A merge keeps one person (`keep`) and deletes the other after moving everything of
theirs over: contact points, tags, affiliations, identities in other systems,
interactions, follow-ups, focus picks, event attendance and the relationship. Nothing is
duplicated on the way (the same e-mail twice, the same role twice, two attendances of one
event), and field values the member chose not to keep are written into the merge note on
the kept person's timeline, so nothing is lost silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from followthrough.events.models import Attendance, FocusPick, Rsvp
from followthrough.exchange.models import ExternalId
from followthrough.people.duplicates import pair_key
from followthrough.people.models import Affiliation, ContactPoint, DismissedDuplicate, Person
from followthrough.relationships.models import (
    FollowUp,
    Interaction,
    InteractionKind,
    Relationship,
)
from followthrough.relationships.services import relationship_recompute_due

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The fields a member chooses between, with their labels; "birthday" is its three parts.
MERGE_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "headline": "Headline",
    "notes": "Notes",
    "photo": "Photo",
    "birthday": "Birthday",
}
BIRTHDAY_PARTS = ("birthday_month", "birthday_day", "birthday_year")
KEEP, OTHER = "keep", "other"
# Every model with a reference to a person, and so handled by a merge (a test fails when
# a new one is missing).
MOVED_MODELS = (
    Person.tags.through,
    ContactPoint,
    Affiliation,
    Relationship,
    ExternalId,
    Attendance,
    FocusPick,
    Interaction,
    FollowUp,
    DismissedDuplicate,
)
# Which of two attendances of one event says more: checked in, then the best answer.
RSVP_RANK = {Rsvp.DECLINED: 0, Rsvp.UNKNOWN: 1, Rsvp.TENTATIVE: 2, Rsvp.ACCEPTED: 3}


class MergeError(ValueError):
    """A merge or dismissal that cannot be made, with a message for the user."""


def field_value(person: Person, name: str) -> Any:
    """The value of a merge field: a tuple of parts for the birthday, the file name for
    the photo ("" when none)."""
    if name == "birthday":
        return tuple(getattr(person, part) for part in BIRTHDAY_PARTS)
    if name == "photo":
        return person.photo.name or ""
    return getattr(person, name)


def _is_empty(value: Any) -> bool:
    return not any(value) if isinstance(value, tuple) else not value


def default_choice(keep: Person, other: Person, name: str) -> str:
    """Keep the kept person's value, unless theirs is empty and the other's is not."""
    if _is_empty(field_value(keep, name)) and not _is_empty(field_value(other, name)):
        return OTHER
    return KEEP


def _resolve_choices(keep: Person, other: Person, choices: Mapping[str, str]) -> dict[str, str]:
    unknown = set(choices) - set(MERGE_FIELDS)
    if unknown:
        raise MergeError(f"Unknown fields to merge: {', '.join(sorted(unknown))}.")
    resolved = {}
    for name in MERGE_FIELDS:
        choice = choices.get(name) or default_choice(keep, other, name)
        if choice not in (KEEP, OTHER):
            raise MergeError(f"Choose “keep” or “other” for {MERGE_FIELDS[name].lower()}.")
        resolved[name] = choice
    return resolved


def _lock_pair(keep: Person, other: Person) -> tuple[Person, Person]:
    """Both people re-read under a row lock: a concurrent merge of either one fails here
    rather than half-merging a person who is already gone."""
    if keep.pk == other.pk:
        raise MergeError("A person cannot be merged with themselves.")
    if keep.workspace_id != other.workspace_id:
        raise MergeError("Only people of the same workspace can be merged.")
    locked = Person.objects.select_for_update().filter(
        workspace_id=keep.workspace_id, pk__in=[keep.pk, other.pk]
    )
    people = {person.pk: person for person in locked}
    if len(people) != 2:
        raise MergeError("One of these people was deleted or merged meanwhile.")
    return people[keep.pk], people[other.pk]


def _describe(name: str, value: Any) -> str:
    if name == "birthday":
        month, day, year = value
        return f"{year or '????'}-{month or 0:02d}-{day or 0:02d}"
    if name == "photo":
        return "their photo"
    return str(value)


def _apply_fields(keep: Person, other: Person, choices: Mapping[str, str]) -> list[str]:
    """Copy the chosen values onto `keep`; returns "Label: value" for each non-empty value
    that was not kept, for the merge note. Photo files no person uses any more are
    deleted once the merge is committed."""
    dropped = []
    for name, label in MERGE_FIELDS.items():
        kept, lost = (keep, other) if choices[name] == KEEP else (other, keep)
        value, lost_value = field_value(kept, name), field_value(lost, name)
        if lost_value != value and not _is_empty(lost_value):
            dropped.append(f"{label}: {_describe(name, lost_value)}")
        if name == "birthday":
            for part, part_value in zip(BIRTHDAY_PARTS, value, strict=True):
                setattr(keep, part, part_value)
        elif name == "photo":
            keep.photo = value or ""
            if lost_value and lost_value != value:
                transaction.on_commit(
                    lambda name=lost_value, storage=keep.photo.storage: storage.delete(name)
                )
        else:
            setattr(keep, name, value)
    keep.save()
    return dropped


def _move_contact_points(keep: Person, other: Person) -> None:
    """The other's e-mails, phones and links the kept person lacks (by normalized value),
    after the kept person's own; the rest go with the other person."""
    taken = {(c.kind, c.normalized) for c in keep.contact_points.all()}
    positions = dict(
        keep.contact_points.values("kind")
        .annotate(last=Max("position"))
        .values_list("kind", "last")
    )
    moving = []
    for point in other.contact_points.order_by("kind", "position", "pk"):
        if (point.kind, point.normalized) in taken:
            continue
        taken.add((point.kind, point.normalized))
        positions[point.kind] = positions.get(point.kind, -1) + 1
        point.person, point.position = keep, positions[point.kind]
        moving.append(point)
    ContactPoint.objects.bulk_update(moving, ["person", "position"])


def _move_affiliations(keep: Person, other: Person) -> None:
    """The other's roles, except one the kept person already holds (same organization and
    role), whose dates are widened to cover both instead."""
    held = {(a.organization_id, a.role.strip().lower()): a for a in keep.affiliations.all()}
    moving, widened = [], []
    for affiliation in other.affiliations.all():
        same = held.get((affiliation.organization_id, affiliation.role.strip().lower()))
        if same is None:
            affiliation.person = keep
            moving.append(affiliation)
            continue
        starts = [d for d in (same.started_on, affiliation.started_on) if d]
        same.started_on = min(starts, default=None)
        if same.ended_on and affiliation.ended_on:
            same.ended_on = max(same.ended_on, affiliation.ended_on)
        else:
            same.ended_on = None
        widened.append(same)
    Affiliation.objects.bulk_update(moving, ["person"])
    Affiliation.objects.bulk_update(widened, ["started_on", "ended_on"])


def _move_attendances(keep: Person, other: Person) -> None:
    """One attendance per event: where both attended, the kept row takes the fuller
    answer (checked in if either was, the best RSVP, the earliest added)."""
    kept = {a.event_id: a for a in Attendance.objects.filter(person=keep)}
    moving, combined = [], []
    for attendance in Attendance.objects.filter(person=other):
        mine = kept.get(attendance.event_id)
        if mine is None:
            attendance.person = keep
            moving.append(attendance)
            continue
        mine.checked_in = mine.checked_in or attendance.checked_in
        mine.rsvp = max(mine.rsvp, attendance.rsvp, key=lambda r: RSVP_RANK.get(r, 1))
        mine.added_at = min(mine.added_at, attendance.added_at)
        combined.append(mine)
    Attendance.objects.bulk_update(moving, ["person"])
    Attendance.objects.bulk_update(combined, ["checked_in", "rsvp", "added_at"])


def _move_focus_picks(keep: Person, other: Person) -> None:
    """One focus pick per event: where both were picked, the kept pick stays and the
    other's follow-ups point to it."""
    kept = dict(FocusPick.objects.filter(person=keep).values_list("event_id", "pk"))
    moving = []
    for pick in FocusPick.objects.filter(person=other):
        if pick.event_id in kept:
            FollowUp.objects.filter(focus_pick=pick).update(focus_pick_id=kept[pick.event_id])
        else:
            pick.person = keep
            moving.append(pick)
    FocusPick.objects.bulk_update(moving, ["person"])


def _move_dismissals(keep: Person, other: Person) -> None:
    """What was said of the other ("not the same person as X") holds for the kept one."""
    rows = DismissedDuplicate.objects.filter(workspace_id=keep.workspace_id)
    existing = set(rows.filter(person_a=keep).values_list("person_b_id", flat=True))
    existing |= set(rows.filter(person_b=keep).values_list("person_a_id", flat=True))
    new = []
    for row in rows.filter(person_a=other) | rows.filter(person_b=other):
        third = row.person_b_id if row.person_a_id == other.pk else row.person_a_id
        if third != keep.pk and third not in existing:
            existing.add(third)
            a, b = pair_key(keep.pk, third)
            new.append(
                DismissedDuplicate(
                    workspace_id=keep.workspace_id,
                    person_a_id=a,
                    person_b_id=b,
                    dismissed_by_id=row.dismissed_by_id,
                    dismissed_at=row.dismissed_at,
                )
            )
    DismissedDuplicate.objects.bulk_create(new)


def _merge_relationships(keep: Person, other: Person) -> None:
    """The furthest stage, the latest interaction, and the kept person's owner, cadence
    and organization (the other's where the kept one has none); next touch recomputed."""
    mine = Relationship.objects.filter(person=keep).first()
    theirs = Relationship.objects.filter(person=other).first()
    if theirs is None:
        if mine is not None:
            relationship_recompute_due(relationship=mine)
        return
    if mine is None:
        theirs.person = keep
        theirs.save(update_fields=["person"])
        relationship_recompute_due(relationship=theirs)
        return
    mine.stage = max(mine.stage, theirs.stage)
    times = [t for t in (mine.last_interaction_at, theirs.last_interaction_at) if t]
    mine.last_interaction_at = max(times, default=None)
    mine.owner_id = mine.owner_id or theirs.owner_id
    mine.organization_id = mine.organization_id or theirs.organization_id
    mine.cadence_days = mine.cadence_days or theirs.cadence_days
    mine.created_at = min(mine.created_at, theirs.created_at)
    mine.save()
    relationship_recompute_due(relationship=mine)


def _move_rows(keep: Person, other: Person) -> None:
    """Rows that may simply change hands: tags (union), identities, interactions and
    follow-ups. One or two queries each."""
    scope = {"workspace_id": keep.workspace_id, "person": other}
    for model in (ExternalId, Interaction, FollowUp):
        model.objects.filter(**scope).update(person=keep)
    keep.tags.add(*other.tags.values_list("pk", flat=True))
    _move_contact_points(keep, other)
    _move_affiliations(keep, other)
    _move_attendances(keep, other)
    _move_focus_picks(keep, other)
    _move_dismissals(keep, other)


def _log_merge(keep: Person, other_name: str, dropped: list[str], actor: User | None) -> None:
    """A note on the kept person's timeline. Written directly, not through
    `relationship_log_interaction`: a merge is not a touch, so the cadence stays."""
    note = ""
    if dropped:
        note = "Values of the merged record that were not kept:\n\n" + "\n".join(
            f"- {line}" for line in dropped
        )
    Interaction.objects.create(
        workspace_id=keep.workspace_id,
        person=keep,
        kind=InteractionKind.NOTE,
        occurred_at=timezone.now(),
        summary=f"Merged with {other_name}"[:200],
        note=note,
        logged_by=actor,
    )


@transaction.atomic
def person_merge(
    *,
    keep: Person,
    other: Person,
    choices: Mapping[str, str] | None = None,
    actor: User | None = None,
) -> Person:
    """Merge `other` into `keep` and delete `other`, in one transaction.

    `choices` maps a field of `MERGE_FIELDS` to "keep" or "other" (whose value to keep);
    a missing field keeps the kept person's value unless it is empty. Everything related
    moves to `keep` (see the module docstring); the merge is logged as a note on `keep`.
    Raises `MergeError` for a person merged with themselves, two workspaces, or a person
    deleted meanwhile. Cost: a few dozen queries, whatever the number of moved rows.
    """
    keep, other = _lock_pair(keep, other)
    dropped = _apply_fields(keep, other, _resolve_choices(keep, other, choices or {}))
    _move_rows(keep, other)
    _merge_relationships(keep, other)
    other_name = other.full_name or f"person #{other.pk}"
    other.delete()
    _log_merge(keep, other_name, dropped, actor)
    return keep


def duplicate_dismiss(
    *, person_a: Person, person_b: Person, actor: User | None = None
) -> DismissedDuplicate:
    """Record that two people are not the same person: the pair is never suggested
    again. Dismissing a pair twice is harmless."""
    if person_a.pk == person_b.pk:
        raise MergeError("That is one person, not a pair.")
    if person_a.workspace_id != person_b.workspace_id:
        raise MergeError("These people belong to different workspaces.")
    a, b = pair_key(person_a.pk, person_b.pk)
    dismissal, _ = DismissedDuplicate.objects.get_or_create(
        workspace_id=person_a.workspace_id,
        person_a_id=a,
        person_b_id=b,
        defaults={"dismissed_by": actor},
    )
    return dismissal
