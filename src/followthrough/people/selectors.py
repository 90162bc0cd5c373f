"""Reads for the directory: lists, profiles and timelines of people and organizations.

Every selector is scoped to one workspace (directly, or through the row it is given) and
never joins across workspaces. List selectors return lazy querysets for the caller to
paginate; nothing here loads a whole table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from followthrough.people.models import (
    NEWEST_STARTED,
    Affiliation,
    ContactPoint,
    Organization,
    Person,
    Tag,
)
from followthrough.workspaces.models import Workspace

PERSON_SORTS = {"name": "Name", "last": "Last interaction", "due": "Most overdue first"}
MAX_SEARCH_TERMS = 5


def _terms(query: str) -> list[str]:
    return query.split()[:MAX_SEARCH_TERMS]


def tag_choices(*, workspace: Workspace) -> QuerySet[Tag]:
    """The workspace's tags by name ignoring case ("adult literacy" before "Food"), for
    filter menus. One query when evaluated."""
    return Tag.objects.for_workspace(workspace).only("id", "name").order_by(Lower("name"), "pk")


def person_list(
    *,
    workspace: Workspace,
    query: str = "",
    tag: Tag | None = None,
    stage: int | None = None,
    sort: str = "name",
    id_ranges: Sequence[tuple[int, int]] | None = None,
) -> QuerySet[Person]:
    """People of the workspace matching the search and filters, ready to paginate.

    `id_ranges`: only people whose id is in one of these (first, last) ranges — the
    people an import added (`exchange.imports.provenance.people_added`); none when empty.

    `query`: every word must appear in the name, headline, a contact point (e-mail, phone,
    link) or the name of a current organization (case-insensitive).
    Ordering: by name; or `sort="last"`: most recent interaction first, never-contacted
    people last, then by name; or `sort="due"`: the longest-overdue next touch first,
    people with no touch due last. `pk` breaks ties so pages are stable.
    Cost: a page is 3 queries (the rows with their relationship, their tags, their
    current affiliations with organizations) plus the paginator's count.
    """
    people = Person.objects.for_workspace(workspace)
    for term in _terms(query):
        by_contact = ContactPoint.objects.for_workspace(workspace).filter(
            normalized__icontains=term
        )
        by_organization = Affiliation.objects.for_workspace(workspace).filter(
            ended_on__isnull=True, organization__name__icontains=term
        )
        people = people.filter(
            Q(full_name__icontains=term)
            | Q(headline__icontains=term)
            | Q(pk__in=by_contact.values("person_id"))
            | Q(pk__in=by_organization.values("person_id"))
        )
    if id_ranges is not None:
        within = Q(pk__in=[])
        for first, last in id_ranges:
            within |= Q(pk__range=(first, last))
        people = people.filter(within)
    if tag is not None:
        people = people.filter(tags=tag)
    if stage is not None:
        people = people.filter(relationship__stage=stage)
    if sort == "last":
        people = people.order_by(
            F("relationship__last_interaction_at").desc(nulls_last=True), "full_name", "pk"
        )
    elif sort == "due":
        people = people.order_by(
            F("relationship__next_touch_due").asc(nulls_last=True), "full_name", "pk"
        )
    else:
        people = people.order_by("full_name", "pk")
    return people.select_related("relationship").prefetch_related(
        Prefetch("tags", queryset=tag_choices(workspace=workspace)),
        Prefetch(
            "affiliations",
            queryset=Affiliation.objects.for_workspace(workspace)
            .filter(ended_on__isnull=True)
            .select_related("organization")
            .order_by(NEWEST_STARTED, "pk"),
            to_attr="current_affiliations",
        ),
    )


def person_profile(*, workspace: Workspace) -> QuerySet[Person]:
    """The queryset a profile is fetched from: relationship with its owner joined, tags,
    contact points and affiliations (current first, with organizations) prefetched.

    Cost: 4 queries for one person, whatever the number of related rows.
    """
    return (
        Person.objects.for_workspace(workspace)
        .select_related("relationship", "relationship__owner")
        .prefetch_related(
            Prefetch("tags", queryset=tag_choices(workspace=workspace)),
            Prefetch(
                "contact_points",
                queryset=ContactPoint.objects.for_workspace(workspace).order_by("kind", "position"),
            ),
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.for_workspace(workspace)
                .select_related("organization")
                .order_by(F("ended_on").desc(nulls_first=True), NEWEST_STARTED, "pk"),
            ),
        )
    )


def organization_list(
    *, workspace: Workspace, query: str = "", focus_area: Tag | None = None
) -> QuerySet[Organization]:
    """Organizations of the workspace matching the search and focus area, by name.

    `query`: every word must appear in the name, mission or location (case-insensitive).
    Cost: a page is 2 queries (rows, focus areas) plus the paginator's count.
    """
    organizations = Organization.objects.for_workspace(workspace)
    for term in _terms(query):
        organizations = organizations.filter(
            Q(name__icontains=term) | Q(mission__icontains=term) | Q(location__icontains=term)
        )
    if focus_area is not None:
        organizations = organizations.filter(focus_areas=focus_area)
    return organizations.order_by("name", "pk").prefetch_related(
        Prefetch("focus_areas", queryset=tag_choices(workspace=workspace))
    )


def organization_profile(*, workspace: Workspace) -> QuerySet[Organization]:
    """The queryset an organization's profile is fetched from (focus areas prefetched)."""
    return Organization.objects.for_workspace(workspace).prefetch_related(
        Prefetch("focus_areas", queryset=tag_choices(workspace=workspace))
    )


