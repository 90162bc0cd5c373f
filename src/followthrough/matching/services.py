"""Acting on a potential partner: a follow-up with someone there, about why."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from followthrough.matching.models import PartnerScore
from followthrough.people.models import Organization, Person
from followthrough.relationships.due import window_due
from followthrough.relationships.models import FollowUp
from followthrough.relationships.services import follow_up_create

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def partner_follow_up(
    *,
    organization: Organization,
    person: Person,
    actor: User | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """A follow-up with `person` (currently at `organization`, of its workspace) to get to
    know them as a potential partner, titled with the first reason, due within the
    workspace's follow-up window and assigned to `actor`."""
    if person.workspace_id != organization.workspace_id:
        raise ValueError("The person belongs to another workspace.")
    if not person.affiliations.filter(organization=organization, ended_on__isnull=True).exists():
        raise ValueError(f"{person.full_name} is not at {organization.name}.")
    score = PartnerScore.objects.filter(organization=organization).first()
    why = f": {score.reasons[0]}" if score is not None and score.reasons else ""
    workspace = organization.workspace
    return follow_up_create(
        person=person,
        title=f"Get to know {organization.name}{why}"[:200],
        due_at=window_due(
            now or timezone.now(), workspace.follow_up_window_hours, workspace.timezone
        ),
        assigned_to=actor,
    )
