"""Time importing a large mbox into the benchmark workspace with the mailbox service.

    python bench/generate.py --data-dir /tmp/ftbench            # the workspace, once
    python bench/bench_mbox_import.py --data-dir /tmp/ftbench [--messages 50000] [--again]

Writes a synthetic mbox of `--messages` messages (≈ 10 kB each, ≈ 500 MB for 50,000:
the bodies of `bench_mbox.py` — Thunderbird and Google Takeout From_ lines, RFC 2047
subjects, plain, HTML and multipart bodies in UTF-8 and Windows-1252, quoted `>From `
lines, one in eight with a 40 kB attachment) whose addresses are those of the `bench`
workspace's people: 40 % sent by its owner to one or two people, 45 % received from
people (two in three answering a sent message by In-Reply-To, some from an address
they have no contact point for), 10 % from unknown addresses, and some drafts, spam and
trash (Gmail labels) and messages without a Message-ID. Then imports it, in a fresh
process, as `followthrough import mbox` does (an `ImportBatch`, with provenance), and
prints the counts, the wall and CPU seconds and the process's peak RSS. `--again`
imports the same file a second time (which must log nothing). The issue's target for
50,000 messages: ≤ 60 s and ≤ 300 MB.

The import writes to the data directory's database: run it on a copy you can throw away
(or undo it: `followthrough import_undo N --data-dir …`).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_mbox import _message as body_message  # noqa: E402

OWNER = "bench1@bench.followthrough.test"


def _addresses(data_dir: str, count: int) -> list[str]:
    """The work e-mail of `count` people of the bench workspace."""
    from bench.env import setup_django

    setup_django(data_dir)
    from followthrough.people.models import ContactPoint

    rows = ContactPoint.objects.filter(
        workspace__slug="bench", kind="email", label="work"
    ).values_list("normalized", flat=True)[:count]
    found = list(rows)
    if not found:
        raise SystemExit("No bench workspace here: run bench/generate.py first.")
    return found


def _headers(rng: random.Random, number: int, people: list[str]) -> tuple[str, str]:
    """(replaced header block, extra labels) for message `number`."""
    person = people[number % len(people)]
    kind = rng.random()
    labels = ""
    if kind < 0.40:
        cc = f"Cc: {rng.choice(people)}\n" if number % 5 == 0 else ""
        return f"From: Bench Owner <{OWNER}>\nTo: <{person}>\n{cc}", "Sent"
    if kind < 0.85:
        sender = person if number % 7 else f"new.{number}@home.example"
        # Answer the sent message written a few messages earlier (to someone, maybe them).
        reply = f"In-Reply-To: <m{max(0, number - 3)}@bench.example>\n" if number % 3 else ""
        return f"From: <{sender}>\nTo: {OWNER}\n{reply}", "Inbox,Opened"
    if kind < 0.95:
        return f"From: <stranger{number % 800}@unknown.example>\nTo: {OWNER}\n", "Inbox"
    labels = rng.choice(["Spam", "Trash", "Drafts"])
    return f"From: <{person}>\nTo: {OWNER}\n", labels


def write_mbox(stream: BinaryIO, count: int, people: list[str], seed: int) -> None:
    rng = random.Random(seed)
    for number in range(count):
        raw = body_message(rng, number, (2000, 8000))
        head, labels = _headers(rng, number, people)
        lines = raw.split(b"\n")
        kept = [
            line
            for line in lines[:12]
            if not line.startswith((b"From: ", b"To: ", b"In-Reply-To: ", b"X-Gmail-Labels:"))
        ]
        if number % 97 == 0:  # some clients leave the Message-ID out
            kept = [line for line in kept if not line.startswith(b"Message-ID:")]
        envelope, rest = kept[0], kept[1:]
        new_head = f"X-Gmail-Labels: {labels}\n{head}".encode().rstrip(b"\n").split(b"\n")
        stream.write(b"\n".join([envelope, *new_head, *rest, *lines[12:]]))


class AnonymousPeak:
    """The process's peak anonymous memory (RssAnon, Linux), sampled twice a second.

    Peak RSS (`ru_maxrss`) also counts the database file's pages SQLite maps into the
    process (`PRAGMA mmap_size`, 256 MB in our settings): page cache the kernel may drop,
    not memory the import holds. Both are printed."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        try:
            text = Path("/proc/self/status").read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("RssAnon:"):
                self.peak_kb = max(self.peak_kb, int(line.split()[1]))

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> AnonymousPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def run_import(data_dir: str, path: Path, again: bool) -> None:
    """In a fresh process: import the file (twice with `again`), print the figures."""
    import resource

    from bench.env import setup_django

    setup_django(data_dir)
    from followthrough.exchange.formats.mail import read_mbox
    from followthrough.exchange.mailbox.files import mail_import_batch
    from followthrough.workspaces.models import Workspace

    workspace = Workspace.objects.get(slug="bench")
    for round_ in range(2 if again else 1):
        started = time.perf_counter()
        cpu = time.process_time()
        with path.open("rb") as stream, AnonymousPeak() as anonymous:
            result = mail_import_batch(
                workspace=workspace, fmt="mbox", filename=path.name, messages=read_mbox(stream)
            )
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'again' if round_ else 'import'} #{result.batch_id}: {result.summary()}")
        print(
            f"  {seconds:.1f} s wall, {time.process_time() - cpu:.1f} s CPU, "
            f"{result.read / seconds:,.0f} messages/s, peak RSS {peak_mb:.0f} MB "
            f"(anonymous {anonymous.peak_kb / 1024:.0f} MB; the rest is the database file "
            "SQLite maps in)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", required=True, help="Data directory with the bench workspace."
    )
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--people", type=int, default=5_000, help="Correspondents (default 5,000).")
    parser.add_argument("--dir", type=Path, help="Write the mbox here (default: a temp dir).")
    parser.add_argument("--again", action="store_true", help="Import the file a second time.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-file", type=Path, help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.import_file:
        run_import(args.data_dir, args.import_file, args.again)
        return
    people = _addresses(args.data_dir, args.people)
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        path = Path(scratch) / "bench.mbox"
        started = time.perf_counter()
        with path.open("wb") as stream:
            write_mbox(stream, args.messages, people, args.seed)
        size_mb = path.stat().st_size / 2**20
        print(
            f"wrote {args.messages:,} messages, {size_mb:.0f} MB, to {len(people):,} people "
            f"in {time.perf_counter() - started:.1f} s"
        )
        command = [
            sys.executable,
            __file__,
            "--data-dir",
            args.data_dir,
            "--import-file",
            str(path),
        ]
        subprocess.run([*command, *(["--again"] if args.again else [])], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
