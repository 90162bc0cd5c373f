"""Generate the benchmark workspace (slug `bench`) into the configured database.

Deterministic for a given scale and seed (names, stages, timelines; timestamps are
relative to the moment it runs). Rows are generated in chunks and inserted with
`executemany` (see `bench.writer`), one transaction per chunk, so memory stays flat.
No per-row service calls: the rules the services enforce are reproduced in
`bench.people` and checked by tests/bench/test_generate.py.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction

from bench import people, vocab, world
from bench.scales import Scale
from bench.world import World
from bench.writer import Table, delete_workspace_rows, finish, timestamp_formatter
from followthrough.events.models import Attendance, Event, FocusPick
from followthrough.outreach.models import Outreach
from followthrough.people.models import (
    Affiliation,
    ContactPoint,
    Organization,
    Person,
    Tag,
)
from followthrough.people.services import organization_update
from followthrough.relationships.models import FollowUp, Interaction, Relationship
from followthrough.site.services import workspace_open
from followthrough.workspaces.invitations import invitation_accept, invitation_create
from followthrough.workspaces.models import Role, Workspace

BENCH_SLUG = "bench"
BENCH_NAME = "Bench Literacy Network"
USER_EMAIL = "bench{}@bench.followthrough.test"


@dataclass
class Report:
    """What was generated and how fast."""

    workspace: Workspace
    tables: list[Table]
    seconds: float
    password: str

    def lines(self) -> list[str]:
        """The figures, one line per table, then the totals."""
        out = [f"{'table':<34}{'rows':>12}{'insert s':>10}{'rows/s':>12}"]
        for table in sorted(self.tables, key=lambda t: -t.rows):
            rate = table.rows / table.seconds if table.seconds else 0
            out.append(f"{table.name:<34}{table.rows:>12,}{table.seconds:>10.1f}{rate:>12,.0f}")
        rows = sum(t.rows for t in self.tables)
        inserting = sum(t.seconds for t in self.tables)
        out.append(f"{'all tables':<34}{rows:>12,}{inserting:>10.1f}{rows / inserting:>12,.0f}")
        out.append(
            f"total {self.seconds:.1f} s ({rows / self.seconds:,.0f} rows/s overall; "
            f"{self.seconds - inserting:.1f} s generating rows and setting up)"
        )
        return out


def make_tables() -> dict[str, Table]:
    """The tables the generator fills, each with the column order its rows use."""
    return {
        "organization": Table(Organization, world.ORGANIZATION),
        "org_focus": Table(Organization.focus_areas.through, world.ORG_FOCUS, with_id=False),
        "event": Table(Event, world.EVENT),
        "person": Table(Person, people.PERSON),
        "contact": Table(ContactPoint, people.CONTACT),
        "person_tag": Table(Person.tags.through, people.PERSON_TAG, with_id=False),
        "affiliation": Table(Affiliation, people.AFFILIATION),
        "relationship": Table(Relationship, people.RELATIONSHIP),
        "interaction": Table(Interaction, people.INTERACTION),
        "attendance": Table(Attendance, people.ATTENDANCE),
        "focus_pick": Table(FocusPick, people.FOCUS_PICK),
        "follow_up": Table(FollowUp, people.FOLLOW_UP),
        "outreach": Table(Outreach, people.OUTREACH),
    }


def generate(
    scale: Scale,
    *,
    log: Callable[[str], None] = print,
    migrate: bool = True,
    checkpoint: bool = True,
) -> Report:
    """(Re)create the `bench` workspace at this scale and return the figures."""
    started = time.perf_counter()
    if migrate:
        call_command("migrate", verbosity=0)
    rng = random.Random(scale.seed)
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        workspace, user_ids = _setup_workspace(scale, password, log)
        tables = make_tables()
        bench = World(
            workspace_id=workspace.pk,
            now=int(time.time()),
            users=user_ids,
            ts=timestamp_formatter(),
            tables=tables,
        )
        _load_tags(bench, workspace)
    _load_organizations(bench, rng, scale)
    with transaction.atomic():
        tables["event"].insert(world.event_rows(bench, rng, scale.events))
    _load_people(bench, rng, scale, log)
    _insert_in_chunks(
        tables["interaction"],
        world.noticed_count(scale),
        scale.chunk * 10,
        lambda n: world.noticed_rows(bench, rng, n),
    )
    if checkpoint:
        finish(list(tables.values()))
    return Report(workspace, list(tables.values()), time.perf_counter() - started, password)


def _setup_workspace(
    scale: Scale, password: str, log: Callable[[str], None]
) -> tuple[Workspace, list[int]]:
    """Members (reused if present) and a fresh workspace; an old `bench` is deleted."""
    old = Workspace.objects.filter(slug=BENCH_SLUG).first()
    if old is not None:
        log(f"Deleting the existing '{BENCH_SLUG}' workspace …")
        delete_workspace_rows(old.pk)
        old.delete()
    hashed = make_password(password)  # hashed once: the members share it
    users = []
    for number in range(1, scale.users + 1):
        email = USER_EMAIL.format(number)
        user, _ = get_user_model().objects.update_or_create(
            username=email,
            defaults={
                "email": email,
                "password": hashed,
                "first_name": "Bench",
                "last_name": f"Member {number}",
                "is_active": True,
            },
        )
        users.append(user)
    workspace = workspace_open(name=BENCH_NAME, owner=users[0], slug=BENCH_SLUG)
    for user in users[1:]:
        _, token = invitation_create(
            workspace=workspace, email=user.email, role=Role.MEMBER, created_by=users[0]
        )
        invitation_accept(token=token, user=user)
    return workspace, [u.pk for u in users]


def _load_tags(bench: World, workspace: Workspace) -> None:
    """Focus-area tags and person tags (some with a keep-in-touch cadence), and our own
    organization's profile."""
    rows = [Tag(workspace=workspace, name=name) for name, _, _ in vocab.AREAS]
    rows += [
        Tag(workspace=workspace, name=name, cadence_days=days) for name, days in vocab.PERSON_TAGS
    ]
    Tag.objects.bulk_create(rows)
    ids = dict(Tag.objects.for_workspace(workspace).values_list("name", "id"))
    bench.area_tags = [ids[name] for name, _, _ in vocab.AREAS]
    bench.person_tags = [ids[name] for name, _ in vocab.PERSON_TAGS]
    bench.tag_cadence = {ids[name]: days for name, days in vocab.PERSON_TAGS if days}
    organization_update(
        organization=workspace.organization,
        mission="Helping adults and families in the valley read, write and count.",
        offers="Trained volunteer tutors; evening classrooms.",
        needs="Tutors; funding for family reading programs; referrals of adult learners.",
        focus_areas=["adult literacy", "family literacy"],
    )


