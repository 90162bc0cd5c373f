"""Reading the lines of a text file that may come in any of the encodings users bring.

Shared by the vCard and iCalendar parsers: both read a stream line by line (so memory
stays flat), need the 1-based line number of every line for their errors, and meet the
same encodings: UTF-8 with or without a BOM, UTF-16 with a BOM (or without one, when
the file is plain ASCII text in UTF-16), and legacy single-byte files (Windows-1252)
mixed into UTF-8 ones.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from followthrough.exchange.formats.records import ParseError

CHUNK = 64 * 1024

# Control characters a database or a page must not get: every C0 control but tab and
# newline, and DEL. (PostgreSQL refuses NUL in text.)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Decoder = Callable[[bytes], str]

# The first bytes of files people upload by mistake, and what they are.
BINARY_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or a ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
)


def binary_kind(head: bytes) -> str:
    """What a file starting with `head` (its first 4 bytes suffice) plainly is when it
    is not text at all ("a PNG image"), else ""."""
    return next((what for magic, what in BINARY_MAGIC if head.startswith(magic)), "")


def decode_utf8_or_cp1252(raw: bytes) -> str:
    """A line as UTF-8; a line that is not valid UTF-8 is a legacy Windows-1252 one.

    Windows-1252 leaves five bytes undefined; those few lines are read as Latin-1,
    which maps every byte, so no line ever fails to decode.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode_with_charset(raw: bytes, charset: str) -> str:
    """Bytes in a declared charset (vCard 2.1 `CHARSET=`), falling back to UTF-8, then
    Windows-1252, when the charset is unknown or the bytes are not in it."""
    if charset:
        try:
            return raw.decode(codecs.lookup(charset).name)
        except (LookupError, ValueError):  # unknown, not a text codec, not in it
            pass
    return decode_utf8_or_cp1252(raw)


def clean_text(value: str) -> str:
    """A value fit to store: line ends as `\\n`, no control characters but tab and newline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", value)


def _sniff(head: bytes) -> tuple[str, int]:
    """The encoding a file's first bytes show, and the length of its byte order mark."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", 0  # the utf-32 codec reads and drops the BOM itself
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] and head[2]:
        return "utf-16-le", 0  # ASCII text in UTF-16 without a BOM: "B\0E\0"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] and head[3]:
        return "utf-16-be", 0
    return "", 0


def _too_long(number: int, max_line: int) -> ParseError:
    return ParseError(
        f"the line is longer than {max_line:,} characters; is this a text file?", line=number
    )


def read_lines(
    stream: BinaryIO,
    *,
    max_line: int,
    decode: Decoder = decode_utf8_or_cp1252,
    what: str = "a text file",
) -> Iterator[tuple[int, str]]:
    """The physical lines of a file as `(line number, text)`, read in chunks.

    Lines end at LF (a CR before it is dropped; a lone CR stays in the line, for the
    caller's unfolding to treat as text). A byte order mark is dropped. Byte files are
    decoded line by line with `decode`; UTF-16/32 files with their codec. A line longer
    than `max_line` characters raises `ParseError` before it is held whole in memory.
    An image, PDF or archive is refused at once, saying it is not `what` but that.
    """
    head = b""
    while len(head) < 4:
        chunk = stream.read(4 - len(head))
        if not chunk:
            break
        head += chunk
    if kind := binary_kind(head):
        raise ParseError(f"This is not {what}: it looks like {kind}.", line=1)
    encoding, bom = _sniff(head)
    if encoding in ("", "utf-8"):
        yield from _byte_lines(head[bom:], stream, max_line, decode)
    else:
        yield from _text_lines(head[bom:], stream, max_line, encoding)


def _byte_lines(
    start: bytes, stream: BinaryIO, max_line: int, decode: Decoder
) -> Iterator[tuple[int, str]]:
    number = 0
    pending: list[bytes] = [start]  # the start of a line whose end is not read yet
    size = len(start)
    while chunk := stream.read(CHUNK):
        parts = chunk.split(b"\n")
        if len(parts) > 1:
            parts[0] = b"".join([*pending, parts[0]])
            pending, size = [], 0
        tail = parts.pop()
        for raw in parts:
            number += 1
            if len(raw) > max_line:
                raise _too_long(number, max_line)
            yield number, decode(raw.removesuffix(b"\r")).lstrip("\ufeff")
        pending.append(tail)
        size += len(tail)
        if size > max_line:
            raise _too_long(number + 1, max_line)
    last = b"".join(pending)
    if last:
        yield number + 1, decode(last.removesuffix(b"\r")).lstrip("\ufeff")


def _text_lines(
    start: bytes, stream: BinaryIO, max_line: int, encoding: str
) -> Iterator[tuple[int, str]]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    number = 0
    pending: list[str] = []
    size = 0
    raw = start
    try:
        while True:
            chunk = stream.read(CHUNK)
            parts = decoder.decode(raw + chunk, final=not chunk).split("\n")
            raw = b""
            if len(parts) > 1:
                parts[0] = "".join([*pending, parts[0]])
                pending, size = [], 0
            tail = parts.pop()
            for line in parts:
                number += 1
                if len(line) > max_line:
                    raise _too_long(number, max_line)
                yield number, line.removesuffix("\r").lstrip("\ufeff")
            pending.append(tail)
            size += len(tail)
            if size > max_line:
                raise _too_long(number + 1, max_line)
            if not chunk:
                break
    except UnicodeDecodeError as error:
        raise ParseError(
            f"the file looks like {encoding.upper()} but is not valid {encoding.upper()}",
            line=number + 1,
        ) from error
    last = "".join(pending)
    if last:
        yield number + 1, last.removesuffix("\r").lstrip("\ufeff")
