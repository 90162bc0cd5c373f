"""Time a large CSV import and how long small writes from another process wait meanwhile.

    python bench/bench_import_lock.py [--scratch DIR] [--rows 100000] [--existing 10000]

Makes a fresh data directory with a workspace of `--existing` people, writes a LinkedIn
CSV of `--rows` rows (one in ten of them people already there, who gain a LinkedIn URL),
then runs `followthrough import` on it in its own process while this process writes a
tag (one tiny transaction, the way a sign-up or a "create" does) every 50 ms through
Django with the app's own database settings (IMMEDIATE transactions, 20 s busy timeout).
Prints the import's wall time and the writes' count, median, maximum latency and errors
("database is locked"); the last line is the same as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_workspace(data_dir: Path, existing: int) -> list[tuple[str, str, str]]:
    from bench.env import setup_django

    setup_django(str(data_dir))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from followthrough.people.models import ContactPoint, Person
    from followthrough.workspaces.models import Workspace

    workspace, _ = Workspace.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    people = []
    for i in range(existing):
        first, last, email = f"Known{i}", f"Person{i}", f"known{i}@example.org"
        people.append((first, last, email))
    if not Person.objects.filter(workspace=workspace).exists():
        made = Person.objects.bulk_create(
            [Person(workspace=workspace, first_name=f, last_name=la) for f, la, _ in people],
            batch_size=2_000,
        )
        ContactPoint.objects.bulk_create(
            [
                ContactPoint(
                    workspace=workspace, person=p, kind="email", value=e, normalized=e.lower()
                )
                for p, (_, _, e) in zip(made, people, strict=True)
            ],
            batch_size=2_000,
        )
    return people


def write_csv(path: Path, rows: int, known: list[tuple[str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write('Notes:\r\n"Bench file."\r\n\r\n')
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(
            [
                "First Name",
                "Last Name",
                "URL",
                "Email Address",
                "Company",
                "Position",
                "Connected On",
            ]
        )
        for i in range(rows):
            url = f"https://www.linkedin.com/in/bench-{i:07d}"
            if i % 10 == 0 and i // 10 < len(known):
                first, last, email = known[i // 10]
            else:
                first, last, email = f"New{i}", f"Member{i % 997}", f"new{i}@example.net"
            writer.writerow([first, last, url, email, f"Org {i % 2000}", "Officer", "10 Dec 2021"])


def small_writes(stop_file: Path, interval: float) -> dict:
    """Tiny write transactions until `stop_file` exists; their latencies and errors."""
    from django.db import DatabaseError, transaction

    from followthrough.people.models import Tag
    from followthrough.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug="bench")
    latencies: list[float] = []
    errors: list[str] = []
    n = 0
    while not stop_file.exists():
        n += 1
        started = time.perf_counter()
        try:
            with transaction.atomic():
                Tag.objects.create(workspace=workspace, name=f"bench-write-{os.getpid()}-{n}")
        except DatabaseError as error:
            errors.append(str(error))
        latencies.append(time.perf_counter() - started)
        time.sleep(interval)
    return {
        "writes": len(latencies),
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "over_1s": sum(1 for x in latencies if x > 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scratch", default=str(Path(tempfile.gettempdir()) / "ftbench-lock"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args(argv)
    scratch = Path(args.scratch)
    data_dir = scratch / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    known = make_workspace(data_dir, args.existing)
    path = scratch / "Connections.csv"
    write_csv(path, args.rows, known)
    stop = scratch / "stop"
    stop.unlink(missing_ok=True)
    os.sync()
    command = [sys.executable, "-m", "followthrough", "import", "linkedin", str(path)]
    command += ["--workspace", "bench", "--data-dir", str(data_dir)]
    started = time.perf_counter()
    importer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    # The writer runs in this process's main thread while the importer runs.
    import threading

    def watch() -> None:
        importer.wait()
        stop.touch()

    threading.Thread(target=watch, daemon=True).start()
    writes = small_writes(stop, args.interval)
    seconds = time.perf_counter() - started
    output = (importer.stdout.read() if importer.stdout else b"").decode(errors="replace")
    report = {
        "rows": args.rows,
        "import_seconds": round(seconds, 1),
        "import_exit": importer.returncode,
        "import_said": output.strip().splitlines()[-1:] if output.strip() else [],
        **writes,
    }
    print(f"import of {args.rows:,} rows: {seconds:.1f} s (exit {importer.returncode})")
    print(
        f"small writes meanwhile: {writes['writes']}, median {writes['median_ms']} ms, "
        f"max {writes['max_ms']} ms, {writes['over_1s']} over 1 s, {writes['errors']} errors "
        f"{writes['first_error']!r}"
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