def organization_people(*, organization: Organization, limit: int = 100) -> list[Affiliation]:
    """Affiliations with the organization, current ones first (then by person's name),
    each with its person, at most `limit`. One query."""
    return list(
        Affiliation.objects.filter(workspace_id=organization.workspace_id)
        .filter(organization=organization)
        .select_related("person")
        .order_by(F("ended_on").desc(nulls_first=True), "person__full_name", "pk")[:limit]
    )


def current_people(
    *, workspace: Workspace, organization_ids: Iterable[int], limit: int = 5
) -> dict[int, list[Person]]:
    """{organization id: its current people by name, at most `limit`}. One query."""
    found: dict[int, list[Person]] = {}
    rows = (
        Affiliation.objects.for_workspace(workspace)
        .filter(organization_id__in=set(organization_ids), ended_on__isnull=True)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )
    for affiliation in rows:
        people = found.setdefault(affiliation.organization_id, [])
        if len(people) < limit and affiliation.person not in people:
            people.append(affiliation.person)
    return found


def organization_find_by_name(*, workspace: Workspace, name: str) -> Organization | None:
    """The workspace's organization with this name (case-insensitive), oldest first when
    several share it; None when there is none. One indexed query."""
    name = name.strip()
    if not name:
        return None
    return (
        Organization.objects.for_workspace(workspace)
        .filter(name__iexact=name)
        .order_by("pk")
        .first()
    )


def organization_names(*, workspace: Workspace, query: str = "", limit: int = 20) -> list[str]:
    """Up to `limit` distinct organization names for a name box's suggestions: those
    starting with `query` first, then those containing it; by name. Two small queries."""
    organizations = Organization.objects.for_workspace(workspace)
    query = query.strip()
    if not query:
        names = organizations.order_by("-updated_at").values_list("name", flat=True)[:limit]
        return sorted(dict.fromkeys(names), key=str.lower)
    found = list(
        organizations.filter(name__istartswith=query)
        .order_by("name")
        .values_list("name", flat=True)[:limit]
    )
    if len(found) < limit:
        found += (
            organizations.filter(name__icontains=query)
            .exclude(name__istartswith=query)
            .order_by("name")
            .values_list("name", flat=True)[: limit - len(found)]
        )
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class TimelinePage:
    """One page of a newest-first timeline; iterates like a paginator's `Page`."""

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def timeline_page(items: QuerySet, *, number: int, per_page: int) -> TimelinePage:
    """Page `number` (from 1) of a timeline queryset, without counting the timeline: it
    reads one row past the page to know whether older entries exist. One query, served
    by the timeline's index however long the timeline is."""
    offset = (max(number, 1) - 1) * per_page
    rows = list(items[offset : offset + per_page + 1])
    return TimelinePage(
        object_list=rows[:per_page], number=max(number, 1), has_next=len(rows) > per_page
    )
