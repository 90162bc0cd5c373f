"""A load run with a real HTTP load generator (locust, headless) against
`followthrough serve` on a copy of the benchmark workspace.

    pip install 'locust>=2.30'
    python bench/bench_load.py --data-dir /tmp/ftbench [--users 32] [--seconds 60] [--reuse]

Copies the benchmark database (bench_import.prepare), gives `--users` members a known
password, starts `followthrough serve` (its default 8 threads, the worker beside it) on
a free loopback port, and runs `bench/load/locustfile.py`: `--users` simultaneous
members, each logged in once, then requesting without pause a mix of Today, the people
list, person pages, people searches, creating people and logging interactions. Prints
per kind of request the count, failures, requests/s and p50/p95/p99 in ms, and the
total. Errors must be 0.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_concurrency import (  # noqa: E402
    PASSWORD,
    SLUG,
    _free_port,
    _wait_until_up,
    add_writers,
)
from bench.bench_import import DB, prepare  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "load" / "locustfile.py"


def person_ids(db: Path, count: int = 500) -> list[int]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT p.id FROM people_person p JOIN workspaces_workspace w "
            "ON w.id = p.workspace_id WHERE w.slug = ? ORDER BY p.id LIMIT ?",
            (SLUG, count * 50),
        ).fetchall()
    return [row[0] for row in rows[::50]][:count]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "ftload")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="reuse the scratch copy")
    args = parser.parse_args(argv)
    locust = shutil.which("locust")
    if locust is None:
        sys.exit("locust is not installed: pip install 'locust>=2.30'")

    base_copy = prepare(args.data_dir, args.scratch, args.reuse)
    shutil.copyfile(base_copy, args.scratch / DB)
    emails = add_writers(args.scratch, args.users)
    ids = person_ids(args.scratch / DB)
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", "serve", "--port", str(port),
         "--data-dir", str(args.scratch)],
        stdout=subprocess.DEVNULL, stderr=(args.scratch / "serve.log").open("w"), text=True,
    )  # fmt: skip
    prefix = args.scratch / "locust"
    try:
        _wait_until_up(host, server)
        env = {
            **os.environ,
            "BENCH_PASSWORD": PASSWORD,
            "BENCH_EMAILS": ",".join(emails),
            "BENCH_PERSON_IDS": ",".join(map(str, ids)),
            "BENCH_SLUG": SLUG,
        }
        subprocess.run(  # noqa: S603 -- the load generator
            [locust, "-f", str(LOCUSTFILE), "--headless", "--only-summary",
             "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
             "--host", host, "--csv", str(prefix), "--loglevel", "WARNING"],
            env=env, check=False, stdout=subprocess.DEVNULL,
            stderr=(args.scratch / "locust.log").open("w"),
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(prefix, args.users, args.seconds)


def report(prefix: Path, users: int, seconds: int) -> None:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(f"\n{users} connections for {seconds} s against followthrough serve (8 threads)")
    print(f"{'request':<24}{'count':>8}{'failed':>8}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7} ms")
    for row in rows:
        print(
            f"{row['Name']:<24}{row['Request Count']:>8}{row['Failure Count']:>8}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        lines = failures.read_text().strip().splitlines()[1:]
        for line in lines[:10]:
            print("failure:", line)


if __name__ == "__main__":
    main()
