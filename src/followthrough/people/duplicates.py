"""Reads for the duplicates page: people of a workspace who are probably the same person.

Three keys suggest a pair: the same e-mail address, the same LinkedIn profile (a link on
the person, in its canonical spelling: `people.linkedin`), or similar names at the same
current organization. Exact keys are grouped by the database; names are compared with
rapidfuzz only within one organization's current people (blocking), so the cost grows
with the size of the largest organization, never with the square of the directory.
Pairs a member dismissed ("not the same person") never come back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch
from rapidfuzz import fuzz, process

from followthrough.people.linkedin import PREFIX as LINKEDIN_PREFIX
from followthrough.people.models import (
    NEWEST_STARTED,
    Affiliation,
    ContactKind,
    ContactPoint,
    DismissedDuplicate,
    Organization,
    Person,
)
from followthrough.people.names import NAME_MATCH_CUTOFF, name_key
from followthrough.workspaces.models import Workspace

# A key shared by more people than this is a shared mailbox or a placeholder
# ("info@…"), not one person entered several times: it suggests no pairs.
MAX_GROUP = 10
REASON_ORDER = {"email": 0, "linkedin": 1, "name": 2}


@dataclass(frozen=True)
class Reason:
    """Why a pair is suggested: `kind` is "email", "linkedin" or "name"; `detail` the
    shared address, the profile, or the organization and the name score."""

    kind: str
    detail: str

    @property
    def label(self) -> str:
        return {
            "email": "Same e-mail",
            "linkedin": "Same LinkedIn profile",
            "name": "Similar name at the same organization",
        }[self.kind]


@dataclass
class DuplicatePair:
    """Two people (smaller id first) and why they may be the same person."""

    first_id: int
    second_id: int
    reasons: list[Reason] = field(default_factory=list)
    score: int = 100  # the name score for name-only pairs; exact keys count as 100
    first: Person | None = None  # filled for the page being shown
    second: Person | None = None

    @property
    def people(self) -> tuple[Person | None, Person | None]:
        return (self.first, self.second)

    @property
    def suggested_keep(self) -> Person | None:
        """The record to keep by default: the further relationship, else the older."""
        if self.first is None or self.second is None:
            return None
        return max((self.first, self.second), key=_keep_rank)

    @property
    def suggested_other(self) -> Person | None:
        keep = self.suggested_keep
        if keep is None:
            return None
        return self.second if keep is self.first else self.first

    @property
    def strength(self) -> tuple[int, int]:
        return (min(REASON_ORDER[r.kind] for r in self.reasons), -self.score)


def _keep_rank(person: Person) -> tuple[int, int]:
    relationship = getattr(person, "relationship", None)
    return (relationship.stage if relationship else 0, -person.pk)


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def dismissed_pairs(*, workspace: Workspace) -> set[tuple[int, int]]:
    """The pairs a member said are not the same person. One query."""
    return set(
        DismissedDuplicate.objects.for_workspace(workspace)
        .order_by()
        .values_list("person_a_id", "person_b_id")
    )


def _pairs_from_groups(
    groups: Iterable[tuple[str, Iterable[int]]],
    kind: str,
    found: dict[tuple[int, int], DuplicatePair],
) -> None:
    for key, person_ids in groups:
        members = sorted(set(person_ids))
        if len(members) < 2 or len(members) > MAX_GROUP:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = found.setdefault((a, b), DuplicatePair(a, b))
                if not any(r.kind == kind for r in pair.reasons):
                    pair.reasons.append(Reason(kind, key))


def _email_groups(workspace: Workspace) -> list[tuple[str, list[int]]]:
    """Addresses held by several people: a GROUP BY on the (workspace, kind, normalized)
    index (covering it: rows are counted, people told apart afterwards), then the
    holders of just those addresses. Two queries."""
    emails = ContactPoint.objects.for_workspace(workspace).filter(kind=ContactKind.EMAIL)
    shared = (
        emails.values("normalized")
        .annotate(rows=Count("pk"))  # not distinct people: the index covers it
        .filter(rows__gt=1)
        .values("normalized")
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for address, person_id in (
        emails.filter(normalized__in=shared).order_by().values_list("normalized", "person_id")
    ):
        groups[address].append(person_id)
    return sorted(groups.items())


def _linkedin_groups(workspace: Workspace) -> list[tuple[str, list[int]]]:
    """Profiles held by several people: links with the same canonical profile
    (`people.linkedin`), read from the contact-point index. One query."""
    links = (
        ContactPoint.objects.for_workspace(workspace)
        .filter(kind=ContactKind.URL, normalized__startswith=LINKEDIN_PREFIX)
        .order_by()
        .values_list("normalized", "person_id")
    )
    groups: dict[str, set[int]] = defaultdict(set)
    for normalized, person_id in links:
        groups[normalized.removeprefix("https://www.")].add(person_id)
    return sorted((k, list(v)) for k, v in groups.items() if len(v) > 1)


def _similar_in_block(names: list[tuple[int, str]], cutoff: int) -> Iterable[tuple[int, int, int]]:
    """(a, b, score) for the pairs of one organization whose name keys score ≥ cutoff."""
    keys = [key for _, key in names]
    for i in range(len(names) - 1):
        others = keys[i + 1 :]
        for _, score, j in process.extract(
            keys[i], others, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            yield names[i][0], names[i + 1 + j][0], int(score)


def _organization_blocks(workspace: Workspace) -> list[tuple[int, list[tuple[int, str]]]]:
    """Each organization with two or more current people, with their (id, name key).

    Two queries, each one index scan: the current affiliations, then all names (from the
    covering name index; joining the names onto the affiliations costs twice as much).
    """
    blocks: dict[int, list[int]] = defaultdict(list)
    current = (
        Affiliation.objects.for_workspace(workspace)
        .filter(ended_on__isnull=True)
        .order_by()  # not the model's ordering: sorting them all would double the cost
        .values_list("organization_id", "person_id")
    )
    for organization_id, person_id in current:
        blocks[organization_id].append(person_id)
    names = dict(Person.objects.for_workspace(workspace).order_by().values_list("pk", "full_name"))
    result = []
    for organization_id, person_ids in blocks.items():
        if len(person_ids) > 1:
            keyed = sorted(
                (pid, key) for pid in set(person_ids) if (key := name_key(names.get(pid, "")))
            )
            result.append((organization_id, keyed))
    return result


def _name_pairs(
    workspace: Workspace, found: dict[tuple[int, int], DuplicatePair], cutoff: int
) -> None:
    """Similar names among each organization's current people: rapidfuzz within each
    organization (blocking), so the cost is the sum of each organization's size squared,
    not the directory's size squared."""
    hits: dict[tuple[int, int], tuple[int, int]] = {}
    for organization_id, names in _organization_blocks(workspace):
        for a, b, score in _similar_in_block(names, cutoff):
            if score > hits.get((a, b), (0, 0))[1]:
                hits[(a, b)] = (organization_id, score)
    organization_names = dict(
        Organization.objects.for_workspace(workspace)
        .filter(pk__in={org for org, _ in hits.values()})
        .values_list("pk", "name")
    )
    for (a, b), (organization_id, score) in hits.items():
        pair = found.setdefault((a, b), DuplicatePair(a, b, score=score))
        pair.reasons.append(
            Reason("name", f"{organization_names[organization_id]}, names {score} % alike")
        )


