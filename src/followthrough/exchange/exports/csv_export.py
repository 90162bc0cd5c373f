"""CSV exports of people, organizations and interactions, safe to open in a spreadsheet.

One row per record, streamed in chunks; date-times in the workspace's local time. The
columns and lines, with their encoding and the formula guard (checklist D6), are those
of the CSV writer (`formats/csv/writer.py`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Lower

from followthrough.exchange.exports.streaming import (
    CHUNK_SIZE,
    buffered,
    chunked,
    grouped,
)
from followthrough.exchange.formats.csv.writer import (
    INTERACTION_COLUMNS,
    MULTI_SEPARATOR,
    ORGANIZATION_COLUMNS,
    PEOPLE_COLUMNS,
    birthday_text,
    csv_lines,
    local_text,
)
from followthrough.people.links import web_link
from followthrough.people.models import (
    NEWEST_STARTED,
    Affiliation,
    ContactKind,
    ContactPoint,
    Organization,
    Person,
)
from followthrough.people.selectors import tag_choices
from followthrough.relationships.models import Interaction, InteractionKind, Stage
from followthrough.workspaces.models import Workspace

# The person's columns read in one query: current organization and role come from the
# latest current affiliation (two correlated subqueries on the person's index).
PERSON_VALUES = (
    "first_name", "last_name", "headline", "notes", "birthday_year", "birthday_month",
    "birthday_day", "relationship__stage", "relationship__owner__email",
    "relationship__last_interaction_at", "relationship__next_touch_due", "current_org",
    "current_role",
)  # fmt: skip


def _people(workspace: Workspace) -> QuerySet[Person]:
    current = Affiliation.objects.filter(
        workspace_id=OuterRef("workspace_id"), person_id=OuterRef("pk"), ended_on__isnull=True
    ).order_by(NEWEST_STARTED, "pk")
    return Person.objects.for_workspace(workspace).annotate(
        current_org=Subquery(current.values("organization__name")[:1]),
        current_role=Subquery(current.values("role")[:1]),
    )


def _person_rows(workspace: Workspace) -> Iterator[list[Any]]:
    zone = zoneinfo.ZoneInfo(workspace.timezone)
    stages = dict(Stage.choices)
    people = (
        _people(workspace)
        .order_by("full_name", "pk")  # the (workspace, full_name) index's own order
        .values_list("pk", *PERSON_VALUES)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for chunk in chunked(people, CHUNK_SIZE):
        ids = [row[0] for row in chunk]
        points = grouped(
            ContactPoint.objects.filter(workspace=workspace, person_id__in=ids).order_by(
                "person_id", "kind", "position", "pk"
            ),
            "person_id", "kind", "value",
        )  # fmt: skip
        tags = grouped(
            Person.tags.through.objects.filter(person_id__in=ids, tag__workspace=workspace)
            .order_by("person_id", Lower("tag__name"), "tag_id"),
            "person_id", "tag__name",
        )  # fmt: skip
        for pk, first, last, headline, notes, year, month, day, *rest in chunk:
            stage, owner, last_at, due, org, role = rest
            by_kind: dict[str, list[str]] = {kind: [] for kind in CSV_CONTACT_KINDS}
            for kind, value in points.get(pk, ()):
                if kind != ContactKind.URL or web_link(value) is not None:  # never a script link
                    by_kind[kind].append(value)
            yield [
                first, last,
                *(MULTI_SEPARATOR.join(by_kind[kind]) for kind in CSV_CONTACT_KINDS),
                org, role, headline,
                MULTI_SEPARATOR.join(name for (name,) in tags.get(pk, ())),
                notes, birthday_text(year, month, day), stages.get(stage, ""), owner,
                local_text(last_at, zone), local_text(due, zone),
            ]  # fmt: skip


CSV_CONTACT_KINDS = (ContactKind.EMAIL, ContactKind.PHONE, ContactKind.URL, ContactKind.ADDRESS)


def people_csv(*, workspace: Workspace) -> Iterator[str]:
    """The workspace's people, one row each, by name (columns: `PEOPLE_COLUMNS`).

    Cost: one streamed query, plus two per 2,000 people (contact points, tags), reading
    plain values rather than model instances; memory holds one chunk.
    """
    return buffered(csv_lines(list(PEOPLE_COLUMNS), _person_rows(workspace)))


def organizations_csv(*, workspace: Workspace) -> Iterator[str]:
    """The workspace's organizations (its own profile included), in id order."""
    organizations = (
        Organization.objects.for_workspace(workspace)
        .prefetch_related(Prefetch("focus_areas", queryset=tag_choices(workspace=workspace)))
        .order_by("pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    rows = (
        [
            org.name,
            org.website if web_link(org.website) else "",
            org.location,
            org.mission,
            org.offers,
            org.needs,
            MULTI_SEPARATOR.join(tag.name for tag in org.focus_areas.all()),
            org.feed_url if web_link(org.feed_url) else "",
            org.notes,
        ]
        for org in organizations
    )
    return buffered(csv_lines(ORGANIZATION_COLUMNS, rows))


def interactions_csv(*, workspace: Workspace) -> Iterator[str]:
    """Every interaction of the workspace, oldest first, with whom (name and first
    e-mail), the organization, the event and who logged it. One streamed query."""
    zone = zoneinfo.ZoneInfo(workspace.timezone)
    first_email = ContactPoint.objects.filter(
        workspace_id=OuterRef("workspace_id"), person_id=OuterRef("person_id"), kind="email"
    ).order_by("position", "pk")
    rows = (
        Interaction.objects.for_workspace(workspace)
        .annotate(person_email=Subquery(first_email.values("value")[:1]))
        .order_by("occurred_at", "pk")
        .values_list(
            "occurred_at",
            "kind",
            "person__full_name",
            "person_email",
            "organization__name",
            "event__title",
            "summary",
            "note",
            "logged_by__email",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    kinds = dict(InteractionKind.choices)
    return buffered(
        csv_lines(
            INTERACTION_COLUMNS,
            ([local_text(row[0], zone), kinds.get(row[1], row[1]), *row[2:]] for row in rows),
        )
    )


CSV_EXPORTS = {
    "people": people_csv,
    "organizations": organizations_csv,
    "interactions": interactions_csv,
}
