"""Time the Today page, person pages, lists and searches of the `bench` workspace.

    python bench/bench_pages.py --data-dir /tmp/ftbench [--repeat 50]

Uses the data directory's own database (generate it first with bench/generate.py) and
Django's test client logged in as the workspace's owner. Prints median, p90 and min in
ms and the SQL queries per request. See bench/README.md for the targets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Followthrough data directory.")
    parser.add_argument("--repeat", type=int, default=50, help="Timed requests per page.")
    parser.add_argument("--slug", default="bench", help="Workspace to request (bench).")
    parser.add_argument(
        "--person-interactions",
        type=int,
        default=50,
        help="Time the person whose interaction count is closest to this.",
    )
    parser.add_argument(
        "--lists-only",
        action="store_true",
        help="Time only the people, organization and events lists and searches.",
    )
    parser.add_argument(
        "--show-queries", action="store_true", help="List each page's SQL queries with their times."
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from bench.env import setup_django

    setup_django(args.data_dir, extra_hosts=["testserver"])
    from django.core.management import call_command
    from django.db import connection

    from bench.pages import member_client, run, time_lists
    from followthrough.workspaces.models import Workspace

    # As `followthrough serve` does: the manifest static storage needs collected files.
    call_command("collectstatic", interactive=False, verbosity=0)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{connection.settings_dict['NAME']} ({connection.vendor} "
        f"{connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}): "
        f"workspace '{args.slug}', {args.repeat} requests per page after warm-up; "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    print(f"machine speed check: a fixed pure-Python loop takes {_calibration_ms():.1f} ms")
    if args.lists_only:
        client = member_client(Workspace.objects.get(slug=args.slug))
        lines = time_lists(client, args.slug, args.repeat, args.show_queries)
    else:
        lines = run(args.slug, args.repeat, args.person_interactions, args.show_queries)
    for line in lines:
        print(line)
    print(f"machine speed check: a fixed pure-Python loop takes {_calibration_ms():.1f} ms")


def _calibration_ms() -> float:
    """Median time of a fixed CPU-bound loop. These machines share their cores, and their
    speed drifts by a third from minute to minute: printed before and after the pages, it
    tells whether two runs' figures can be compared (it was ~14 ms when the targets were
    measured)."""
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        total = 0
        for i in range(200_000):
            total += i
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
