"""Time imports into a copy of the benchmark workspace.

    python bench/bench_import.py --data-dir /tmp/ftbench [--scratch DIR] [--rows 100000]
                                 [--vcards 10000] [--reuse]

Copies the data directory's database to a scratch directory (the original stays clean)
and migrates the copy, writes a LinkedIn-style `Connections.csv` of `--rows` rows — half
of them people already in the workspace (same name, e-mail and organization, plus a
LinkedIn URL they do not have yet), half new — and a vCard 3.0 file of `--vcards` cards
(one in ten with a photo), then times in a fresh process each:

1. importing the CSV (parse + dedupe + write, one transaction);
2. importing it again (every row must be skipped);
3. importing the vCards.

Each run prints the wall time, records per second and the process's peak RSS. Uses
the real parsers when they exist (`exchange/formats/csv/linkedin.py`, `vcard/parser.py`), else a
minimal stand-in that yields the same records (flagged in the output).
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DB = "followthrough.sqlite3"
PREAMBLE = (
    "Notes:\r\n"
    '"Addresses are shown only for connections who chose to share their e-mail address '
    'with their connections. Others are left blank."\r\n\r\n'
)
HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]


def prepare(source: Path, scratch: Path, reuse: bool) -> Path:
    """A migrated copy of the bench database in `scratch` (kept as `base.sqlite3`)."""
    scratch.mkdir(parents=True, exist_ok=True)
    base = scratch / "base.sqlite3"
    if not (reuse and base.exists()):
        started = time.perf_counter()
        shutil.copyfile(source / DB, scratch / DB)
        if (source / "secret_key").exists():  # else the copy makes its own when first needed
            shutil.copyfile(source / "secret_key", scratch / "secret_key")
        subprocess.run(  # noqa: S603 (our own script and `followthrough`)
            [sys.executable, "-m", "followthrough", "migrate", "--data-dir", str(scratch)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        shutil.copyfile(scratch / DB, base)
        print(f"copied and migrated the bench database in {time.perf_counter() - started:.1f} s")
    return base


def existing_people(
    db: Path, count: int, seed: int
) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    """(first, last, e-mail, organization, headline) of `count` people with an e-mail,
    and every organization's name."""
    con = sqlite3.connect(db)
    rows = con.execute(
        """
        SELECT p.first_name, p.last_name, c.value, COALESCE(o.name, ''), p.headline
        FROM people_person p
        JOIN people_contactpoint c ON c.person_id = p.id AND c.kind = 'email' AND c.position = 0
        LEFT JOIN people_affiliation a ON a.person_id = p.id AND a.ended_on IS NULL
        LEFT JOIN people_organization o ON o.id = a.organization_id
        GROUP BY p.id
        """
    ).fetchall()
    org_names = [r[0] for r in con.execute("SELECT name FROM people_organization")]
    con.close()
    random.Random(seed).shuffle(rows)
    return rows[:count], org_names


