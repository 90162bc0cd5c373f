"""Fuzzing the parsers: mutated samples of every format fail with the importer's own
`ParseError` and nothing else, or give records of the format's kinds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.exchange.formats.records import (
    EventRecord,
    OrganizationRecord,
    ParseError,
    PersonRecord,
    SkippedRecord,
)
from followthrough.exchange.formats.registry import ParseOptions, get_parser
from tests.exchange.helpers import edits, mutated

DATA = Path(__file__).parent / "data"
ICS_TOKENS = [
    b"\r\n", b"\n", b" ", b":", b";", b"=", b'"', b"\\", b",", b"\x00", b"\xff", b"Z",
    b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n", b"BEGIN:VTIMEZONE\r\n", b"END:VTIMEZONE\r\n",
    b"BEGIN:STANDARD\r\n", b"END:DAYLIGHT\r\n", b"TZID=", b"VALUE=DATE:", b"20240331T023000",
    b"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n", b"DURATION:P1W\r\n", b"RECURRENCE-ID:",
    b"ATTENDEE;", b"\xef\xbb\xbf", b"TZOFFSETTO:+2500\r\n", b"BYDAY=9SU",
    b"00010101T000000", b"99991231", b"X-WR-TIMEZONE:Asia/Tokyo\r\n", b"DTSTART:00010101\r\n",
]  # fmt: skip
VCARD_TOKENS = [
    b"\r\n", b"\n", b" ", b":", b";", b"=", b'"', b"\\", b",", b"\x00", b"\xff",
    b"BEGIN:VCARD\r\n", b"END:VCARD\r\n", b"=\r\n", b"\xef\xbb\xbf", b"--0230",
    b"PHOTO:data:,", b"ENCODING=QUOTED-PRINTABLE:", b"CHARSET=x\x00", b"KIND:group\r\n",
    b"AGENT:\r\n", b"BDAY:", b"ENCODING=b:", b"=C3",
]  # fmt: skip
FORMATS = {
    "ics": (".ics", "ics", ICS_TOKENS, EventRecord | SkippedRecord),
    "vcard": (".vcf", "vcard", VCARD_TOKENS, PersonRecord | OrganizationRecord),
}


def _samples(suffix: str, folder: str) -> list[Path]:
    return sorted(DATA.glob(f"*{suffix}")) + sorted((DATA / folder).glob(f"*{suffix}"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@given(data=st.data())
@settings(max_examples=300, deadline=None)
def test_mutated_samples_fail_only_with_parse_error(fmt, data):
    suffix, folder, tokens, kinds = FORMATS[fmt]
    sample = data.draw(st.sampled_from(_samples(suffix, folder)))
    stream = mutated(sample.read_bytes(), data.draw(edits(tokens)))
    try:
        records = list(get_parser(fmt)(stream, options=ParseOptions()))
    except ParseError:
        return
    assert all(isinstance(r, kinds) for r in records)
