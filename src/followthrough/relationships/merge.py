"""How a merge of two people treats relationship rows (registered with `people.registry`
in `RelationshipsConfig.ready()`): one relationship, with the furthest stage, and a note
on the kept person's timeline saying what was not kept. Interactions and follow-ups are
plain rows that the merge re-points by itself."""

from __future__ import annotations

from django.utils import timezone

from followthrough.people.models import Person
from followthrough.people.registry import MergeRecord
from followthrough.relationships.models import Interaction, InteractionKind, Relationship
from followthrough.relationships.services import relationship_recompute_due


def merge_relationships(keep: Person, other: Person) -> None:
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


def note_merge(record: MergeRecord) -> None:
    """A note on the kept person's timeline: the merged record's values not kept, then
    this record's own values replaced (each heading only when it has lines). Written
    directly, not through `relationship_log_interaction`: a merge is not a touch, so the
    cadence stays."""
    keep, dropped = record.keep, record.dropped
    other_name = record.other_name or f"person #{record.other_pk}"
    # The id tells apart two records of one name, as duplicates usually are.
    other_label = f"{record.other_name} (#{record.other_pk})" if record.other_name else other_name
    headings = {
        "other": f"Not kept from the merged record, {other_label}:",
        "keep": "Replaced on this record by the merged record's values:",
    }
    note = "\n\n".join(
        f"{headings[whose]}\n\n" + "\n".join(f"- {line}" for line in dropped[whose])
        for whose in ("other", "keep")
        if dropped[whose]
    )
    Interaction.objects.create(
        workspace_id=keep.workspace_id,
        person=keep,
        kind=InteractionKind.NOTE,
        occurred_at=timezone.now(),
        summary=f"Merged with {other_name}"[:200],
        note=note,
        logged_by=record.actor,
    )
