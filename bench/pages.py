"""Page timings on the bench workspace, through Django's test client on the real database.

Each page is requested a few times to warm up, then `repeat` times; the figures are the
median, 90th percentile and minimum in milliseconds, and the SQL queries of one request.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followthrough.agenda.selectors import ESTABLISHED_STAGES, LIST_LIMIT
from followthrough.relationships.models import BUDDING_STAGES, Relationship
from followthrough.workspaces.models import Role, Workspace

WARM_UP = 5


@dataclass
class Timing:
    label: str
    samples_ms: list[float]
    queries: int | None = None

    def line(self) -> str:
        ordered = sorted(self.samples_ms)
        p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
        queries = f"{self.queries:>4} queries" if self.queries is not None else ""
        return (
            f"{self.label:<48} median {statistics.median(ordered):7.1f} ms   "
            f"p90 {p90:7.1f} ms   min {ordered[0]:7.1f} ms   {queries}"
        )


def time_calls(label: str, call: Callable[[], object], repeat: int) -> Timing:
    """Warm up, then time `repeat` calls."""
    for _ in range(WARM_UP):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(label, samples)


def time_page(
    client: Client, label: str, url: str, repeat: int, show_queries: bool = False
) -> Timing:
    """Time GET `url`; count (and optionally list) the queries of one more request."""

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    timing = time_calls(label, get, repeat)
    with CaptureQueriesContext(connection) as captured:
        get()
    timing.queries = len(captured.captured_queries)
    if show_queries:
        for query in captured.captured_queries:
            print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:300]}")
    return timing


def member_client(workspace: Workspace) -> Client:
    """A test client logged in as the workspace's owner."""
    client = Client()
    client.force_login(workspace.memberships.get(role=Role.OWNER).user)
    return client


def person_with_interactions(workspace: Workspace, target: int | None) -> tuple[int, int]:
    """(person id, interaction count): the count closest to `target`, or the most."""
    order = "ABS(n - %s), person_id" if target is not None else "n DESC, person_id"
    params = [workspace.pk] + ([target] if target is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, n FROM (SELECT person_id, COUNT(*) AS n "
            "FROM relationships_interaction WHERE workspace_id = %s AND person_id IS NOT NULL "
            f"GROUP BY person_id) counts ORDER BY {order} LIMIT 1",
            params,
        )
        person_id, count = cursor.fetchone()
    return person_id, count


def slipping_statements(workspace: Workspace) -> list[tuple[str, tuple]]:
    """The exact SQL of Today's slipping queries (one per stage, as the selector runs)."""
    now = timezone.now()
    statements = []
    for stage in (*BUDDING_STAGES, *ESTABLISHED_STAGES):
        queryset = (
            Relationship.objects.filter(workspace=workspace, stage=stage, next_touch_due__lt=now)
            .select_related("person", "owner", "organization")
            .order_by("next_touch_due")[:LIST_LIMIT]
        )
        statements.append(queryset.query.sql_with_params())
    return statements


def time_raw_slipping(workspace: Workspace, repeat: int) -> tuple[Timing, str]:
    """Time the slipping queries run raw (no ORM), and explain the first one's plan."""
    statements = slipping_statements(workspace)

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    timing = time_calls(f"raw SQL: slipping ({len(statements)} stage queries)", run, repeat)
    sql, params = statements[0]
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        plan = "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())
    return timing, plan


# The list and search pages, each as (label, url name, query string). Bench people are
# named from 82 surnames (~1,250 people each), so one surname finds ~1,250 people, a
# first and last name a few dozen; "lars" is a surname being typed.
LIST_PAGES = (
    ("people list", "people:person-list", ""),
    ("people list, sorted by last interaction", "people:person-list", "sort=last"),
    ("people list, most overdue first", "people:person-list", "sort=due"),
    ("people list, page 1,000 of 2,000", "people:person-list", "page=1000"),
    ("people list, last interaction, page 1,000", "people:person-list", "sort=last&page=1000"),
    ("people search: larsen", "people:person-list", "q=larsen"),
    ("people search: lars (as you type)", "people:person-list", "q=lars"),
    ("people search: luis iqbal", "people:person-list", "q=luis+iqbal"),
    ("people search: larsen, sorted by name", "people:person-list", "q=larsen&sort=name"),
    ("organization list", "people:organization-list", ""),
    ("organization list, page 200 of 400", "people:organization-list", "page=200"),
    ("organization search: tutor (3,100 found)", "people:organization-list", "q=tutor"),
    ("organization search: food pantry", "people:organization-list", "q=food+pantry"),
    ("events list", "events:event-list", ""),
    ("events list, page 40 of 80", "events:event-list", "page=40"),
)


def time_lists(client: Client, slug: str, repeat: int, show_queries: bool) -> list[str]:
    """Time the people, organization and events lists and searches (`LIST_PAGES`)."""
    lines = []
    for label, name, query in LIST_PAGES:
        url = reverse(name, kwargs={"workspace_slug": slug}) + (f"?{query}" if query else "")
        lines.append(time_page(client, label, url, repeat, show_queries).line())
    return lines


def run(slug: str, repeat: int, person_target: int, show_queries: bool) -> list[str]:
    """Time Today, a person page (~`person_target` interactions), the busiest person page,
    the raw slipping SQL and the lists and searches; return the report lines."""
    workspace = Workspace.objects.get(slug=slug)
    client = member_client(workspace)
    today = reverse("agenda:today", kwargs={"workspace_slug": slug})
    lines = [time_page(client, "Today", today, repeat, show_queries).line()]
    for target in (person_target, None):
        pk, count = person_with_interactions(workspace, target)
        url = reverse("people:person-detail", kwargs={"workspace_slug": slug, "pk": pk})
        label = f"person detail (#{pk}, {count} interactions)"
        lines.append(time_page(client, label, url, repeat, show_queries).line())
    timing, plan = time_raw_slipping(workspace, repeat)
    lines.append(timing.line())
    lines.append("  plan of the first slipping query:\n" + plan)
    return lines + time_lists(client, slug, repeat, show_queries)
