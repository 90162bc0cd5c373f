"""Reads for mission intersection: the workspace's own profile, every organization's, and
how they intersect. Scoped to one workspace; the term weights of a workspace are cached
until one of its organizations changes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max

from followthrough.matching.lexical import Match, Profile, Scorer, corpus_weights
from followthrough.people.models import Affiliation, Organization
from followthrough.relationships.models import Interaction, InteractionKind, Relationship, Stage
from followthrough.workspaces.models import Workspace

# A relationship at this stage or later with someone at an organization is an active one:
# the organization is a partner already, not a potential one.
ACTIVE_STAGE = Stage.FOLLOWED_UP


def organization_profiles(
    *, workspace: Workspace, pks: Iterable[int] | None = None
) -> Iterator[Profile]:
    """The workspace's organizations (all, or those of `pks`) as the engine reads them,
    in id order. Two queries (rows, focus areas) of plain values; all of them streamed."""
    columns = ("pk", "name", "mission", "offers", "needs", "location")
    rows_query = Organization.objects.for_workspace(workspace).order_by("pk")
    through = Organization.focus_areas.through.objects
    if pks is None:
        rows: Iterable[tuple] = rows_query.values_list(*columns).iterator(chunk_size=2000)
        focus_rows = through.filter(organization__workspace=workspace)
    else:
        rows = list(rows_query.filter(pk__in=list(pks)).values_list(*columns))
        # By organization id alone (the rows above are the workspace's): joined to the
        # workspace, SQLite without statistics reads all its organizations (15 ms).
        focus_rows = through.filter(organization_id__in=[row[0] for row in rows])
    focus: dict[int, list[str]] = {}
    for organization_id, name in focus_rows.values_list("organization_id", "tag__name").order_by(
        "organization_id", "tag__name"
    ):
        focus.setdefault(organization_id, []).append(name)
    for pk, name, mission, offers, needs, location in rows:
        yield Profile(pk, name, mission, tuple(focus.get(pk, ())), offers, needs, location)


def own_profile(*, workspace: Workspace) -> Profile | None:
    """The workspace's own organization's profile; None when it has none or it is empty
    (no mission, focus area, offer or need: nothing to intersect with)."""
    if workspace.organization_id is None:
        return None
    own = Organization.objects.for_workspace(workspace).filter(pk=workspace.organization_id)
    organization = own.prefetch_related("focus_areas").first()
    if organization is None:
        return None
    profile = profile_of(organization)
    filled = (profile.mission, *profile.focus_areas, profile.offers, profile.needs)
    return profile if any(text.strip() for text in filled) else None


def profile_of(organization: Organization) -> Profile:
    """One organization as the engine reads it (its focus areas prefetched or not)."""
    return Profile(
        organization.pk,
        organization.name,
        organization.mission,
        tuple(sorted(tag.name for tag in organization.focus_areas.all())),
        organization.offers,
        organization.needs,
        organization.location,
    )


def _weights(workspace: Workspace) -> dict[str, float]:
    """The term weights of the workspace's organizations, cached under the time of the
    latest change to one of them (added or edited: one indexed read). A deletion changes
    no weight that matters until then; the cache also lapses after an hour."""
    changed = Organization.objects.for_workspace(workspace).aggregate(at=Max("updated_at"))["at"]
    key = f"matching:weights:{workspace.pk}:{changed.timestamp() if changed else 0}"
    weights = cache.get(key)
    if weights is None:
        weights = corpus_weights(organization_profiles(workspace=workspace))
        cache.set(key, weights, timeout=3600)
    return weights


def scorer(*, workspace: Workspace) -> Scorer | None:
    """A scorer for the workspace's own profile; None when that profile is empty."""
    own = own_profile(workspace=workspace)
    return Scorer(own, _weights(workspace)) if own is not None else None


@dataclass(frozen=True)
class Intersection:
    """How one organization intersects with ours: the match (None when nothing does), and
    whether our own profile is missing, so the page can say how to fill it."""

    match: Match | None
    own_profile_missing: bool


def organization_intersection(*, workspace: Workspace, organization: Organization) -> Intersection:
    """How `organization` (of this workspace, focus areas prefetched or not) intersects
    with our own profile, with the reasons. Cost: 3 or 4 small queries; the workspace's term
    weights are read from the cache (two streamed queries to rebuild them)."""
    if organization.workspace_id != workspace.pk:
        raise ValueError("The organization belongs to another workspace.")
    if organization.pk == workspace.organization_id:
        return Intersection(None, own_profile_missing=False)  # our own: nothing to score
    found = scorer(workspace=workspace)
    if found is None:
        return Intersection(None, own_profile_missing=True)
    return Intersection(found.score(profile_of(organization)), own_profile_missing=False)


