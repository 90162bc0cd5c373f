"""Time exports of the benchmark workspace: people as CSV, everyone as vCard 3.0 and 4.0.

    python bench/bench_export.py --data-dir /tmp/ftbench [--limit N] [--keep DIR]
                                 [--formats csv,vcard3,vcard4] [--workspace bench]

Only reads the data directory's database (never a copy, never a test database). Each
export runs in a fresh process, the way `followthrough export` runs it: the exporter's
text chunks inside one read snapshot, each chunk encoded as UTF-8 (and written to
`--keep DIR` when given, to compare two versions' files; else dropped). Each prints the
wall time, records per second, megabytes written, the process's peak RSS
(`resource.getrusage`) and its anonymous memory after setup and at its peak (sampled
every chunk), which tells whether the export streams: it must not grow with the
workspace.

`--limit N` stops after N records: N cards for vCard (organizations come first, then
people), N lines for CSV (the header is one; a cell with a line break would count twice,
and the bench workspace has none).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMATS = {
    "csv": ("people as CSV", "\r\n"),
    "vcard3": ("vCard 3.0", "\r\nEND:VCARD\r\n"),
    "vcard4": ("vCard 4.0", "\r\nEND:VCARD\r\n"),
}


def _chunks(fmt: str, workspace):
    from followthrough.exchange.exports.csv_export import people_csv
    from followthrough.exchange.exports.vcard_export import vcards

    if fmt == "csv":
        return people_csv(workspace=workspace)
    return vcards(workspace=workspace, version="3.0" if fmt == "vcard3" else "4.0")


def timed_export(data_dir: str, slug: str, fmt: str, limit: int | None, keep: str) -> dict:
    """Run one export in this process; its figures as a dict."""
    from bench.bench_import import memory_mb
    from bench.env import setup_django

    setup_django(data_dir)
    from followthrough.exchange.exports.streaming import snapshot_chunks
    from followthrough.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug=slug)
    after_setup = memory_mb()["RssAnon"]
    peak_anon = after_setup
    # A record ends with this text (escaping keeps it out of values: a vCard value never
    # holds a raw line break, and no bench cell holds one either).
    end = FORMATS[fmt][1]
    records = size = 0
    target = (Path(keep) / f"{fmt}.{'csv' if fmt == 'csv' else 'vcf'}").open("wb") if keep else None
    started = time.perf_counter()
    stream = snapshot_chunks(_chunks(fmt, workspace))
    try:
        for chunk in stream:
            if limit is not None and records + chunk.count(end) >= limit:
                # cut the chunk just after the limit-th record
                position = 0
                for _ in range(limit - records):
                    position = chunk.index(end, position) + len(end)
                chunk, records = chunk[:position], limit
            else:
                records += chunk.count(end)
            data = chunk.encode("utf-8")
            size += len(data)
            if target:
                target.write(data)
            peak_anon = max(peak_anon, memory_mb()["RssAnon"])
            if limit is not None and records >= limit:
                break
    finally:
        stream.close()
        if target:
            target.close()
    seconds = time.perf_counter() - started
    if fmt == "csv":
        records -= 1  # the header
    return {
        "format": fmt,
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_s": round(records / seconds),
        "megabytes": round(size / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "anon_after_setup_mb": after_setup,
        "peak_anon_mb": peak_anon,
    }


def run_phase(args: argparse.Namespace, fmt: str) -> dict:
    command = [sys.executable, __file__, "--phase", fmt, "--data-dir", args.data_dir]
    command += ["--workspace", args.workspace, "--keep", args.keep]
    if args.limit is not None:
        command += ["--limit", str(args.limit)]
    out = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="The generated bench data directory.")
    parser.add_argument("--workspace", default="bench", help="The workspace's slug.")
    parser.add_argument("--limit", type=int, help="Stop after this many cards or CSV rows.")
    parser.add_argument(
        "--formats", default="csv,vcard3,vcard4", help=f"Any of {', '.join(FORMATS)}."
    )
    parser.add_argument("--keep", default="", help="Write the exported files to this directory.")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        report = timed_export(args.data_dir, args.workspace, args.phase, args.limit, args.keep)
        print(json.dumps(report))
        return
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format(s): {', '.join(unknown)}")
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    from bench.bench_pages import _calibration_ms

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"machine speed check: a fixed pure-Python loop takes {_calibration_ms():.1f} ms")
    for fmt in formats:
        report = run_phase(args, fmt)
        print(f"{FORMATS[fmt][0]}: {json.dumps(report)}")
    print(f"machine speed check: a fixed pure-Python loop takes {_calibration_ms():.1f} ms")


if __name__ == "__main__":
    main()
