"""One chunk of people and everything that hangs off them, as plain row tuples.

Each person gets a stage, a timeline of interactions coherent with it (met at an event
first; then an e-mail for Followed up, a coffee for Met one-to-one …), the attendances
and focus picks those meetings imply, a relationship whose `last_interaction_at` is the
latest interaction and whose `next_touch_due` follows relationships.services' cadence
rules, and some follow-ups (open, snoozed, done, cancelled).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from bench import vocab
from bench.scales import STAGE_MIN_INTERACTIONS, STAGE_RECENCY_DAYS, STAGE_SHARES
from bench.world import DAY, HOUR, YEAR, World
from bench.writer import date_text
from followthrough.outreach.schedule import nudge_due
from followthrough.outreach.services import OUTREACH_KIND_OF
from followthrough.people.names import full_name
from followthrough.relationships.cadence import cadence_days
from followthrough.relationships.models import INBOUND_KINDS, OUTBOUND_KINDS, Stage
from followthrough.relationships.services import OUTREACH_KINDS

PERSON = (
    "workspace_id",
    "first_name",
    "last_name",
    "full_name",
    "headline",
    "notes",
    "photo",
    "created_at",
    "updated_at",
)
CONTACT = ("workspace_id", "person_id", "kind", "value", "normalized", "label", "position")
PERSON_TAG = ("person_id", "tag_id")
AFFILIATION = ("workspace_id", "person_id", "organization_id", "role", "started_on", "ended_on")
RELATIONSHIP = (
    "workspace_id",
    "person_id",
    "organization_id",
    "owner_id",
    "stage",
    "cadence_days",
    "last_interaction_at",
    "next_touch_due",
    "created_at",
)
INTERACTION = (
    "workspace_id",
    "person_id",
    "organization_id",
    "event_id",
    "kind",
    "occurred_at",
    "summary",
    "note",
    "logged_by_id",
    "created_at",
    "message_id",
)
OUTREACH = (
    "workspace_id",
    "person_id",
    "kind",
    "sent_at",
    "by_id",
    "summary",
    "interaction_id",
    "state",
    "replied_at",
    "nudge_count",
    "last_nudged_at",
    "next_nudge_due",
    "created_at",
)
ATTENDANCE = ("workspace_id", "event_id", "person_id", "rsvp", "checked_in", "added_at")
FOCUS_PICK = (
    "workspace_id",
    "event_id",
    "person_id",
    "picked_by_id",
    "picked_at",
    "reason",
    "over_limit",
)
FOLLOW_UP = (
    "workspace_id",
    "person_id",
    "event_id",
    "focus_pick_id",
    "title",
    "due_at",
    "status",
    "snooze_count",
    "assigned_to_id",
    "done_at",
    "created_at",
)

# The app's own stage values, so the generated data cannot drift from them.
NOTICED, MET, FOLLOWED_UP, MET_ONE_TO_ONE = (
    int(stage) for stage in (Stage.NOTICED, Stage.MET, Stage.FOLLOWED_UP, Stage.MET_ONE_TO_ONE)
)
PICK_LIMIT = 2
# Kinds that may follow the first meeting without implying a later stage than the one
# drawn (Ongoing and Partner are set by hand, so anything goes), with their weights.
LATER_KINDS = {
    MET: (("note", 3), ("met", 1)),
    FOLLOWED_UP: (("email_sent", 6), ("email_received", 5), ("call", 2), ("note", 2), ("met", 1)),
    MET_ONE_TO_ONE: (
        ("email_sent", 6),
        ("email_received", 5),
        ("call", 2),
        ("coffee", 2),
        ("note", 2),
        ("met", 1),
    ),
}
RSVPS = ("accepted", "accepted", "tentative", "unknown")
# The workspace's default nudge settings (workspaces.models), and how long a nudge stays
# unmade: older ones the team is taken to have sent, so Today holds recent ones only.
NUDGE_GAPS, NUDGE_CAP = [4, 10, 21], 3
NUDGES_LEFT_UNMADE = 14 * DAY


class Touch(NamedTuple):
    at: int
    kind: str
    event: int  # index into the world's events, or -1


class Person(NamedTuple):
    pid: int
    stage: int
    owner: int | None
    actor: int
    name: str
    created: int


def draw_stages(rng: random.Random, count: int) -> list[int]:
    stages = [s for s, _, _ in STAGE_SHARES]
    shares = [share for _, share, _ in STAGE_SHARES]
    return rng.choices(stages, weights=shares, k=count)


def apportion(rng: random.Random, stages: list[int], budget: int) -> list[int]:
    """Interactions per person, summing to exactly `budget` (when it covers each stage's
    minimum): the stage minimum plus a skewed share of the rest by stage weight."""
    weight_of = {s: w for s, _, w in STAGE_SHARES}
    counts = [STAGE_MIN_INTERACTIONS[s] for s in stages]
    weights = [(weight_of[s] or 0.05) * min(rng.gammavariate(2.0, 0.5), 4.0) for s in stages]
    rest, total = budget - sum(counts), sum(weights)
    if rest <= 0 or total <= 0:
        return counts
    for i, w in enumerate(weights):
        counts[i] += int(rest * w / total)
    for i in rng.choices(range(len(stages)), weights=weights, k=budget - sum(counts)):
        counts[i] += 1
    return counts


def people_rows(
    world: World, rng: random.Random, stages: list[int], counts: list[int]
) -> dict[str, list[tuple]]:
    """Rows of every table for these people (one per stage/count pair)."""
    out: dict[str, list[tuple]] = defaultdict(list)
    for stage, n in zip(stages, counts, strict=True):
        _one_person(world, rng, stage, n, out)
    return out


def _one_person(
    world: World, rng: random.Random, stage: int, n: int, out: dict[str, list[tuple]]
) -> None:
    pid = world.tables["person"].take_id()
    owner = rng.choice(world.users) if rng.random() < 0.7 else None
    first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
    if stage == NOTICED:
        created = world.now - rng.randrange(YEAR, 5 * YEAR)
        touches = sorted(Touch(rng.randrange(created, world.now), "note", -1) for _ in range(n))
    else:
        touches = _timeline(world, rng, stage, n)
        created = touches[0].at - rng.randrange(60 * DAY)
    person = Person(
        pid, stage, owner, owner or rng.choice(world.users), full_name(first, last), created
    )
    org_id, headline = _affiliations(world, rng, person, out)
    ts = world.ts
    out["person"].append(
        (
            pid,
            world.workspace_id,
            first,
            last,
            person.name,
            headline,
            "",
            "",
            ts(created),
            ts(created),
        )
    )
    _contacts(world, rng, person, first, last, org_id, out)
    tags = _tags(world, rng, pid, out)
    _interactions(world, rng, person, touches, out)
    last_at = touches[-1].at if touches else None
    _relationship(world, rng, person, org_id, tags, last_at, out)
    _follow_ups(world, rng, person, touches, out)
    if rng.random() < 0.02:
        _upcoming_attendance(world, rng, pid, out)


def _timeline(world: World, rng: random.Random, stage: int, n: int) -> list[Touch]:
    """Met at an event first; an e-mail next (Followed up and later), then a coffee (Met
    one-to-one and later), then kinds that imply no later stage than the drawn one."""
    n = max(n, STAGE_MIN_INTERACTIONS[stage])
    now = world.now
    recency = min(rng.expovariate(1 / STAGE_RECENCY_DAYS[stage]), 4 * 365) * DAY
    span = min(n * rng.uniform(4, 25) * DAY, 4 * YEAR)
    first = world.event_before(int(now - recency - span), settled=n > 1)
    if n == 1 and world.recent_events and (world.fresh_quota > 0 or rng.random() < 0.01):
        world.fresh_quota -= 1
        first = world.recent_events[world.fresh_quota % len(world.recent_events)]
    t0 = world.event_starts[first]
    touches = [Touch(t0, "met", first)]
    if n == 1:
        return touches
    last = min(max(int(now - recency), t0 + DAY + HOUR), now - HOUR)
    times = [*sorted(rng.randrange(t0 + DAY, last) for _ in range(n - 2)), last]
    forced = ["email_sent", "coffee"][: (stage >= FOLLOWED_UP) + (stage >= MET_ONE_TO_ONE)]
    kinds, weights = zip(*LATER_KINDS[min(stage, MET_ONE_TO_ONE)], strict=True)
    later = forced + rng.choices(kinds, weights=weights, k=n - 1 - len(forced))
    used = {first}
    for at, kind in zip(times, later, strict=True):
        event = -1
        if kind == "met":
            event = world.event_before(at, settled=False)
            if event in used or world.event_starts[event] <= t0:
                kind, event = "note", -1
            else:
                used.add(event)
                at = world.event_starts[event]
        touches.append(Touch(at, kind, event))
    touches.sort()
    return touches


def _affiliations(
    world: World, rng: random.Random, person: Person, out: dict[str, list[tuple]]
) -> tuple[int | None, str]:
    """A current job for most people (popular organizations employ more), a past one for
    some. Returns the current organization's id and the person's headline."""
    orgs = len(world.org_names)
    if rng.random() >= 0.75 or not orgs:
        return None, rng.choice(("", "", "Consultant", "Community volunteer", "Retired"))
    table, ws = world.tables["affiliation"], world.workspace_id
    index = int(orgs * rng.random() ** 1.6)
    role = rng.choice(vocab.ROLES)
    started = person.created - rng.randrange(8 * YEAR)
    org_id = world.org_first + index
    out["affiliation"].append(
        (table.take_id(), ws, person.pid, org_id, role, date_text(started), None)
    )
    if rng.random() < 0.1:
        old = world.org_first + (index + 1 + rng.randrange(orgs - 1 or 1)) % orgs
        out["affiliation"].append(
            (
                table.take_id(),
                ws,
                person.pid,
                old,
                rng.choice(vocab.ROLES),
                date_text(started - 4 * YEAR),
                date_text(started - DAY),
            )
        )
    return org_id, f"{role} at {world.org_names[index]}"


def _contacts(
    world: World,
    rng: random.Random,
    person: Person,
    first: str,
    last: str,
    org_id: int | None,
    out: dict[str, list[tuple]],
) -> None:
    table, ws, pid = world.tables["contact"], world.workspace_id, person.pid
    domain = f"org{org_id - world.org_first}.example" if org_id else "mail.example"
    email = f"{first}.{last}.{pid}@{domain}".lower()
    out["contact"].append((table.take_id(), ws, pid, "email", email, email, "work", 0))
    if rng.random() < 0.2:
        home = f"{first[0]}{last}{pid}@home.example".lower()
        out["contact"].append((table.take_id(), ws, pid, "email", home, home, "home", 1))
    if rng.random() < 0.3:
        digits = f"1555{pid % 10_000_000:07d}"
        out["contact"].append(
            (
                table.take_id(),
                ws,
                pid,
                "phone",
                f"+1 555 {digits[4:7]} {digits[7:]}",
                "+" + digits,
                "",
                0,
            )
        )


def _tags(world: World, rng: random.Random, pid: int, out: dict[str, list[tuple]]) -> list[int]:
    how_many = rng.choices((0, 1, 2, 3), weights=(45, 35, 15, 5))[0]
    tags = {
        rng.choice(world.person_tags if rng.random() < 0.6 else world.area_tags)
        for _ in range(how_many)
    }
    out["person_tag"].extend((pid, tag) for tag in sorted(tags))
    return list(tags)


def _interactions(
    world: World,
    rng: random.Random,
    person: Person,
    touches: list[Touch],
    out: dict[str, list[tuple]],
) -> None:
    """The timeline as interactions, plus the attendance each event meeting implies."""
    ts, ws, pid = world.ts, world.workspace_id, person.pid
    table, attendance = world.tables["interaction"], world.tables["attendance"]
    ids: list[int] = []
    for touch in touches:
        event_id, text = None, rng.choice(vocab.SUMMARIES[touch.kind])
        if touch.event >= 0:
            event_id = world.event_ids[touch.event]
            text = text.format(event=world.event_titles[touch.event])
            out["attendance"].append(
                (
                    attendance.take_id(),
                    ws,
                    event_id,
                    pid,
                    "accepted",
                    rng.random() < 0.6,
                    ts(touch.at - rng.randrange(DAY, 14 * DAY)),
                )
            )
        ids.append(table.take_id())
        out["interaction"].append(
            (
                ids[-1],
                ws,
                pid,
                None,
                event_id,
                touch.kind,
                ts(touch.at),
                text,
                "",
                person.actor,
                ts(touch.at),
                "",
            )
        )
    _outreach(world, person, touches, ids, out)


@dataclass
class Reach:
    """One outreach while the timeline is replayed (epoch seconds)."""

    kind: str
    sent: int
    interaction_id: int
    state: str = "waiting"
    replied: int | None = None
    count: int = 0
    nudged: int | None = None
    due: int | None = None

    def schedule(self) -> None:
        due = nudge_due(
            sent_at=datetime.fromtimestamp(self.sent, UTC),
            nudge_count=self.count,
            gaps=NUDGE_GAPS,
            cap=NUDGE_CAP,
            zone="UTC",
        )
        self.due = int(due.timestamp()) if due is not None else None
        if due is None:
            self.state = "quiet"

    def nudge(self, at: int) -> None:
        self.count, self.nudged = self.count + 1, at
        self.schedule()


def _outreach(
    world: World,
    person: Person,
    touches: list[Touch],
    ids: list[int],
    out: dict[str, list[tuple]],
) -> None:
    """The person's outreach as `outreach.services` would have kept it while the timeline
    was logged: an outbound touch opens one (or nudges the one waiting), an answer closes
    it as replied; nudges are made when due, but for the last `NUDGES_LEFT_UNMADE`."""
    made: list[Reach] = []
    for touch, interaction_id in zip(touches, ids, strict=True):
        current = made[-1] if made and made[-1].state in ("waiting", "quiet") else None
        if touch.kind in OUTBOUND_KINDS:
            if current is not None and current.state == "waiting":
                current.nudge(touch.at)
                continue
            if current is not None:
                current.state, current.due = "closed", None
            made.append(Reach(OUTREACH_KIND_OF[touch.kind], touch.at, interaction_id))
            made[-1].schedule()
        elif touch.kind in INBOUND_KINDS and current is not None:
            current.state, current.replied, current.due = "replied", touch.at, None
    for reach in made:
        while reach.state == "waiting" and reach.due < world.now - NUDGES_LEFT_UNMADE:
            reach.nudge(reach.due)
    ts, table = world.ts, world.tables["outreach"]
    for r in made:
        out["outreach"].append(
            (table.take_id(), world.workspace_id, person.pid, r.kind, ts(r.sent), person.actor,
             "", r.interaction_id, r.state, ts(r.replied) if r.replied else None, r.count,
             ts(r.nudged) if r.nudged else None, ts(r.due) if r.due else None, ts(r.sent))
        )  # fmt: skip


def _relationship(
    world: World,
    rng: random.Random,
    person: Person,
    org_id: int | None,
    tags: list[int],
    last_at: int | None,
    out: dict[str, list[tuple]],
) -> None:
    """The cadence in force is the relationship's own, else its tags' shortest, else the
    stage's (relationships.cadence.cadence_days); the next touch is due
    that long after the last interaction (or the start)."""
    own = rng.choice((7, 14, 30, 45, 90)) if rng.random() < 0.03 else None
    tag_days = [world.tag_cadence[t] for t in tags if t in world.tag_cadence]
    days = cadence_days(own=own, tag_cadences=tag_days, stage=person.stage)
    since = last_at if last_at is not None else person.created
    due = world.ts(since + days * DAY) if days else None
    ts = world.ts
    out["relationship"].append(
        (
            world.tables["relationship"].take_id(),
            world.workspace_id,
            person.pid,
            org_id,
            person.owner,
            person.stage,
            own,
            ts(last_at) if last_at is not None else None,
            due,
            ts(person.created),
        )
    )


def _follow_ups(
    world: World,
    rng: random.Random,
    person: Person,
    touches: list[Touch],
    out: dict[str, list[tuple]],
) -> None:
    if person.stage == NOTICED:
        return
    _focus_pick(world, rng, person, touches, out)
    now, last = world.now, touches[-1].at
    if rng.random() < 0.06:  # open, some snoozed; due from two weeks ago to three ahead
        due = now + rng.randrange(-14 * DAY, 21 * DAY)
        created = min(max(last + HOUR, min(due, now) - 10 * DAY), now)
        snoozes = 0 if rng.random() < 0.7 else rng.randint(1, 3)
        _follow_up(world, rng, person, due, "open", snoozes, None, created, out)
    outreach = [t.at for t in touches if t.kind in OUTREACH_KINDS]
    if outreach and rng.random() < 0.3:  # done by an outreach, as the service does
        done = rng.choice(outreach)
        created = max(touches[0].at, done - 6 * DAY)
        _follow_up(world, rng, person, done - DAY, "done", 0, done, created, out)
    if rng.random() < 0.02:
        _follow_up(world, rng, person, last + 7 * DAY, "cancelled", 0, None, last, out)


def _follow_up(
    world: World,
    rng: random.Random,
    person: Person,
    due: int,
    status: str,
    snoozes: int,
    done: int | None,
    created: int,
    out: dict[str, list[tuple]],
    *,
    title: str = "",
    event: int = -1,
    pick: int | None = None,
) -> None:
    ts = world.ts
    out["follow_up"].append(
        (
            world.tables["follow_up"].take_id(),
            world.workspace_id,
            person.pid,
            world.event_ids[event] if event >= 0 else None,
            pick,
            title or rng.choice(vocab.FOLLOW_UP_TITLES),
            ts(due),
            status,
            snoozes,
            person.actor,
            ts(done) if done is not None else None,
            ts(created),
        )
    )


def _focus_pick(
    world: World,
    rng: random.Random,
    person: Person,
    touches: list[Touch],
    out: dict[str, list[tuple]],
) -> None:
    """Pick some people at the event where they were first met, within the limit (a rare
    deliberate override goes past it). The pick's follow-up is due 48 hours after the
    event; the first e-mail afterwards closes it, so it is open only for people not yet
    followed up (those met at the last few days' events)."""
    event = touches[0].event
    recent = world.event_starts[event] > world.now - 10 * DAY
    if person.stage == MET and not recent:
        return
    if not recent and rng.random() >= 0.2:
        return
    full = world.picks[event] >= PICK_LIMIT
    if full and (recent or rng.random() >= 0.01):  # past the limit only by rare override
        return
    world.picks[event] += 1
    picked_at = world.event_ends[event] + HOUR
    pick_id = world.tables["focus_pick"].take_id()
    out["focus_pick"].append(
        (
            pick_id,
            world.workspace_id,
            world.event_ids[event],
            person.pid,
            person.actor,
            world.ts(picked_at),
            "",
            full,
        )
    )
    done = next((t.at for t in touches if t.kind in OUTREACH_KINDS), None)
    _follow_up(
        world,
        rng,
        person,
        picked_at + 48 * HOUR,
        "open" if done is None else "done",
        0,
        done,
        picked_at,
        out,
        event=event,
        pick=pick_id,
        title=f"Follow up with {person.name} after {world.event_titles[event]}",
    )


def _upcoming_attendance(
    world: World, rng: random.Random, pid: int, out: dict[str, list[tuple]]
) -> None:
    event = rng.randrange(world.past_events, len(world.event_ids))
    out["attendance"].append(
        (
            world.tables["attendance"].take_id(),
            world.workspace_id,
            world.event_ids[event],
            pid,
            rng.choice(RSVPS),
            False,
            world.ts(world.now - rng.randrange(20 * DAY)),
        )
    )
