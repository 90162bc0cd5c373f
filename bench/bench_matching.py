"""Time mission intersection at benchmark size: the partners index of the `bench`
workspace (20,000 organizations at full size) and an event's attendee ranking.

    python bench/bench_matching.py --data-dir /tmp/ftbench [--repeat 30] [--semantic N]

Gives the bench workspace an own profile (idempotent; it has none after generate.py),
then prints: the full index build (every organization scored and written), the top 10
potential partners with reasons after indexing (median, p90), the re-score after an own
profile edit and after one organization's edit, and the ranking of a 300-person event's
attendees. With --semantic N (and the semantic extra installed): profiles embedded per
second over N organizations, and the query time on the semantic engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OWN = {
    "name": "Bench Literacy Alliance",
    "mission": "Serving families in Riverside through literacy programs and tutoring.",
    "offers": "trained volunteer tutors\nmeeting space\nbooks for young readers",
    "needs": "food donations\ngrant writing help\nvolunteer drivers",
    "location": "Riverside",
}


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.9 * (len(samples) - 1))], samples[0]


def _figures(median: float, p90: float, low: float) -> str:
    return f"median {median:.1f} ms, p90 {p90:.1f}, min {low:.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--semantic", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    from bench.env import setup_django

    setup_django(args.data_dir)
    from django.db import connection

    from followthrough.events.models import Attendance, Event
    from followthrough.matching import index, selectors
    from followthrough.matching.engines import semantic_available
    from followthrough.matching.models import PartnerIndex, PartnerScore
    from followthrough.people.models import Organization
    from followthrough.people.services import organization_update
    from followthrough.workspaces.models import Workspace

    ws = Workspace.objects.get(slug=args.slug)
    own = ws.organization or Organization.objects.create(workspace=ws, name=OWN["name"])
    Organization.objects.filter(pk=own.pk).update(**OWN)
    Workspace.objects.filter(pk=ws.pk).update(organization=own, match_engine="lexical")
    ws.refresh_from_db()
    count = Organization.objects.for_workspace(ws).count()
    print(f"{connection.vendor}: workspace '{ws.slug}', {count:,} organizations")

    def rebuild() -> None:
        PartnerIndex.objects.for_workspace(ws).delete()
        index.refresh(workspace=ws)

    seconds = timed(rebuild, 1)[0] / 1000
    rows = PartnerScore.objects.for_workspace(ws).count()
    print(f"index build (score all, write {rows:,} rows): {seconds:.2f} s")

    top = selectors.potential_partners(workspace=ws, limit=10)
    print(f"top 10 (e.g. {top[0].name}: {'; '.join(top[0].reasons)})" if top else "top 10: none")
    med, p90, low = timed(lambda: selectors.potential_partners(workspace=ws, limit=10), args.repeat)
    print(f"top 10 potential partners, index fresh: {_figures(med, p90, low)}")
    med, p90, low = timed(
        lambda: selectors.potential_partners(workspace=ws, limit=10, city="Riverside"), args.repeat
    )
    print(f"top 10 in one place (filtered): {_figures(med, p90, low)}")

    def edit_own() -> None:
        own.refresh_from_db()
        needs = own.needs.splitlines()
        organization_update(organization=own, needs="\n".join([*needs[1:], needs[0]]))
        selectors.potential_partners(workspace=ws, limit=10)

    med, _, _ = timed(edit_own, 3)
    print(f"own profile edited → re-scored and top 10 read: median {med:.0f} ms")

    other = Organization.objects.for_workspace(ws).exclude(pk=own.pk).order_by("pk").first()
    assert other is not None

    def edit_other() -> None:
        other.mission += " And more."
        other.save()
        selectors.potential_partners(workspace=ws, limit=10)

    med, _, _ = timed(edit_other, 5)
    print(f"one organization edited → re-scored and top 10 read: median {med:.1f} ms")

    event = _event_with_attendees(ws, Event, Attendance, 300)
    ids = list(Attendance.objects.filter(event=event).values_list("person_id", flat=True))[:300]
    med, p90, low = timed(
        lambda: selectors.people_to_meet(workspace=ws, person_ids=ids), args.repeat
    )
    print(f"rank {len(ids)} attendees: {_figures(med, p90, low)}")

    if args.semantic:
        if not semantic_available():
            print("semantic: not installed (pip install -e '.[semantic]')")
            return
        _semantic(ws, args.semantic, args.repeat)


def _event_with_attendees(ws, Event, Attendance, size: int):  # type: ignore[no-untyped-def]
    """The event with the most attendees, topped up to `size` (idempotent)."""
    from django.db.models import Count

    from followthrough.people.models import Person

    event = Event.objects.for_workspace(ws).annotate(n=Count("attendances")).order_by("-n").first()
    have = set(Attendance.objects.filter(event=event).values_list("person_id", flat=True))
    if len(have) < size:
        people = Person.objects.for_workspace(ws).exclude(pk__in=have).order_by("pk")
        Attendance.objects.bulk_create(
            Attendance(workspace=ws, event=event, person_id=pk)
            for pk in people.values_list("pk", flat=True)[: size - len(have)]
        )
    return event


def _semantic(ws, n: int, repeat: int) -> None:  # type: ignore[no-untyped-def]
    from followthrough.matching import selectors, semantic
    from followthrough.matching.analysis import phrases
    from followthrough.matching.profiles import organization_profiles

    started = time.perf_counter()
    semantic.model()
    print(f"semantic: model loaded in {time.perf_counter() - started:.1f} s")
    others = (p for p in organization_profiles(workspace=ws) if p.key != ws.organization_id)
    profiles = [p for _, p in zip(range(n), others, strict=False)]
    texts = [t for p in profiles for t in (*phrases(p.offers), *phrases(p.needs), p.mission)]
    started = time.perf_counter()
    semantic.embed(texts)
    seconds = time.perf_counter() - started
    print(
        f"semantic: {len(profiles)} profiles ({len(texts)} phrases) embedded in {seconds:.1f} s "
        f"= {len(profiles) / seconds:.0f} profiles/s, {len(texts) / seconds:.0f} phrases/s"
    )
    ws.match_engine = "semantic"
    med, _, _ = timed(
        lambda: selectors.organization_intersection(
            workspace=ws, organization=profiles_org(ws, profiles[0].key)
        ),
        repeat,
    )
    ws.match_engine = "lexical"
    print(f"semantic: one organization's intersection (own vectors cached): median {med:.1f} ms")
    found = selectors.organization_intersection(
        workspace=ws, organization=profiles_org(ws, profiles[0].key)
    )
    print(f"  e.g. {profiles[0].name}: {found.match.reasons if found.match else 'no match'}")


def profiles_org(ws, pk):  # type: ignore[no-untyped-def]
    from followthrough.people.models import Organization

    return Organization.objects.for_workspace(ws).get(pk=pk)


if __name__ == "__main__":
    main()