def write_linkedin(path: Path, db: Path, rows: int, seed: int = 7) -> None:
    from bench import vocab

    rng = random.Random(seed)
    known, org_names = existing_people(db, rows // 2, seed)
    day = date(2020, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(PREAMBLE)
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            connected = (day + timedelta(days=rng.randrange(2000))).strftime("%d %b %Y")
            slug = f"bench-{i:06d}-{rng.randrange(16**6):06x}"
            url = f"https://www.linkedin.com/in/{slug}"
            if i % 2 == 0 and known:
                first, last, email, org, headline = known.pop()
                writer.writerow([first, last, url, email, org, headline, connected])
            else:
                first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
                email = f"{slug}@example.net" if rng.random() < 0.3 else ""
                org = rng.choice(org_names) if rng.random() < 0.8 else f"New Venture {i}"
                writer.writerow([first, last, url, email, org, "Program Officer", connected])


def tiny_jpeg() -> bytes:
    """A small real JPEG, so the loader checks and stores photos as it would."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (200, 120, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def write_vcards(path: Path, count: int, seed: int = 11) -> None:
    from bench import vocab

    rng = random.Random(seed)
    photo = base64.b64encode(tiny_jpeg()).decode()
    with path.open("w", newline="", encoding="utf-8") as handle:
        for i in range(count):
            first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
            lines = [
                "BEGIN:VCARD",
                "VERSION:3.0",
                f"UID:bench-card-{i}",
                f"N:{last};{first};;;",
                f"FN:{first} {last}",
                f"ORG:Card Org {i % 500}",
                f"TITLE:Volunteer {i % 7}",
                f"EMAIL;TYPE=INTERNET:card{i}@cards.example",
                f"TEL;TYPE=CELL:+1 555 {i:07d}",
                f"NOTE:Met at the {rng.choice(['spring', 'fall'])} fair",
            ]
            if i % 10 == 0:
                lines.append(f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}")
            lines.append("END:VCARD")
            handle.write("\r\n".join(lines) + "\r\n")


# -- the timed phase, run in its own process -----------------------------------------


def stand_in_records(fmt: str, path: Path) -> Iterator:
    """Records for a format whose parser has not landed yet (same fields it yields)."""
    from followthrough.exchange.formats.records import PersonRecord, Photo

    if fmt == "linkedin":
        with path.open(encoding="utf-8", newline="") as handle:
            for _ in range(4):
                handle.readline()
            for n, row in enumerate(csv.DictReader(handle), start=5):
                yield PersonRecord(
                    line=n,
                    first_name=row["First Name"],
                    last_name=row["Last Name"],
                    emails=[row["Email Address"]] if row["Email Address"] else [],
                    organization=row["Company"],
                    role=row["Position"],
                    external_ids={"linkedin": row["URL"]},
                )
        return
    card: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for n, raw in enumerate(handle, start=1):
            name, _, value = raw.rstrip("\r\n").partition(":")
            if name == "END":
                last, first = card["N"].split(";")[:2]
                photo = card.get("PHOTO;ENCODING=b;TYPE=JPEG")
                yield PersonRecord(
                    line=n,
                    first_name=first,
                    last_name=last,
                    organization=card["ORG"],
                    role=card["TITLE"],
                    emails=[card["EMAIL;TYPE=INTERNET"]],
                    phones=[card["TEL;TYPE=CELL"]],
                    notes=card["NOTE"],
                    photo=Photo(base64.b64decode(photo), "image/jpeg") if photo else None,
                    external_ids={"vcard-uid": card["UID"]},
                )
                card = {}
            else:
                card[name] = value


def memory_mb() -> dict[str, int]:
    """This process's resident memory now (MB): anonymous (Python objects, SQLite's page
    cache) and file-backed (SQLite maps the database file: up to 256 MB of it)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile", "VmHWM"):
            fields[name] = int(value.split()[0]) // 1024
    return fields


def pss_mb() -> int:
    """Proportional set size (MB) of this process and its child processes: memory they
    share is split between them, so the sum is what the import holds of the machine."""
    import multiprocessing

    total = 0
    for pid in ["self", *(str(child.pid) for child in multiprocessing.active_children())]:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))
    return total // 1024


def records_of(fmt: str, path: Path, stream) -> tuple[Iterator, bool]:
    from followthrough.exchange.formats import registry

    try:
        registry.get_parser(fmt)
    except ImportError:
        return stand_in_records(fmt, path), False
    return registry.parse(fmt, stream, registry.ParseOptions()), True


def timed_parse(scratch: Path, fmt: str, path: Path) -> dict:
    """The parser alone (no database), for the loader's share of the import time."""
    from bench.env import setup_django

    setup_django(str(scratch))
    started = time.perf_counter()
    with path.open("rb") as stream:
        records, _real = records_of(fmt, path, stream)
        count = sum(1 for _ in records)
    return {
        "format": fmt,
        "records": count,
        "parse_seconds": round(time.perf_counter() - started, 2),
    }


