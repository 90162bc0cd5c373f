"""Reads for mission intersection: how an organization intersects with our own profile,
the potential partners (from the partners index, `matching.index`) and whom to get to know
among some people. Scoped to one workspace; each uses the workspace's engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from followthrough.matching import index
from followthrough.matching.engines import ManyScorer, engine_in_use, many_scorer
from followthrough.matching.lexical import Match
from followthrough.matching.models import PartnerScore
from followthrough.matching.profiles import (
    own_profile,
    profile_of,
    weights,
)
from followthrough.people.models import Affiliation, Organization
from followthrough.relationships.models import Interaction, InteractionKind, Relationship, Stage
from followthrough.workspaces.models import Workspace

__all__ = ["own_profile", "profile_of"]  # read through here too

# A relationship at this stage or later with someone at an organization is an active one:
# the organization is a partner already, not a potential one.
ACTIVE_STAGE = Stage.FOLLOWED_UP


def scorer(*, workspace: Workspace, engine: str | None = None) -> ManyScorer | None:
    """A scorer for the workspace's own profile with its engine (or `engine`); None when
    that profile is empty."""
    own = own_profile(workspace=workspace)
    if own is None:
        return None
    chosen = engine_in_use(workspace, engine)
    return many_scorer(workspace=workspace, engine=chosen, own=own, weights=weights(workspace))


@dataclass(frozen=True)
class Intersection:
    """How one organization intersects with ours: the match (None when nothing does), and
    whether our own profile is missing, so the page can say how to fill it."""

    match: Match | None
    own_profile_missing: bool


def organization_intersection(*, workspace: Workspace, organization: Organization) -> Intersection:
    """How `organization` (of this workspace, focus areas prefetched or not) intersects
    with our own profile, with the reasons. Cost: 4 or 5 small queries; the workspace's term
    weights are read from the cache (two streamed queries to rebuild them)."""
    if organization.workspace_id != workspace.pk:
        raise ValueError("The organization belongs to another workspace.")
    if organization.pk == workspace.organization_id:
        return Intersection(None, own_profile_missing=False)  # our own: nothing to score
    found = scorer(workspace=workspace)
    if found is None:
        return Intersection(None, own_profile_missing=True)
    matches = found.score_many([profile_of(organization)])
    return Intersection(matches[0] if matches else None, own_profile_missing=False)


def _active(workspace: Workspace) -> QuerySet[Relationship]:
    return Relationship.objects.for_workspace(workspace).filter(
        organization__isnull=False, stage__gte=ACTIVE_STAGE
    )


def potential_partners(
    *,
    workspace: Workspace,
    limit: int = 50,
    city: str = "",
    focus_area: str = "",
    engine: str | None = None,
) -> list[Match]:
    """Organizations we have no active relationship with, ranked by how their work
    intersects with ours, each with its reasons; empty when our profile is empty.
    `city` and `focus_area` (names, case-insensitive) narrow the list. Reads the best rows
    of the partners index, refreshed first (a few queries when nothing changed)."""
    if index.refresh(workspace=workspace, engine=engine, busy_wait=index.PAGE_BUSY_WAIT) is None:
        return []
    rows = PartnerScore.objects.for_workspace(workspace).order_by("-score", "organization__name")
    if city.strip():
        rows = rows.filter(organization__location__iexact=city.strip())
    if focus_area.strip():
        rows = rows.filter(organization__focus_areas__name__iexact=focus_area.strip())
    found = rows.values_list("organization_id", "organization__name", "score", "reasons")
    matches: list[Match] = []
    start, page = 0, max(2 * limit, 20)
    # The best rows a page at a time, the active ones left out, until `limit` are found:
    # asked per page of organizations, the active relationships are a few indexed rows;
    # as one NOT IN over the workspace's, SQLite reads every relationship past the stage.
    while len(matches) < limit:
        chunk = list(found[start : start + page])
        active = _active_among(workspace, [row[0] for row in chunk])
        matches += [
            Match(pk, name, score, tuple(why)) for pk, name, score, why in chunk if pk not in active
        ]
        if len(chunk) < page:
            break
        start, page = start + page, 2 * page
    return matches[:limit]


def organizations_intersecting(
    *, workspace: Workspace, organization_ids: Iterable[int]
) -> list[Match]:
    """How these organizations of the workspace (a person's, say) intersect with our own
    profile, best first; those with no reason are left out. Reads the partners index,
    refreshed first: two indexed queries when nothing changed."""
    wanted = [pk for pk in organization_ids if pk != workspace.organization_id]
    if not wanted or index.refresh(workspace=workspace, busy_wait=index.PAGE_BUSY_WAIT) is None:
        return []
    # By organization id alone, the workspace checked on the rows: with the workspace in
    # the query, SQLite without statistics reads the workspace's scores by rank instead.
    rows = PartnerScore.objects.filter(organization_id__in=wanted).values_list(
        "organization_id", "organization__name", "score", "reasons", "workspace_id"
    )
    found = [
        Match(pk, name, score, tuple(reasons))
        for pk, name, score, reasons, workspace_id in rows
        if workspace_id == workspace.pk
    ]
    return sorted(found, key=lambda m: (-m.score, m.name.casefold()))


def _active_among(workspace: Workspace, organization_ids: list[int]) -> set[int]:
    """Those of these organizations we have an active relationship with (by organization
    id, the workspace checked on the rows)."""
    rows = Relationship.objects.filter(
        organization_id__in=organization_ids, stage__gte=ACTIVE_STAGE
    ).values_list("organization_id", "workspace_id")
    return {pk for pk, workspace_id in rows if workspace_id == workspace.pk}


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
    org_reasons = _organization_matches(workspace, ids)
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
    workspace: Workspace, person_ids: list[int]
) -> dict[int, tuple[float, list[str]]]:
    """{person id: (score, reasons)} from the best-matching organization each person is
    currently at (from the partners index); the first reason names the organization."""
    # By person id alone, the workspace checked on the rows (see people_to_meet).
    current = Affiliation.objects.filter(
        person_id__in=person_ids, ended_on__isnull=True
    ).values_list("person_id", "organization_id", "workspace_id")
    by_person: dict[int, list[int]] = {}
    for person_id, organization_id, workspace_id in current:
        if workspace_id == workspace.pk:
            by_person.setdefault(person_id, []).append(organization_id)
    wanted = {pk for pks in by_person.values() for pk in pks}
    matches = {
        m.key: m for m in organizations_intersecting(workspace=workspace, organization_ids=wanted)
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
