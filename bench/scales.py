"""How big a generated workspace is, and the realistic shape of its data (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    """Row targets; `interactions` includes the ~5% "noticed" entries on organizations."""

    people: int
    organizations: int
    interactions: int
    events: int
    users: int = 8
    seed: int = 20240601
    chunk: int = 5_000

    def with_overrides(self, **overrides: int | None) -> Scale:
        """This scale with the given (non-None) fields replaced."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


SCALES: dict[str, Scale] = {
    "full": Scale(people=100_000, organizations=20_000, interactions=1_000_000, events=2_000),
    "small": Scale(people=10_000, organizations=2_000, interactions=100_000, events=200),
    "tiny": Scale(people=1_000, organizations=200, interactions=10_000, events=40, chunk=500),
}

# Stage shares of relationships, and how many interactions each stage has relative to
# the others (Noticed people have none, bar the odd note). Stage values as in
# relationships.models.Stage.
STAGE_SHARES: tuple[tuple[int, float, float], ...] = (
    # stage, share of people, relative interaction weight
    (10, 0.36, 0.0),
    (20, 0.25, 1.5),
    (30, 0.17, 4.0),
    (40, 0.11, 10.0),
    (50, 0.075, 25.0),
    (60, 0.035, 50.0),
)
# The fewest interactions that make each stage coherent: met; + an e-mail; + a coffee; …
STAGE_MIN_INTERACTIONS = {10: 0, 20: 1, 30: 2, 40: 3, 50: 4, 60: 5}
# Mean days since the last interaction, by stage: budding relationships are fresher but
# slip past their short cadences (14/21 days) often; established ones are touched less.
STAGE_RECENCY_DAYS = {10: 400.0, 20: 25.0, 30: 30.0, 40: 35.0, 50: 50.0, 60: 60.0}
ORG_NOTICED_SHARE = 0.05
YEARS_OF_HISTORY = 5
UPCOMING_EVENT_SHARE = 0.02
UPCOMING_EVENT_DAYS = 60
