"""Time reading a large mbox file with `exchange.formats.mail.read_mbox`.

    python bench/bench_mbox.py [--messages 50000] [--dir DIR] [--keep] [--seed 1]

Writes a synthetic mbox of `--messages` messages (≈ 10 kB each on average, ≈ 500 MB for
50,000: Thunderbird and Google Takeout From_ lines, RFC 2047 subjects, plain, HTML and
multipart/alternative bodies in UTF-8 and Windows-1252, quoted `>From ` lines, one in
eight with a 40 kB base64 attachment) into a temporary directory (or `--dir`), then
reads it in a fresh process and prints the messages read, the wall and CPU seconds,
messages per second and the reading process's peak RSS (`ru_maxrss`). The issue's
target for 50,000 messages: ≤ 60 s and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import base64
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "partner", "volunteer", "coffee", "follow", "up", "mission", "grant", "board", "meeting",
    "thanks", "event", "community", "tutoring", "food", "bank", "shelter", "youth", "literacy",
    "donation", "next", "week", "call", "introduce", "organization", "program", "outreach",
    "Müller", "café", "résumé", "naïve",
]  # fmt: skip


def _paragraphs(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
        if rng.random() < 0.08:
            words.append("\n\nFrom the desk of the director,\n" if rng.random() < 0.1 else "\n")
    return " ".join(words)


def _message(rng: random.Random, number: int, text_size: tuple[int, int]) -> bytes:
    when = f"Mon, {1 + number % 28:02d} Jan 2024 {number % 24:02d}:{number % 60:02d}:00 +0100"
    if number % 2:
        envelope = f"From 1785{number:015d}@xxx Mon Jan 01 00:00:00 +0000 2024\n"
        extra = f"X-GM-THRID: 1785{number // 3:015d}\nX-Gmail-Labels: Inbox,Opened\n"
    else:
        envelope = "From - Mon Jan 01 00:00:00 2024\n"
        extra = "X-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n"
    subject = base64.b64encode(f"Über {number}".encode()).decode()
    sender = f"=?utf-8?q?J=C3=BCrgen_{number}?= <person{number % 5000}@Example.org>"
    head = (
        f"{extra}Message-ID: <m{number}@bench.example>\n"
        + (f"In-Reply-To: <m{number - 1}@bench.example>\n" if number % 3 else "")
        + f"Date: {when}\nFrom: {sender}\nTo: team@example.org\n"
        f"Subject: =?utf-8?b?{subject}?=\nMIME-Version: 1.0\n"
    )
    text = _paragraphs(rng, rng.randint(*text_size))
    if number % 8 == 0:
        attachment = base64.encodebytes(rng.randbytes(30000)).decode()
        body = (
            'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
            f"{text}\n--b1\nContent-Type: application/pdf; name=a.pdf\n"
            f"Content-Transfer-Encoding: base64\n\n{attachment}--b1--\n"
        )
        raw = body.encode()
    elif number % 8 == 1:
        body = (
            'Content-Type: multipart/alternative; boundary="b2"\n\n--b2\n'
            "Content-Type: text/plain; charset=windows-1252\n\n"
            f"{text}\n--b2\nContent-Type: text/html; charset=windows-1252\n\n"
            f"<html><body><p>{text}</p></body></html>\n--b2--\n"
        )
        raw = body.encode("cp1252")
    else:
        raw = f"Content-Type: text/plain; charset=utf-8\n\n{text}\n".encode()
    quoted = raw.replace(b"\nFrom ", b"\n>From ")
    return envelope.encode() + head.encode() + quoted + b"\n"


def write_mbox(
    stream: BinaryIO, count: int, seed: int, text_size: tuple[int, int] = (2000, 8000)
) -> None:
    """`count` messages; each text between `text_size` characters long."""
    rng = random.Random(seed)
    for number in range(count):
        stream.write(_message(rng, number, text_size))


def read(path: Path) -> None:
    """Run in a fresh process: read the file, print count, seconds and peak RSS."""
    import resource

    sys.path.insert(0, str(ROOT / "src"))
    from followthrough.exchange.formats.mail import read_mbox

    started = time.perf_counter()
    count = warned = 0
    with path.open("rb") as stream:
        for message in read_mbox(stream):
            count += 1
            warned += bool(message.warnings)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    print(f"read {count:,} messages ({warned:,} with warnings) in {seconds:.1f} s")
    # CPU time says what the wall time would be on an idle machine (one core is used).
    print(
        f"{count / seconds:,.0f} messages/s; CPU {usage.ru_utime + usage.ru_stime:.1f} s; "
        f"peak RSS {peak_mb:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--dir", type=Path, help="write the mbox here (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--read", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.read:
        read(args.read)
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        path = Path(scratch) / "bench.mbox"
        started = time.perf_counter()
        with path.open("wb") as stream:
            write_mbox(stream, args.messages, args.seed)
        size_mb = path.stat().st_size / 2**20
        seconds = time.perf_counter() - started
        print(f"wrote {args.messages:,} messages, {size_mb:.0f} MB, in {seconds:.1f} s")
        subprocess.run([sys.executable, __file__, "--read", str(path)], check=True)  # noqa: S603
        if args.keep:
            kept = (args.dir or Path.cwd()) / "bench.mbox"
            path.replace(kept)
            print(f"kept {kept}")


if __name__ == "__main__":
    main()
