"""When the next touch is due: the one rule, used by the services and by every fast writer
(bulk changes, imports) that bypasses them. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone

from followthrough.relationships.models import Stage

# Keep-in-touch defaults by stage, in days. Budding relationships need the shortest gaps.
STAGE_CADENCE_DAYS: dict[int, int | None] = {
    Stage.NOTICED: None,  # nothing to keep alive yet
    Stage.MET: 14,
    Stage.FOLLOWED_UP: 21,
    Stage.MET_ONE_TO_ONE: 30,
    Stage.ONGOING: 60,
    Stage.PARTNER: 90,
}


def cadence_days(*, own: int | None, tag_cadences: Iterable[int | None], stage: int) -> int | None:
    """The cadence in force: the relationship's own, else the shortest of its person's tag
    cadences, else the stage's default (None: no touch is due)."""
    if own:
        return own
    tag_days = min((days for days in tag_cadences if days), default=None)
    return tag_days or STAGE_CADENCE_DAYS.get(stage)


def next_touch_due(
    *,
    cadence_days: int | None,
    last_interaction_at: datetime | None,
    created_at: datetime | None,
    now: datetime | None = None,
) -> datetime | None:
    """`cadence_days` after the last interaction, else after the relationship began (a new
    one: from `now`); None without a cadence."""
    if not cadence_days:
        return None
    since = last_interaction_at or created_at or now or timezone.now()
    return since + timedelta(days=cadence_days)
