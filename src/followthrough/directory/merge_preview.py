"""What the merge page shows before a merge: what the other record brings over."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from followthrough.events.models import Attendance, FocusPick
from followthrough.exchange.models import ExternalId
from followthrough.people.merge import affiliations_moving
from followthrough.people.models import Affiliation, ContactPoint, Person, Tag
from followthrough.relationships.models import FollowUp, FollowUpStatus, Interaction


@dataclass(frozen=True)
class MergePreview:
    """What merging `other` into the kept person brings over: the contact points, tags
    and roles the kept person lacks, and counts of the rows that move."""

    contact_points: list[ContactPoint]
    tags: list[Tag]
    affiliations: list[Affiliation]
    interactions: int
    follow_ups: int
    open_follow_ups: int
    attendances: int
    focus_picks: int
    external_ids: int


def merge_preview(*, keep: Person, other: Person) -> MergePreview:
    """The preview of merging `other` into `keep`, both fetched with
    `selectors.person_profile` (their tags, contact points and affiliations prefetched).
    Cost: four small indexed counts."""
    taken = {(c.kind, c.normalized) for c in keep.contact_points.all()}
    keep_tags = {tag.pk for tag in keep.tags.all()}
    scope = Q(workspace_id=other.workspace_id, person=other)
    follow_ups = FollowUp.objects.filter(scope).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(status=FollowUpStatus.OPEN))
    )
    return MergePreview(
        contact_points=[
            c for c in other.contact_points.all() if (c.kind, c.normalized) not in taken
        ],
        tags=[tag for tag in other.tags.all() if tag.pk not in keep_tags],
        affiliations=affiliations_moving(keep=keep, other=other),
        interactions=Interaction.objects.filter(scope).count(),
        follow_ups=follow_ups["total"],
        open_follow_ups=follow_ups["open"],
        attendances=Attendance.objects.filter(scope).count(),
        focus_picks=FocusPick.objects.filter(scope).count(),
        external_ids=ExternalId.objects.filter(scope).count(),
    )
