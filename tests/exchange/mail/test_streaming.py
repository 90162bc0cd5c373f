"""The mbox reader streams (memory does not grow with the file) and never crashes."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

from bench.bench_mbox import write_mbox
from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.exchange.formats.mail import MessageRecord, read_eml, read_mbox
from followthrough.exchange.formats.records import ParseError
from tests.exchange.helpers import edits, mutated

DATA = Path(__file__).parent.parent / "data" / "mail"
MAIL_TOKENS = [
    b"\r\n", b"\n", b"\n\n", b" ", b":", b";", b"<", b">", b"@", b'"', b"=?", b"?=", b"\x00",
    b"\xff", b"\xc3", b"\nFrom - Mon Jan 01 00:00:00 2024\n", b"\n>From ", b"From ",
    b"=?utf-8?q?", b"=?koi8-r?b?", b"=?x-unknown?q?a?=", b"boundary=", b"--", b"--b7--",
    b"Content-Type: multipart/mixed; boundary=\"\"\n", b"Content-Transfer-Encoding: base64\n",
    b"charset=", b"Date: ", b"Date: Mon, 99 Foo 99999 99:99:99 +9999\n", b"Message-ID:",
    b"References: <<>>\n", b"From: \"\\\" <@>,,;:\n", b"To: g: a@b, (c) <d@e>;\n",
]  # fmt: skip


def test_reading_keeps_memory_flat_however_many_messages(tmp_path):
    path = tmp_path / "big.mbox"
    with path.open("wb") as stream:
        write_mbox(stream, 2000, seed=3, text_size=(500, 1500))
    size = path.stat().st_size
    assert size > 8 * 2**20  # far above the bound below
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            count = sum(1 for _ in read_mbox(stream))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    assert peak < 3 * 2**20, f"peak {peak / 2**20:.1f} MB for a {size / 2**20:.0f} MB file"


def _samples(suffix: str) -> list[Path]:
    return sorted(DATA.glob(f"*{suffix}"))


@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_mutated_mbox_files_fail_only_with_parse_error(data):
    sample = data.draw(st.sampled_from(_samples(".mbox")))
    stream = mutated(sample.read_bytes(), data.draw(edits(MAIL_TOKENS)))
    try:
        records = list(read_mbox(stream))
    except ParseError:
        return
    assert all(isinstance(r, MessageRecord) for r in records)
    assert all(w.startswith(f"message {r.index} (line ") for r in records for w in r.warnings)


@given(data=st.data())
@settings(max_examples=150, deadline=None)
def test_mutated_eml_files_always_give_one_record(data):
    sample = data.draw(st.sampled_from(_samples(".eml")))
    stream = mutated(sample.read_bytes(), data.draw(edits(MAIL_TOKENS)))
    (record,) = read_eml(stream)
    assert record.message_id


@given(body=st.binary(max_size=2000))
@settings(max_examples=150, deadline=None)
def test_garbage_after_a_from_line_never_crashes(body):
    raw = b"From - Mon Jan 01 00:00:00 2024\n" + body
    records = list(read_mbox(io.BytesIO(raw)))
    assert records and all(isinstance(r, MessageRecord) for r in records)
    (record,) = read_eml(io.BytesIO(body))
    assert record.index == 1
