"""The fixed part of a generated workspace: members, tags, organizations and events.

Built once before the people; the `World` then carries the ids and lookups the people
generator needs (all small: at most one entry per organization or event).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import vocab
from bench.scales import (
    ORG_NOTICED_SHARE,
    UPCOMING_EVENT_DAYS,
    UPCOMING_EVENT_SHARE,
    YEARS_OF_HISTORY,
    Scale,
)
from bench.writer import DAY, Table

HOUR = 3_600
YEAR = 365 * DAY

ORGANIZATION = (
    "workspace_id",
    "name",
    "mission",
    "offers",
    "needs",
    "website",
    "feed_url",
    "location",
    "notes",
    "created_at",
    "updated_at",
)
ORG_FOCUS = ("organization_id", "tag_id")
EVENT = ("workspace_id", "title", "kind", "starts_at", "ends_at", "location", "notes", "created_at")


@dataclass
class World:
    """Ids and lookups shared by every chunk of people. Events are sorted by start."""

    workspace_id: int
    now: int
    users: list[int]
    ts: Callable[[int], str]
    tables: dict[str, Table]
    person_tags: list[int] = field(default_factory=list)
    area_tags: list[int] = field(default_factory=list)
    tag_cadence: dict[int, int] = field(default_factory=dict)
    org_first: int = 0
    org_names: list[str] = field(default_factory=list)
    event_ids: list[int] = field(default_factory=list)
    event_starts: list[int] = field(default_factory=list)
    event_ends: list[int] = field(default_factory=list)
    event_titles: list[str] = field(default_factory=list)
    past_events: int = 0
    settled_events: int = 0
    picks: list[int] = field(default_factory=list)
    recent_events: list[int] = field(default_factory=list)
    # The first few people met only once go to the last days' events, so that every
    # scale has fresh focus picks (some overdue, some still ahead).
    fresh_quota: int = 6

    def event_before(self, moment: int, *, settled: bool) -> int:
        """Index of the latest past event starting at or before `moment` (or the first).

        `settled` keeps to events at least two days old, so a follow-up can come after.
        """
        upper = self.settled_events if settled else self.past_events
        return max(bisect_right(self.event_starts, moment, 0, max(upper, 1)) - 1, 0)


def org_name(index: int) -> str:
    """A distinct, plausible organization name for every index (numbered past ~27,000)."""
    places, areas, kinds = vocab.PLACES, vocab.AREAS, vocab.ORG_KINDS
    short = len(places) * len(areas)
    full = short * len(kinds)
    named = len(vocab.LAST_NAMES) * len(areas) * len(kinds)
    total = short + full + named
    n = (index * 7_919) % total  # a fixed shuffle, so neighbours differ
    suffix = f" #{index // total + 1}" if index >= total else ""
    if n < short:
        return f"{places[n % len(places)]} {areas[n // len(places)][1]}{suffix}"
    n -= short
    if n < full:
        place, rest = places[n % len(places)], n // len(places)
        return f"{place} {areas[rest % len(areas)][1]} {kinds[rest // len(areas)]}{suffix}"
    n -= full
    last, rest = vocab.LAST_NAMES[n % len(vocab.LAST_NAMES)], n // len(vocab.LAST_NAMES)
    return f"The {last} {areas[rest % len(areas)][1]} {kinds[rest // len(areas)]}{suffix}"


def organization_rows(
    world: World, rng: random.Random, start: int, stop: int
) -> dict[str, list[tuple]]:
    """Organizations `start`…`stop-1` with their focus areas."""
    out: dict[str, list[tuple]] = {"organization": [], "org_focus": []}
    ts, ws = world.ts, world.workspace_id
    for index in range(start, stop):
        org_id = world.tables["organization"].take_id()
        area = rng.randrange(len(vocab.AREAS))
        place = rng.choice(vocab.PLACES)
        tag, _, audience = vocab.AREAS[area]
        offers = ", ".join(rng.sample(vocab.OFFERS, 2))
        needs = ", ".join(rng.sample(vocab.NEEDS, 2))
        mission = f"Serving {audience} in {place} through {tag} programs and {offers}."
        created = world.now - rng.randrange(YEARS_OF_HISTORY * YEAR)
        name = org_name(index)
        world.org_names.append(name)
        out["organization"].append(
            (
                org_id,
                ws,
                name,
                mission,
                f"We offer {offers}.",
                f"We need {needs}.",
                f"https://org{index}.example",
                "",
                place,
                "",
                ts(created),
                ts(created),
            )
        )
        areas = {area, *rng.sample(range(len(vocab.AREAS)), rng.randrange(3))}
        out["org_focus"].extend((org_id, world.area_tags[a]) for a in sorted(areas))
    return out


def noticed_rows(world: World, rng: random.Random, count: int) -> list[tuple]:
    """`count` "noticed" entries on random organizations over the last three years."""
    rows, ts, ws = [], world.ts, world.workspace_id
    table = world.tables["interaction"]
    orgs = len(world.org_names)
    for _ in range(count):
        at = world.now - rng.randrange(3 * YEAR)
        rows.append(
            (
                table.take_id(),
                ws,
                None,
                world.org_first + rng.randrange(orgs),
                None,
                "noticed",
                ts(at),
                rng.choice(vocab.SUMMARIES["noticed"]),
                "",
                rng.choice(world.users),
                ts(at),
                "",
            )
        )
    return rows


def noticed_count(scale: Scale) -> int:
    return round(scale.interactions * ORG_NOTICED_SHARE)


def event_rows(world: World, rng: random.Random, count: int) -> list[tuple]:
    """`count` events sorted by start: most in the past five years, a few ahead.

    A few land at fixed offsets (1, 4 and 8 days ago; 3 and 10 days ahead) so Today has
    fresh focus picks and upcoming events at every scale.
    """
    upcoming = max(2, round(count * UPCOMING_EVENT_SHARE))
    now = world.now
    past = [now - DAY * d - 2 * HOUR for d in (1, 4, 8)]
    past += [
        now - rng.randrange(10 * DAY, YEARS_OF_HISTORY * YEAR)
        for _ in range(count - upcoming - len(past))
    ]
    ahead = [now + 3 * DAY, now + 10 * DAY]
    ahead += [
        now + rng.randrange(HOUR, UPCOMING_EVENT_DAYS * DAY) for _ in range(upcoming - len(ahead))
    ]
    starts = sorted(past) + sorted(ahead)
    rows = []
    for start in starts:
        area = rng.choice(vocab.AREAS)[0].title()
        title = rng.choice(vocab.EVENT_TITLES).format(place=rng.choice(vocab.PLACES), area=area)
        event_id = world.tables["event"].take_id()
        kind = "hosted" if rng.random() < 0.2 else "attended"
        end = start + 2 * HOUR
        world.event_ids.append(event_id)
        world.event_starts.append(start)
        world.event_ends.append(end)
        world.event_titles.append(title)
        rows.append(
            (
                event_id,
                world.workspace_id,
                title,
                kind,
                world.ts(start),
                world.ts(end),
                rng.choice(vocab.PLACES) + " Community Hall",
                "",
                world.ts(start - 30 * DAY),
            )
        )
    world.past_events = len(past)
    world.settled_events = bisect_right(world.event_starts, now - 2 * DAY, 0, len(past))
    world.picks = [0] * len(starts)
    world.recent_events = [i for i in range(len(past)) if starts[i] > now - 10 * DAY]
    return rows
