"""Organizations as the engines read them: profiles, the workspace's own, the state of
the corpus (to tell when scores are stale) and its term weights."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max

from followthrough.matching.lexical import Profile, corpus_weights
from followthrough.matching.models import PartnerIndex
from followthrough.people.models import Organization
from followthrough.workspaces.models import Workspace


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


@dataclass(frozen=True)
class CorpusState:
    """The workspace's organizations in three figures: a new or restored organization
    raises `max_id`, an edit `max_updated_at`, a deletion lowers `count`."""

    count: int
    max_id: int
    max_updated_at: datetime | None

    @property
    def key(self) -> str:
        at = self.max_updated_at.timestamp() if self.max_updated_at else 0
        return f"{self.count}:{self.max_id}:{at}"


def corpus_state(*, workspace: Workspace) -> CorpusState:
    """One indexed aggregate over the workspace's organizations."""
    row = Organization.objects.for_workspace(workspace).aggregate(
        count=Count("pk"), max_id=Max("pk"), at=Max("updated_at")
    )
    return CorpusState(row["count"], row["max_id"] or 0, row["at"])


def weights(workspace: Workspace, state: CorpusState | None = None) -> dict[str, float]:
    """The term weights of the workspace's organizations: those the partners index kept at
    its last full build while the corpus has not drifted from it, else counted afresh.
    Cached under the state of the corpus (so an added, edited, restored or deleted
    organization is seen); the cache also lapses after an hour."""
    state = state or corpus_state(workspace=workspace)
    key = f"matching:weights:{workspace.pk}:{state.key}"
    found = cache.get(key)
    if found is None:
        kept = PartnerIndex.objects.for_workspace(workspace).first()
        if kept is not None and kept.weights and not kept.drifted(state.count):
            found = kept.weights
        else:
            found = corpus_weights(organization_profiles(workspace=workspace))
        cache.set(key, found, timeout=3600)
    return found