def duplicate_pairs(
    *, workspace: Workspace, name_cutoff: int = NAME_MATCH_CUTOFF
) -> list[DuplicatePair]:
    """Every suggested pair of the workspace, strongest first: a shared e-mail, then a
    shared LinkedIn profile, then similar names (best score first); ties by ids.

    Dismissed pairs are left out. Cost: about six queries, each a scan of one index or of
    the current affiliations, plus rapidfuzz within organizations (see the module
    docstring); about a second for 100,000 people (see the report in bench/).
    """
    found: dict[tuple[int, int], DuplicatePair] = {}
    _pairs_from_groups(_email_groups(workspace), "email", found)
    _pairs_from_groups(_linkedin_groups(workspace), "linkedin", found)
    _name_pairs(workspace, found, name_cutoff)
    dismissed = dismissed_pairs(workspace=workspace)
    pairs = [pair for key, pair in found.items() if key not in dismissed]
    for pair in pairs:
        pair.reasons.sort(key=lambda r: REASON_ORDER[r.kind])
    pairs.sort(key=lambda p: (p.strength, p.first_id, p.second_id))
    return pairs


def _people_for_page(workspace: Workspace, ids: set[int]) -> dict[int, Person]:
    people = (
        Person.objects.for_workspace(workspace)
        .filter(pk__in=ids)
        .select_related("relationship")
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.for_workspace(workspace)
                .filter(ended_on__isnull=True)
                .select_related("organization")
                .order_by(NEWEST_STARTED, "pk"),
                to_attr="current_affiliations",
            ),
            Prefetch(
                "contact_points",
                queryset=ContactPoint.objects.for_workspace(workspace)
                .filter(kind=ContactKind.EMAIL)
                .order_by("position"),
                to_attr="emails",
            ),
        )
    )
    return {person.pk: person for person in people}


def duplicate_page(*, workspace: Workspace, number: int | str | None, per_page: int = 25) -> Page:
    """One page of `duplicate_pairs`, each pair with both people loaded (their
    relationship, current organizations and e-mail addresses): 3 queries more."""
    page = Paginator(duplicate_pairs(workspace=workspace), per_page).get_page(number)
    people = _people_for_page(
        workspace, {i for pair in page for i in (pair.first_id, pair.second_id)}
    )
    for pair in page:
        pair.first, pair.second = people.get(pair.first_id), people.get(pair.second_id)
    return page