def _load_organizations(bench: World, rng: random.Random, scale: Scale) -> None:
    bench.org_first = bench.tables["organization"].next_id
    for start in range(0, scale.organizations, scale.chunk):
        stop = min(start + scale.chunk, scale.organizations)
        rows = world.organization_rows(bench, rng, start, stop)
        with transaction.atomic():
            bench.tables["organization"].insert(rows["organization"])
            bench.tables["org_focus"].insert(rows["org_focus"])


def _load_people(
    bench: World, rng: random.Random, scale: Scale, log: Callable[[str], None]
) -> None:
    """People in chunks; each chunk gets its share of the person interactions."""
    target = scale.interactions - world.noticed_count(scale)
    started = time.perf_counter()
    for start in range(0, scale.people, scale.chunk):
        stop = min(start + scale.chunk, scale.people)
        budget = target * stop // scale.people - target * start // scale.people
        stages = people.draw_stages(rng, stop - start)
        rows = people.people_rows(bench, rng, stages, people.apportion(rng, stages, budget))
        with transaction.atomic():
            for key in (
                "person",
                "contact",
                "person_tag",
                "affiliation",
                "relationship",
                "interaction",
                "attendance",
                "focus_pick",
                "follow_up",
                "outreach",
            ):
                bench.tables[key].insert(rows[key])
        if stop == scale.people or stop // scale.chunk % 5 == 0:
            log(f"  people {stop:>9,} / {scale.people:,}  ({time.perf_counter() - started:.0f} s)")


def _insert_in_chunks(
    table: Table, total: int, chunk: int, make: Callable[[int], list[tuple]]
) -> None:
    for start in range(0, total, chunk):
        rows = make(min(chunk, total - start))
        with transaction.atomic():
            table.insert(rows)


def database_size() -> int | None:
    """Bytes used by the SQLite database file and its WAL (None for other databases)."""
    if connection.vendor != "sqlite":
        return None
    from pathlib import Path

    path = Path(connection.settings_dict["NAME"])
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
