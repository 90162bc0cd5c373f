"""Reads for relationships: a person's timeline, what was noticed about an organization,
a person with their relationship. Each is scoped to the workspace of the row it is given,
or to the workspace passed in."""

from __future__ import annotations

from django.db.models import QuerySet

from followthrough.people.models import Organization, Person
from followthrough.relationships.models import Interaction
from followthrough.workspaces.models import Workspace


def person_timeline(*, person: Person) -> QuerySet[Interaction]:
    """The person's interactions, newest first (ties by newest id), with their event and
    who logged them. Served by the (workspace, person, occurred_at) index; paginate it."""
    return (
        Interaction.objects.filter(workspace_id=person.workspace_id)
        .filter(person=person)
        .select_related("event", "logged_by")
        .order_by("-occurred_at", "-id")
    )


def organization_noticed(*, organization: Organization) -> QuerySet[Interaction]:
    """What was noticed about the organization (its interactions), newest first, with who
    logged them. Served by the (workspace, organization, occurred_at) index; paginate it."""
    return (
        Interaction.objects.filter(workspace_id=organization.workspace_id)
        .filter(organization=organization)
        .select_related("logged_by")
        .order_by("-occurred_at", "-id")
    )


def person_with_relationship(*, workspace: Workspace) -> QuerySet[Person]:
    """People with their relationship and its owner joined: one query for one person."""
    return Person.objects.for_workspace(workspace).select_related(
        "relationship", "relationship__owner"
    )
