"""Reads for the directory: lists, profiles and timelines of people and organizations.

Every selector is scoped to one workspace (directly, or through the row it is given) and
never joins across workspaces. List selectors return lazy querysets for the caller to
paginate; nothing here loads a whole table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from followthrough.people import search
from followthrough.people.models import (
    NEWEST_STARTED,
    Affiliation,
    ContactPoint,
    Organization,
    Person,
    Tag,
)
from followthrough.people.pages import ListPage, TimelinePage, id_in, in_order, page_of_ids
from followthrough.workspaces.models import Workspace

PERSON_SORTS = {
    "name": "Name",
    "best": "Best match",
    "last": "Last interaction",
    "due": "Most overdue first",
}


def tag_choices(*, workspace: Workspace) -> QuerySet[Tag]:
    """The workspace's tags by name ignoring case ("adult literacy" before "Food"), for
    filter menus. One query when evaluated."""
    return Tag.objects.for_workspace(workspace).only("id", "name").order_by(Lower("name"), "pk")


def _relationships() -> QuerySet:
    # The relationship room sits above this one: its model is reached through the
    # person's reverse relation, never imported.
    relation: Any = Person._meta.get_field("relationship")
    return relation.related_model._default_manager.all()


# Never-contacted people and people with no touch due come last; ties (in practice
# only those) in the order their relationships were made.
_RELATIONSHIP_ORDER = {
    "last": ("last_interaction_at", True),
    "due": ("next_touch_due", False),
}


def _person_ids(
    people: QuerySet[Person], *, workspace: Workspace, sort: str, filtered: bool
) -> QuerySet:
    """The ids of `people` in the order of `sort`, from the index that matches it."""
    if sort not in _RELATIONSHIP_ORDER:
        return people.order_by("full_name", "pk").values_list("pk", flat=True)
    field, descending = _RELATIONSHIP_ORDER[sort]
    if filtered:
        key = F(f"relationship__{field}")
        ordering = key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
        tie = "-relationship__pk" if descending else "relationship__pk"
        return people.order_by(ordering, tie).values_list("pk", flat=True)
    # Every person has one relationship (started by the people.registry hooks), so the
    # relationships' own (workspace, field) index gives everyone's order.
    ordering = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return (
        _relationships()
        .filter(workspace=workspace)
        .order_by(ordering, "-pk" if descending else "pk")
        .values_list("person_id", flat=True)
    )


def person_list(
    *,
    workspace: Workspace,
    query: str = "",
    tag: Tag | None = None,
    stage: int | None = None,
    sort: str = "",
    id_ranges: Sequence[tuple[int, int]] | None = None,
    among: QuerySet | None = None,
    number: int = 1,
    per_page: int = 50,
) -> ListPage:
    """Page `number` of the workspace's people matching the search and filters.

    `query`: full-text search (`people.search.person_search`: names, headline, notes,
    contact points, current organizations and roles; every word, as a prefix).
    `id_ranges`: only people whose id is in one of these (first, last) ranges — the
    people an import added (`exchange.imports.provenance.people_added`); none when empty.
    `among`: only the people whose ids this subquery gives (a higher room's filter, such
    as outreach's "waiting for a reply" and "quiet").
    Ordering: `sort="best"` (the default with a query): best match first; `"name"` (the
    default without); `"last"`: most recent interaction first, never-contacted people
    last; `"due"`: the longest-overdue next touch first, people with no touch due last.
    Cost: the page's ids (an index walk, or the search), the count up to
    `pages.COUNT_CAP`, then 3 queries for the rows with their relationship, tags and
    current affiliations with organizations — the same at page 1 and page 1,000.
    """
    sort = sort if sort in PERSON_SORTS else ""
    sort = sort or ("best" if query.strip() else "name")
    people = Person.objects.for_workspace(workspace)
    found: list[int] | None = None
    if query.strip():
        by_name = sort == "name"
        found = search.person_search(workspace=workspace, query=query, by_name=by_name)
        # The found ids are of this workspace; naming them alone lets the database
        # start from them rather than from the workspace's name index.
        people = Person.objects.filter(id_in(found))
    filtered = bool(tag or stage or id_ranges is not None or among is not None)
    if among is not None:
        people = people.filter(pk__in=among)
    if id_ranges is not None:
        within = Q(pk__in=[])
        for first, last in id_ranges:
            within |= Q(pk__range=(first, last))
        people = people.filter(within)
    if tag is not None:
        people = people.filter(tags=tag)
    if stage is not None:
        people = people.filter(relationship__stage=stage)
    ids: QuerySet | list[int]
    if found is not None and sort in ("best", "name"):  # already in this order
        ids = found
        if filtered and found:
            kept = set(people.values_list("pk", flat=True))
            ids = [pk for pk in found if pk in kept]
    else:
        narrowed = filtered or found is not None
        ids = _person_ids(people, workspace=workspace, sort=sort, filtered=narrowed)
    page_ids, number, has_next, count, capped = page_of_ids(ids, number=number, per_page=per_page)
    rows = _person_rows(workspace, page_ids)
    return ListPage(rows, number, has_next, count, capped, per_page)


@dataclass(frozen=True)
class CurrentAffiliation:
    organization_id: int
    organization_name: str
    role: str


@dataclass
class PersonRow:
    """One person as the people list shows them: plain values, not a model graph (fifty
    model graphs with their relationships, tags and organizations cost more than the
    rest of the page)."""

    pk: int
    first_name: str
    last_name: str
    full_name: str
    headline: str
    stage: int | None
    stage_label: str
    last_interaction_at: datetime | None
    tags: list[str] = field(default_factory=list)
    # Set by a higher room (outreach: "Waiting for a reply", "Quiet").
    outreach: str = ""
    current_affiliations: list[CurrentAffiliation] = field(default_factory=list)


def _person_rows(workspace: Workspace, ids: list[int]) -> list[PersonRow]:
    """The rows of these people of the workspace, in the order of `ids`. Three queries
    (people with their relationship, their tags, their current affiliations)."""
    if not ids:
        return []
    stage_labels = dict(_relationships().model._meta.get_field("stage").flatchoices)
    # By id alone, the workspace checked on the rows read (see `pages.in_order`).
    people = Person.objects.filter(pk__in=ids).values_list(
        "workspace_id", "pk", "first_name", "last_name", "full_name", "headline",
        "relationship__stage", "relationship__last_interaction_at",
    )  # fmt: skip
    rows = {
        pk: PersonRow(pk, first, last, full, headline, stage, stage_labels.get(stage, ""), at)
        for ws, pk, first, last, full, headline, stage, at in people
        if ws == workspace.pk
    }
    tags = (
        Person.tags.through.objects.filter(person_id__in=ids, tag__workspace=workspace)
        .order_by(Lower("tag__name"), "tag_id")
        .values_list("person_id", "tag__name")
    )
    for person_id, name in tags:
        rows[person_id].tags.append(name)
    affiliations = (
        Affiliation.objects.for_workspace(workspace)
        .filter(person_id__in=ids, ended_on__isnull=True)
        .order_by(NEWEST_STARTED, "pk")
        .values_list("person_id", "organization_id", "organization__name", "role")
    )
    for person_id, *affiliation in affiliations:
        rows[person_id].current_affiliations.append(CurrentAffiliation(*affiliation))
    return [rows[pk] for pk in ids if pk in rows]


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
    *,
    workspace: Workspace,
    query: str = "",
    focus_area: Tag | None = None,
    number: int = 1,
    per_page: int = 50,
) -> ListPage:
    """Page `number` of the workspace's organizations matching the search and focus area.

    `query`: full-text search (`people.search.organization_search`: name, focus areas,
    mission, offers, needs, location; every word, as a prefix), best match first;
    without one, by name. Cost: the page's ids (the name index, or the search), the
    count up to `pages.COUNT_CAP`, then 2 queries (rows, focus areas).
    """
    organizations = Organization.objects.for_workspace(workspace)
    if focus_area is not None:
        organizations = organizations.filter(focus_areas=focus_area)
    ids: QuerySet | list[int]
    if query.strip():
        ids = search.organization_search(workspace=workspace, query=query)
        if focus_area is not None and ids:
            kept = set(organizations.filter(id_in(ids)).values_list("pk", flat=True))
            ids = [pk for pk in ids if pk in kept]
    else:
        ids = organizations.order_by("name", "pk").values_list("pk", flat=True)
    page_ids, number, has_next, count, capped = page_of_ids(ids, number=number, per_page=per_page)
    rows = Organization.objects.all().prefetch_related(
        Prefetch("focus_areas", queryset=tag_choices(workspace=workspace))
    )
    return ListPage(
        in_order(rows, page_ids, workspace_id=workspace.pk),
        number,
        has_next,
        count,
        capped,
        per_page,
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


def timeline_page(items: QuerySet, *, number: int, per_page: int) -> TimelinePage:
    """Page `number` (from 1) of a timeline queryset, without counting the timeline: it
    reads one row past the page to know whether older entries exist. One query, served
    by the timeline's index however long the timeline is."""
    offset = (max(number, 1) - 1) * per_page
    rows = list(items[offset : offset + per_page + 1])
    return TimelinePage(
        object_list=rows[:per_page], number=max(number, 1), has_next=len(rows) > per_page
    )
