"""Writes for duplicates: merging two people into one, and dismissing a suggested pair.

A merge keeps one person (`keep`) and deletes the other after moving everything of
theirs over: every row that refers to a person, found from the model metadata
(`people.registry`) — contact points, tags, affiliations, related people and other card
details, identities in other systems, interactions, follow-ups, focus picks, event
attendance and the relationship. Nothing is duplicated on the way (the same e-mail twice,
the same organization twice for one period, the same card detail twice, two attendances
of one event), and field values the member chose not to keep are written
into the merge note on the kept person's timeline, each under the record it came from, so
nothing is lost silently. A photo not kept is not deleted either (see `_apply_fields`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from followthrough.people import registry
from followthrough.people.duplicates import pair_key
from followthrough.people.models import (
    ANNIVERSARY_FIELDS,
    BIRTHDAY_FIELDS,
    Affiliation,
    ContactPoint,
    DismissedDuplicate,
    Gender,
    Person,
    PersonDetail,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The fields a member chooses between, with their labels; "birthday" and "anniversary"
# are their three parts each (`DATE_FIELDS`).
MERGE_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "headline": "Headline",
    "notes": "Notes",
    "photo": "Photo",
    "birthday": "Birthday",
    "name_prefix": "Name prefix",
    "middle_name": "Middle names",
    "name_suffix": "Name suffix",
    "formatted_name": "Name as written",
    "nickname": "Nickname",
    "gender": "Gender",
    "gender_identity": "Gender identity",
    "anniversary": "Anniversary",
    "time_zone": "Time zone",
    "geo": "Position",
    "photo_url": "Photo link",
}
DATE_FIELDS = {"birthday": BIRTHDAY_FIELDS, "anniversary": ANNIVERSARY_FIELDS}
KEEP, OTHER = "keep", "other"


class MergeError(ValueError):
    """A merge or dismissal that cannot be made, with a message for the user."""


def field_value(person: Person, name: str) -> Any:
    """The value of a merge field: a tuple of parts for the birthday and anniversary, the
    file name for the photo ("" when none)."""
    if name in DATE_FIELDS:
        return tuple(getattr(person, part) for part in DATE_FIELDS[name])
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
    if name in DATE_FIELDS:
        month, day, year = value
        return f"{year or '????'}-{month or 0:02d}-{day or 0:02d}"
    if name == "gender" and value in Gender.values:
        return f"{Gender(value).label} ({value})"
    if name == "photo":
        # The file's name in storage: the file is kept, and this is how to find it.
        return f"`{value}` (the file is kept)"
    return str(value)


def _apply_fields(keep: Person, other: Person, choices: Mapping[str, str]) -> dict[str, list[str]]:
    """Copy the chosen values onto `keep`. Returns the values that are gone from the
    person, as "Label: value" lines for the merge note, by whose they were: under `OTHER`
    the merged record's values not chosen, under `KEEP` the kept record's own values
    replaced by the merged record's. A value equal to the one kept is not gone, so it is
    never listed.

    Photo files are never deleted here, on purpose: the photo not chosen (the kept
    person's own, or the merged record's) stays in storage under the name the note gives,
    so it can be put back if the choice was a mistake (a merge cannot be undone). That is
    at most one file per merge, and one a note points to; nothing removes it later (not
    even deleting the kept person, whose note goes with them), so clearing such files is
    left to whoever runs the server. The chosen photo simply becomes the kept person's.
    """
    dropped: dict[str, list[str]] = {OTHER: [], KEEP: []}
    for name, label in MERGE_FIELDS.items():
        kept, lost = (keep, other) if choices[name] == KEEP else (other, keep)
        value, lost_value = field_value(kept, name), field_value(lost, name)
        if lost_value != value and not _is_empty(lost_value):
            whose = OTHER if lost is other else KEEP
            dropped[whose].append(f"{label}: {_describe(name, lost_value)}")
        if name in DATE_FIELDS:
            for part, part_value in zip(DATE_FIELDS[name], value, strict=True):
                setattr(keep, part, part_value)
        elif name == "photo":
            keep.photo = value or ""
        else:
            setattr(keep, name, value)
    keep.save()
    return dropped


def merge_contact_points(keep: Person, other: Person) -> None:
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


def merge_details(keep: Person, other: Person) -> None:
    """The other's related people and other card details after the kept person's own
    (in their order), except those the kept person already has word for word (label,
    parameters and value): two records of one card would otherwise show and export each
    detail twice. The rest go with the other person."""
    rows = PersonDetail.objects.filter(
        workspace_id=keep.workspace_id, person_id__in=[keep.pk, other.pk]
    ).order_by("kind", "position", "pk")
    mine = [row for row in rows if row.person_id == keep.pk]
    theirs = [row for row in rows if row.person_id == other.pk]
    taken = {(row.kind, row.label, row.params, row.value) for row in mine}
    positions: dict[str, int] = {}
    for row in mine:
        positions[row.kind] = max(positions.get(row.kind, -1), row.position)
    moving = []
    for row in theirs:
        key = (row.kind, row.label, row.params, row.value)
        if key in taken:
            continue
        taken.add(key)
        positions[row.kind] = positions.get(row.kind, -1) + 1
        row.person, row.position = keep, positions[row.kind]
        moving.append(row)
    PersonDetail.objects.bulk_update(moving, ["person", "position"])


def _role_key(role: str) -> str:
    return role.strip().lower()


def _same_period(mine: Affiliation, theirs: Affiliation) -> bool:
    """Whether two affiliations at one organization describe one stretch of time: both
    current, or both ended on the same day, or both ended with known dates that overlap.
    A current one and an ended one are two periods (she left, and came back)."""
    if mine.ended_on is None or theirs.ended_on is None:
        return mine.ended_on is None and theirs.ended_on is None
    if mine.ended_on == theirs.ended_on:
        return True
    if mine.started_on is None or theirs.started_on is None:
        return False  # an unknown start and a different end: not known to be the same
    return mine.started_on <= theirs.ended_on and theirs.started_on <= mine.ended_on


def _counterpart(theirs: Affiliation, mine: list[Affiliation]) -> Affiliation | None:
    """The kept person's row that `theirs` is another record of: the same organization
    and period, and roles that agree (the same, or one of them blank), the same role
    first."""
    role = _role_key(theirs.role)
    matches = [
        row
        for row in mine
        if row.organization_id == theirs.organization_id
        and (not role or _role_key(row.role) in ("", role))
        and _same_period(row, theirs)
    ]
    matches.sort(key=lambda row: _role_key(row.role) != role)  # stable: order kept
    return matches[0] if matches else None


def _plan_affiliations(
    mine: list[Affiliation], theirs: list[Affiliation]
) -> tuple[list[Affiliation], list[Affiliation]]:
    """The other's rows that move as they are, and the kept rows that absorb the rest
    (changed in memory, not saved)."""
    moving, combined = [], {}
    for row in theirs:
        same = _counterpart(row, mine)
        if same is None:
            moving.append(row)
            continue
        for text in ("role", "department", "function"):  # what the kept row lacks
            if not getattr(same, text).strip():
                setattr(same, text, getattr(row, text).strip())
        same.started_on = min(filter(None, (same.started_on, row.started_on)), default=None)
        if same.ended_on is not None and row.ended_on is not None:
            same.ended_on = max(same.ended_on, row.ended_on)
        combined[same.pk] = same
    return moving, list(combined.values())


def affiliations_moving(*, keep: Person, other: Person) -> list[Affiliation]:
    """The other's affiliations that a merge moves over as separate rows (the rest are
    combined into the kept person's), for the merge page's preview; works on prefetched
    affiliations and changes nothing."""
    mine = [copy.copy(row) for row in keep.affiliations.all()]
    return _plan_affiliations(mine, list(other.affiliations.all()))[0]


def merge_affiliations(keep: Person, other: Person) -> None:
    """One affiliation per organization and period, so a person never shows twice at one
    organization for the same time.

    Two rows are one affiliation when they are at the same organization, their roles
    agree (the same role ignoring case and spaces, or one of them has none: an imported
    "Maria Okafor at Riverside Food Bank" is the same job as "Volunteer Coordinator at
    Riverside Food Bank"), and they cover the same period: both current, or both ended
    on the same day or at overlapping known dates. Then the kept person's row stays and
    takes what it lacks from the other's: the role (and department and function), and
    dates widened to cover both (the earlier start, the later end). An ended and a
    current row at one organization are two periods and both stay, as do two different
    roles (a board chair can also be a volunteer) and past periods not known to overlap:
    when in doubt both stay, since a duplicate row is easy to delete and a lost period
    is not."""
    moving, combined = _plan_affiliations(
        list(keep.affiliations.all()), list(other.affiliations.all())
    )
    for row in moving:
        row.person = keep
    Affiliation.objects.bulk_update(moving, ["person"])
    Affiliation.objects.bulk_update(
        combined, ["role", "department", "function", "started_on", "ended_on"]
    )


def merge_tags(keep: Person, other: Person) -> None:
    """The kept person has the tags of both."""
    keep.tags.add(*other.tags.values_list("pk", flat=True))


def merge_dismissals(keep: Person, other: Person) -> None:
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
    other_full_name, other_pk = other.full_name, other.pk  # `delete()` clears the pk
    other.delete()
    registry.merged(
        registry.MergeRecord(
            keep=keep, other_name=other_full_name, other_pk=other_pk, dropped=dropped, actor=actor
        )
    )
    return keep


def _move_rows(keep: Person, other: Person) -> None:
    """Every row pointing at `other` goes to `keep`: plain foreign keys re-pointed in one
    query each, then each relation with a policy (`registry.register_merge_policy`)
    through its policy, in the order they were registered."""
    policies = registry.merge_policies()
    for relation in registry.person_relations():
        if relation.model in policies:
            continue
        (column,) = relation.columns  # a relation with two keys to people needs a policy
        rows = relation.model._base_manager.filter(**{column: other.pk})
        if any(f.name == "workspace" for f in relation.model._meta.concrete_fields):
            rows = rows.filter(workspace_id=keep.workspace_id)  # the (workspace, person) index
        rows.update(**{column: keep.pk})
    for policy in policies.values():
        policy(keep, other)


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
