"""Splitting an mbox file into the bytes of its messages, streamed.

The file is read line by line and one message is held at a time (at most `MAX_KEPT`
bytes of it), so memory stays flat however many messages the file holds. A message
starts at a From_ line (`From ` at the start of the file or after a blank line, with a
sender and a time, as Thunderbird, Google Takeout, mutt and Apple Mail write them:
`From - Mon Jan 01 00:00:00 2024`, `From 1234@xxx Mon Jan 01 00:00:00 +0000 2024`). The
blank line before a From_ line belongs to the separator, and a body line quoted as
`>From ` (mboxrd and mboxo alike) loses one `>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.formats.text import binary_kind

MAX_LINE = 64 * 1024  # bytes read at once; a longer line comes in pieces
MAX_KEPT = 8 * 1024 * 1024  # bytes of one message kept for parsing (text comes first)

_FROM_LINE = re.compile(rb"From \S+[ \t].*\d{1,2}:\d{2}")
_QUOTED_FROM = re.compile(rb">+From ")


@dataclass
class RawMessage:
    index: int  # 1-based
    line: int  # of its From_ line
    offset: int  # byte offset of its From_ line
    data: bytes  # without the From_ line, at most MAX_KEPT bytes
    size: int  # bytes of the whole message
    ends_with_newline: bool


def is_from_line(line: bytes) -> bool:
    return line.startswith(b"From ") and _FROM_LINE.match(line) is not None


def split_mbox(stream: BinaryIO) -> Iterator[RawMessage]:
    """The messages of an mbox file, one at a time. `ParseError` when the file is no
    mbox at all (text before the first From_ line, an archive)."""
    chunks = iter(partial(stream.readline, MAX_LINE), b"")
    index = line_number = offset = 0
    current: RawMessage | None = None
    kept: list[bytes] = []
    held_blank = b""  # a blank line that may be the separator before a From_ line
    at_line_start = True
    for chunk in chunks:
        line_start, at_line_start = at_line_start, chunk.endswith(b"\n")
        if line_start:
            line_number += 1
        start, offset = offset, offset + len(chunk)
        if line_start and is_from_line(chunk) and (current is None or held_blank):
            if current is not None:
                yield _finish(current, kept, ends_with_newline=True)
            index += 1
            current, kept, held_blank = RawMessage(index, line_number, start, b"", 0, True), [], b""
            continue
        if current is None:
            if chunk.strip():
                raise ParseError(_not_mbox(chunk), line=line_number)
            continue
        if held_blank:
            _keep(current, kept, held_blank)
            held_blank = b""
        if line_start and chunk in (b"\n", b"\r\n"):
            held_blank = chunk
            continue
        if line_start and chunk.startswith(b">") and _QUOTED_FROM.match(chunk):
            chunk = chunk[1:]
        _keep(current, kept, chunk)
    if current is not None:
        if held_blank:
            _keep(current, kept, held_blank)
        yield _finish(current, kept, ends_with_newline=at_line_start)


def _keep(message: RawMessage, kept: list[bytes], chunk: bytes) -> None:
    if message.size < MAX_KEPT:
        kept.append(chunk[: MAX_KEPT - message.size])
    message.size += len(chunk)


def _finish(message: RawMessage, kept: list[bytes], *, ends_with_newline: bool) -> RawMessage:
    message.data = b"".join(kept)
    message.ends_with_newline = ends_with_newline
    return message


def _not_mbox(first: bytes) -> str:
    kind = binary_kind(first[:4])
    if kind == "a gzip archive" or kind.endswith("ZIP archive"):
        return (
            f"this is {kind}, not an mbox file: unpack it (a Google Takeout download holds "
            "the .mbox file inside) and import the .mbox"
        )
    if kind:
        return f"this is {kind}, not an mbox file"
    if b":" in first.split(b" ", 1)[0]:
        return (
            "an mbox file starts with a “From ” line; this looks like one message: "
            "import it as .eml"
        )
    return "an mbox file starts with a “From ” line (sender and date); this file does not"
