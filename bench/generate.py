"""Generate the benchmark workspace `bench` in a data directory.

    python bench/generate.py --data-dir /tmp/ftbench [--scale full|small|tiny] [--people N …]

Runs the migrations, deletes an earlier `bench` workspace, and prints rows/s per table
and the total time. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from bench.scales import SCALES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Followthrough data directory.")
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="full",
        help="Preset sizes (default full: 100k people, 1M interactions).",
    )
    for name in ("people", "organizations", "interactions", "events", "users", "seed", "chunk"):
        parser.add_argument(f"--{name}", type=int, help=f"Override the preset's {name}.")
    parser.add_argument(
        "--analyze", action="store_true", help="Run ANALYZE afterwards (the app itself does not)."
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from bench.env import setup_django

    setup_django(args.data_dir)
    from django.db import connection

    from bench.generator import database_size, generate
    from bench.scales import SCALES

    overrides = {
        k: getattr(args, k)
        for k in ("people", "organizations", "interactions", "events", "users", "seed", "chunk")
    }
    scale = SCALES[args.scale].with_overrides(**overrides)
    print(f"Generating '{args.scale}' {scale} into {connection.settings_dict['NAME']}")
    report = generate(scale)
    if args.analyze:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"ANALYZE {time.perf_counter() - started:.1f} s")
    print("\n".join(report.lines()))
    size = database_size()
    if size is not None:
        print(f"database size {size / 2**20:,.0f} MiB")
    owner = report.workspace.memberships.get(role="owner").user
    print(
        f"log in as {owner.email} with password {report.password} "
        f"(workspace /w/{report.workspace.slug}/)"
    )


if __name__ == "__main__":
    main()