def active_organization_ids(*, workspace: Workspace) -> set[int]:
    """Organizations we have a relationship past the first steps with. One query."""
    rows = Relationship.objects.for_workspace(workspace).filter(
        organization__isnull=False, stage__gte=ACTIVE_STAGE
    )
    return set(rows.values_list("organization_id", flat=True))


def potential_partners(
    *, workspace: Workspace, limit: int = 50, city: str = "", focus_area: str = ""
) -> list[Match]:
    """Organizations we have no active relationship with, ranked by how their work
    intersects with ours, each with its reasons; empty when our profile is empty.
    `city` and `focus_area` (names, case-insensitive) narrow the list."""
    found = scorer(workspace=workspace)
    if found is None:
        return []
    active = active_organization_ids(workspace=workspace)
    city_key, area_key = city.strip().casefold(), focus_area.strip().casefold()
    candidates = (
        p
        for p in organization_profiles(workspace=workspace)
        if p.key not in active
        and (not city_key or p.city.strip().casefold() == city_key)
        and (not area_key or area_key in (a.casefold() for a in p.focus_areas))
    )
    return found.rank(candidates, limit=limit)


@dataclass(frozen=True)
class PersonSuggestion:
    """Why to get to know a person: their organization's intersection with ours, how new
    the relationship is, and what teammates noted."""

    person_id: int
    score: float
    reasons: tuple[str, ...]


# What the stage of our relationship adds to a person's rank: someone new is worth the
# evening more than a partner we already know.
NEWNESS: dict[int, tuple[float, str]] = {
    Stage.NOTICED: (1.0, "new to us: nobody has followed up with them yet"),
    Stage.MET: (1.0, "new to us: nobody has followed up with them yet"),
    Stage.FOLLOWED_UP: (0.5, "a budding relationship: followed up once"),
}
NOTE_WEIGHT, NOTES_COUNTED = 0.3, 3


def people_to_meet(*, workspace: Workspace, person_ids: Iterable[int]) -> list[PersonSuggestion]:
    """These people of the workspace ranked for getting to know, best first, each with
    its reasons; people with no reason are left out. Cost: at most nine queries whatever
    the number of people (none for no one), plus scoring their current organizations."""
    ids = list(person_ids)
    if not ids:
        return []
    found = scorer(workspace=workspace)
    org_reasons = _organization_matches(workspace, ids, found) if found else {}
    # By person id alone, the workspace checked on the rows: with the workspace in the
    # query, SQLite without statistics prefers a workspace-led index and reads every
    # relationship of the workspace (50 ms at 100,000 people instead of 0.3).
    stages = {
        person_id: stage
        for person_id, stage, workspace_id in Relationship.objects.filter(
            person_id__in=ids
        ).values_list("person_id", "stage", "workspace_id")
        if workspace_id == workspace.pk
    }
    notes = dict(
        Interaction.objects.for_workspace(workspace)
        .filter(person_id__in=ids, kind=InteractionKind.NOTE, logged_by__isnull=False)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    suggestions = []
    for person_id in dict.fromkeys(ids):
        score, reasons = org_reasons.get(person_id, (0.0, []))
        reasons = list(reasons)
        bonus, why = NEWNESS.get(stages.get(person_id, Stage.NOTICED), (0.0, ""))
        if why:
            score, reasons = score + bonus, [*reasons, why]
        if notes.get(person_id):
            n = notes[person_id]
            score += NOTE_WEIGHT * min(n, NOTES_COUNTED)
            reasons.append(f"teammates noted {n} thing{'s' if n != 1 else ''} about them")
        if reasons and (org_reasons.get(person_id) or notes.get(person_id)):
            suggestions.append(PersonSuggestion(person_id, round(score, 4), tuple(reasons)))
    suggestions.sort(key=lambda s: -s.score)
    return suggestions


def _organization_matches(
    workspace: Workspace, person_ids: list[int], found: Scorer
) -> dict[int, tuple[float, list[str]]]:
    """{person id: (score, reasons)} from the best-matching organization each person is
    currently at; the first reason names the organization."""
    current = (
        Affiliation.objects.for_workspace(workspace)
        .filter(person_id__in=person_ids, ended_on__isnull=True)
        .values_list("person_id", "organization_id")
    )
    by_person: dict[int, list[int]] = {}
    for person_id, organization_id in current:
        by_person.setdefault(person_id, []).append(organization_id)
    wanted = {pk for pks in by_person.values() for pk in pks} - {workspace.organization_id}
    matches = {
        p.key: found.score(p) for p in organization_profiles(workspace=workspace, pks=wanted)
    }
    result = {}
    for person_id, organization_ids in by_person.items():
        best = max(
            (m for pk in organization_ids if (m := matches.get(pk))),
            key=lambda m: m.score,
            default=None,
        )
        if best is not None:
            result[person_id] = (
                best.score,
                [f"at {best.name}: {best.reasons[0]}", *best.reasons[1:]],
            )
    return result