def timed_import(scratch: Path, fmt: str, path: Path) -> dict:
    from bench.env import setup_django

    setup_django(str(scratch))
    from followthrough.exchange.imports.loader import import_records
    from followthrough.exchange.imports.result import ImportSource
    from followthrough.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug="bench")
    after_setup = memory_mb()
    peak_anon = [after_setup["RssAnon"]]
    peak_pss = [0]

    sampling = [0.0]  # time spent sampling memory, not the import's: taken out below

    def sample(result) -> None:
        begun = time.perf_counter()
        peak_anon[0] = max(peak_anon[0], memory_mb()["RssAnon"])
        peak_pss[0] = max(peak_pss[0], pss_mb())  # ≈ 3 ms: it walks both processes' maps
        sampling[0] += time.perf_counter() - begun

    started = time.perf_counter()
    with path.open("rb") as stream:
        records, real = records_of(fmt, path, stream)
        result = import_records(
            workspace=workspace,
            records=records,
            source=ImportSource(fmt, path.name),
            progress=sample,
        )
    seconds = time.perf_counter() - started - sampling[0]
    return {
        "format": fmt,
        "parser": "real" if real else "stand-in",
        "seconds": round(seconds, 2),
        "records_per_s": round(result.read / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        # The reader process that parses and cleans (exchange/imports/prepare.py), once joined.
        "reader_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "peak_anon_mb": peak_anon[0],
        # This process and its reader together, pages they share counted once (after
        # each batch; the reader's own peak may fall between two samples).
        "peak_pss_both_mb": peak_pss[0],
        "anon_after_setup_mb": after_setup["RssAnon"],
        "totals": result.totals(),
        "suggestions": result.suggestions_total,
        "rows_created": dict(result.rows_created),
    }


def raw_insert_rate(scratch: Path, rows: int = 500_000) -> float:
    """Rows per second of plain `executemany` inserts into a one-index table, in WAL mode
    on the scratch disk: the yardstick the issue's "about 800,000 rows/s" refers to, so
    figures from machines of different speed can be compared (best of three)."""
    path = scratch / "raw-insert.sqlite3"
    values = [(i, f"name {i}", "x" * 20, i % 7) for i in range(rows)]
    best = 0.0
    for _ in range(3):
        path.unlink(missing_ok=True)
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c INT)")
        started = time.perf_counter()
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", values)
        con.commit()
        best = max(best, rows / (time.perf_counter() - started))
        con.close()
    for leftover in scratch.glob("raw-insert.sqlite3*"):
        leftover.unlink()
    return best


def run_phase(scratch: Path, fmt: str, path: Path, kind: str = "import") -> dict:
    # Written files (the database copy, the generated inputs) are flushed first: else the
    # import's checkpoint waits for the kernel to write back hundreds of MB it did not make.
    os.sync()
    out = subprocess.run(  # noqa: S603 (our own script and `followthrough`)
        [
            sys.executable,
            __file__,
            "--phase",
            f"{kind}:{fmt}",
            "--scratch",
            str(scratch),
            "--file",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="The generated bench data directory.")
    parser.add_argument(
        "--scratch",
        default=str(Path(tempfile.gettempdir()) / "ftbench-import"),
        help="Where the copy of the database and the generated files go.",
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--vcards", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="Reuse the migrated copy.")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    scratch = Path(args.scratch)
    if args.phase:
        kind, fmt = args.phase.split(":")
        timed = timed_parse if kind == "parse" else timed_import
        print(json.dumps(timed(scratch, fmt, Path(args.file))))
        return
    if not args.data_dir:
        parser.error("--data-dir is required")
    base = prepare(Path(args.data_dir), scratch, args.reuse)
    shutil.copyfile(base, scratch / DB)
    csv_path, vcf_path = scratch / "Connections.csv", scratch / "cards.vcf"
    write_linkedin(csv_path, base, args.rows)
    write_vcards(vcf_path, args.vcards)
    from bench.bench_pages import _calibration_ms

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"machine speed check: a fixed pure-Python loop takes {_calibration_ms():.1f} ms")
    print(f"raw SQLite: {raw_insert_rate(scratch):,.0f} rows/s (the issue's machine: ≈ 800,000)")
    phases = [
        (f"LinkedIn CSV, {args.rows:,} rows", "linkedin", csv_path),
        ("the same CSV again", "linkedin", csv_path),
    ]
    if args.vcards:
        phases.append((f"vCard 3.0, {args.vcards:,} cards", "vcard", vcf_path))
    for title, fmt, path in phases:
        report = run_phase(scratch, fmt, path)
        print(f"{title}: {json.dumps(report)}")
    for fmt, path in {fmt: path for _, fmt, path in phases}.items():
        print(f"parsing alone: {json.dumps(run_phase(scratch, fmt, path, 'parse'))}")
    print(f"machine speed check: a fixed pure-Python loop takes {_calibration_ms():.1f} ms")


if __name__ == "__main__":
    main()
