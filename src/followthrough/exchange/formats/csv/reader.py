"""The reader every CSV parser shares: bytes in, rows with their real line numbers out.

What it promises:

- **Decoding, streamed.** A UTF-8 BOM means UTF-8; a UTF-16 BOM (LE or BE; Google's old
  exports) means UTF-16, as does a BOM-less file whose every other byte is NUL. Anything
  else is read as UTF-8 until a byte sequence is not UTF-8: if all that came before was
  ASCII, the rest is read as Windows-1252 (the "ANSI" of European Excel), otherwise the
  file mixes encodings and a `ParseError` names the line. Never mojibake.
- **Not a CSV file at all** (empty, binary, a ZIP/Excel workbook, a PDF or image, an HTML
  page, a vCard or iCalendar file) gives a `ParseError` saying what the file seems to be.
- **The header is found by its column names**, within the first `HEADER_SEARCH_LINES`
  lines, so preambles (LinkedIn's "Notes:") are skipped. Names match case-, space- and
  punctuation-insensitively (`E-mail Address` = `email address`) and never by position.
  The delimiter (`,` `;` tab `|`) is the one that makes the header line match best.
- **Rows** carry the file's physical line number where they start (preamble and quoted
  newlines included). Extra cells are ignored; a row that ends before a required column is
  a `ParseError` naming that column; blank rows are skipped; NUL characters are dropped.
- **Limits:** a cell over `FIELD_LIMIT` characters, or a physical line over `LINE_LIMIT`,
  is a `ParseError` naming the line, so memory stays bounded whatever the input.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO, TypeVar

from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import ParseError, RowProblem
from followthrough.exchange.formats.text import binary_kind

FIELD_LIMIT = 1_000_000  # characters in one cell
LINE_LIMIT = 8_000_000  # characters in one physical line
HEADER_SEARCH_LINES = 50
CHUNK_SIZE = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")

_UTF8_OR_CP1252 = "utf-8, else windows-1252"
# What to do with a file `text.binary_kind` recognizes, when there is something to do.
_BINARY_ADVICE = {
    b"PK\x03\x04": "save it as CSV first",
    b"\xd0\xcf\x11\xe0": "save it as CSV first",
    b"\x1f\x8b": "unpack it first",
}
_TEXT_LOOKALIKES = (
    (("<!doctype html", "<html", "<head", "<body"), "a web page (HTML), not a CSV export"),
    (("<?xml",), "an XML file, not a CSV export"),
    (("begin:vcard",), "a vCard file; import it with the vCard format"),
    (("begin:vcalendar",), "an iCalendar file; import it with the iCalendar format"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LINE = re.compile(r"[^\n]*\n")

T = TypeVar("T")


def normalize_header(name: str) -> str:
    """A header name reduced for matching: case-folded, letters and digits only."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


# --- Decoding -------------------------------------------------------------------------


def _read_head(stream: BinaryIO) -> bytes:
    """Up to `CHUNK_SIZE` bytes from the start (streams may return short reads)."""
    parts: list[bytes] = []
    size = 0
    while size < CHUNK_SIZE:
        part = stream.read(CHUNK_SIZE - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _sniff_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a file from its first bytes, and the length of its BOM."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0  # the utf-16 decoder reads (and drops) the BOM itself
    sample = head[:2000]
    half = len(sample) // 2
    if half >= 2:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
            return "utf-16-le", 0
        if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
            return "utf-16-be", 0
    return _UTF8_OR_CP1252, 0


def _check_text(head: bytes, encoding: str) -> None:
    """Refuse what is plainly not a CSV file, saying what it seems to be."""
    if what := binary_kind(head):
        advice = next((f"; {a}" for m, a in _BINARY_ADVICE.items() if head.startswith(m)), "")
        raise ParseError(f"This is not a CSV file: it looks like {what}{advice}.")
    codec = encoding if encoding.startswith("utf-16") else "latin-1"
    sample = head.decode(codec, errors="replace").lstrip("\ufeff")
    if not sample.strip():
        raise ParseError("The file is empty.")
    start = sample.lstrip()[:40].lower()
    for prefixes, what in _TEXT_LOOKALIKES:
        if start.startswith(prefixes):
            raise ParseError(f"This is not a CSV file: it looks like {what}.")
    if len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        raise ParseError("This is not a CSV file: it holds binary data, not text.")


class _Decoder:
    """Incremental decoding; for `_UTF8_OR_CP1252`, UTF-8 until it fails on ASCII-only
    text so far, then Windows-1252. Counts newlines so errors can name the line."""

    def __init__(self, encoding: str) -> None:
        self._guessing = encoding == _UTF8_OR_CP1252
        self.encoding = "utf-8" if self._guessing else encoding
        self._inner = codecs.getincrementaldecoder(self.encoding)()
        self._ascii_so_far = True
        self.line = 1

    def decode(self, data: bytes, final: bool = False) -> str:
        try:
            text = self._inner.decode(data, final)
        except UnicodeDecodeError as exc:
            text = self._fall_back(exc, final)
        if self._ascii_so_far and not text.isascii():
            self._ascii_so_far = False
        self.line += text.count("\n")
        return text

    def _fall_back(self, exc: UnicodeDecodeError, final: bool) -> str:
        before = exc.object[: exc.start]
        line = self.line + before.count(b"\n")
        byte = exc.object[exc.start]
        if not (self._guessing and self._ascii_so_far and before.isascii()):
            raise ParseError(
                f"The file is not valid {self.encoding.upper()} text here (byte 0x{byte:02X}): "
                "it seems to mix encodings. Save it again as UTF-8.",
                line=line,
            ) from None
        self._guessing = False
        self.encoding = "cp1252"
        self._inner = codecs.getincrementaldecoder("cp1252")()
        try:
            return self._inner.decode(exc.object, final)
        except UnicodeDecodeError as second:
            bad = second.object[second.start]
            raise ParseError(
                f"The file is not text in UTF-8, UTF-16 or Windows-1252 (byte 0x{bad:02X}).",
                line=self.line + second.object[: second.start].count(b"\n"),
            ) from None


def _text_chunks(stream: BinaryIO, head: bytes, decoder: _Decoder) -> Iterator[str]:
    data = head
    while data:
        yield decoder.decode(data)
        data = stream.read(CHUNK_SIZE)
    yield decoder.decode(b"", final=True)


def _physical_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Split text into physical lines, each ending in LF: CRLF and lone CR (old Macs)
    become LF here, so line breaks inside quoted cells come out as LF too."""
    pending = ""
    count = 0
    for chunk in chunks:
        if "\x00" in chunk:
            chunk = chunk.replace("\x00", "")
        if "\n" not in chunk and "\r" not in chunk:
            pending += chunk  # the middle of a long line: nothing to split yet
        else:
            text = pending + chunk if pending else chunk
            held = ""
            if "\r" in text:
                if text[-1] == "\r":  # its LF may start the next chunk
                    text, held = text[:-1], "\r"
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            end = text.rfind("\n") + 1
            lines = _LINE.findall(text, 0, end)
            count += len(lines)
            yield from lines
            pending = text[end:] + held
        if len(pending) > LINE_LIMIT:
            raise ParseError(f"The line is longer than {LINE_LIMIT:,} characters.", line=count + 1)
    if pending:
        text = pending.replace("\r\n", "\n").replace("\r", "\n")
        end = text.rfind("\n") + 1
        yield from _LINE.findall(text, 0, end)
        if text[end:]:
            yield text[end:]


def decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """The physical lines of a binary stream, decoded lazily; refuses non-text files."""
    head = _read_head(stream)
    encoding, bom = _sniff_encoding(head)
    _check_text(head[bom:], encoding)
    return _physical_lines(_text_chunks(stream, head[bom:], _Decoder(encoding)))


# --- The table: header and rows -----------------------------------------------------


@dataclass
class Header:
    names: list[str]  # as the file spells them
    line: int
    delimiter: str

    def normalized(self) -> list[str]:
        return [normalize_header(name) for name in self.names]


def _split_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _score(line: str, known: frozenset[str]) -> tuple[int, str, list[str]]:
    """How many known column names a line holds, with the delimiter that shows most."""
    best: tuple[int, str, list[str]] = (0, ",", [])
    for delimiter in DELIMITERS:
        if delimiter not in line and delimiter != ",":
            continue
        cells = _split_line(line, delimiter)
        hits = len({normalize_header(cell) for cell in cells} & known)
        if hits > best[0]:
            best = (hits, delimiter, cells)
    return best


def find_header(
    lines: Iterator[str], known: frozenset[str], min_known: int, expected: Sequence[str] = ()
) -> tuple[Header, Iterator[str]]:
    """The first line holding at least `min_known` known names (else the best line seen
    in the first `HEADER_SEARCH_LINES`, so the caller can name what is missing), and the
    lines that follow it."""
    best: Header | None = None
    best_hits = 0
    after_best: list[str] = []
    for number, line in enumerate(lines, start=1):
        hits, delimiter, cells = _score(line.rstrip("\r\n"), known)
        if hits > best_hits:
            best, best_hits = Header([cell.strip() for cell in cells], number, delimiter), hits
            after_best = []
            if hits >= min_known:
                return best, lines
        else:
            after_best.append(line)
        if number >= HEADER_SEARCH_LINES:
            break
    if best is None:
        sample = ", ".join(f"“{name}”" for name in (expected or sorted(known))[:5])
        raise ParseError(
            "No header row found: none of the first lines names the expected columns "
            f"(such as {sample}). Is this the right format?"
        )
    return best, itertools.chain(after_best, lines)


class Row:
    """One data row: its cells, the line it starts on, and lookup by column key.

    `cells` holds exactly one cell per header column plus a final "" (short rows are
    padded, extra cells dropped), so a missing column can point at that last cell."""

    __slots__ = ("cells", "line", "table")

    def __init__(self, table: Table, cells: list[str], line: int) -> None:
        self.table = table
        self.cells = cells
        self.line = line

    def at(self, index: int | None) -> str:
        """The stripped cell at `index`; "" when the file has no such column."""
        if index is None:
            return ""
        return self.cells[index].strip()

    def get(self, key: str) -> str:
        """The stripped cell of column `key`; "" when the file lacks it or the row is short."""
        return self.cells[self.table.index.get(key, -1)].strip()

    def error(self, key: str | int, message: str) -> ParseError:
        """A `ParseError` at this row's line, naming the column as the file spells it."""
        return ParseError(message, line=self.line, field=self.table.name_of(key))


class Table:
    """A CSV file with its header found: `index` maps each column key the parser declared
    to the position of its column in this file; iterating gives the data `Row`s."""

    def __init__(self, lines: Iterator[str], header: Header) -> None:
        self._lines = lines
        self.header = header
        self.width = len(header.names)
        self.index: dict[str, int] = {}
        self.normalized = header.normalized()
        # normalized header name → position of its first column
        self.positions: dict[str, int] = {}
        for position, name in enumerate(self.normalized):
            self.positions.setdefault(name, position)
        self._required: list[tuple[int, str]] = []

    def name_of(self, key: str | int) -> str:
        position = self.index.get(key) if isinstance(key, str) else key
        if position is None or not 0 <= position < self.width:
            return str(key)
        return self.header.names[position]

    def require(self, keys: Sequence[str]) -> None:
        """Make rows that end before any of these (resolved) columns a `ParseError`."""
        self._required = sorted({*self._required, *((self.index[key], key) for key in keys)})

    def error(self, message: str, field: str = "") -> ParseError:
        """A `ParseError` about the header itself."""
        return ParseError(message, line=self.header.line, field=field)

    def fields(self, *keys: str) -> Callable[[Row], list[str]]:
        """A fast reader of several columns at once: `row → [stripped cell per key]`."""
        getter = operator.itemgetter(*(self.index.get(key, -1) for key in keys), -1)
        strip = str.strip

        def read(row: Row) -> list[str]:
            return list(map(strip, getter(row.cells)[:-1]))  # the last is the padding

        return read

    def __iter__(self) -> Iterator[Row]:
        reader = csv.reader(self._lines, delimiter=self.header.delimiter, strict=True)
        base, width = self.header.line, self.width
        consumed = 0
        min_cells = self._required[-1][0] + 1 if self._required else 0
        try:
            for cells in reader:
                line = base + consumed + 1
                consumed = reader.line_num
                if not cells or (not cells[0].strip() and not "".join(cells).strip()):
                    continue
                if len(cells) < min_cells:
                    self._short_row(cells, line)
                if len(cells) != width:
                    del cells[width:]
                    cells.extend([""] * (width - len(cells)))
                cells.append("")
                yield Row(self, cells, line)
        except csv.Error as exc:
            raise ParseError(_csv_message(exc), line=base + consumed + 1) from None

    def _short_row(self, cells: list[str], line: int) -> None:
        for position, key in self._required:
            if position >= len(cells):
                raise ParseError(
                    f"The row ends after {len(cells)} cells, before the “{self.name_of(key)}” "
                    f"column (the header has {self.width}).",
                    line=line,
                    field=self.name_of(key),
                )


def _csv_message(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return f"A cell is longer than the limit of {FIELD_LIMIT:,} characters."
    if "unexpected end of data" in text:
        return 'A quoted cell that starts on this line is never closed (a missing “"”).'
    if "expected after" in text:
        return (
            "Text follows a closing quote in this row; quote the whole cell and double any "
            'quote inside it ("").'
        )
    return f"The row is not valid CSV ({text})."


def open_table(
    stream: BinaryIO,
    columns: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str] = (),
    min_known: int = 2,
) -> Table:
    """Decode `stream`, find its header and resolve `columns` ({key: header aliases}, the
    preferred alias first). A `required` key missing from the header is a `ParseError`."""
    csv.field_size_limit(FIELD_LIMIT)
    aliases = {key: [normalize_header(alias) for alias in names] for key, names in columns.items()}
    known = frozenset(alias for names in aliases.values() for alias in names)
    expected = [names[0] for names in columns.values()]
    header, lines = find_header(decoded_lines(stream), known, min_known, expected)
    table = Table(lines, header)
    for key, names in aliases.items():
        found = next((table.positions[name] for name in names if name in table.positions), None)
        if found is not None:
            table.index[key] = found
    for key in required:
        if key not in table.index:
            name = columns[key][0]
            raise table.error(f"The header has no “{name}” column.", field=name)
    table.require(required)
    return table


# Columns only one platform's export has (normalized). A file with another platform's
# and none of the chosen format's is refused rather than half read: a LinkedIn file read
# as Google's would lose its profile links, companies and positions without a word.
MARKERS: dict[str, tuple[str, frozenset[str]]] = {
    "linkedin": ("a LinkedIn Connections.csv", frozenset({"connectedon"})),
    "google": (
        "a Google Contacts",
        frozenset({"email1value", "phone1value", "groupmembership", "givenname"}),
    ),
    "outlook": (
        "an Outlook",
        frozenset({"businessphone", "email2address", "emaildisplayname", "givenyomi"}),
    ),
    "eventbrite": ("an Eventbrite attendee", frozenset({"attendee", "order", "tickettype"})),
    # Our organizations export's own columns; a people export has none of them.
    "organizations": (
        "an organizations",
        frozenset({"focusareas", "mission", "offers", "needs", "newsfeed"}),
    ),
}


def refuse_other_format(table: Table, fmt: str) -> None:
    """`ParseError` when the header has another format's marker columns (`MARKERS`) and
    none of `fmt`'s, naming the format to choose instead."""
    names = set(table.normalized)
    if names & MARKERS[fmt][1]:
        return
    for other, (label, markers) in MARKERS.items():
        found = [table.header.names[i] for i, n in enumerate(table.normalized) if n in markers]
        if other != fmt and found:
            article = "an" if found[0][:1] in "AEIOaeio" else "a"
            raise table.error(
                f"This looks like {label} export (it has {article} “{found[0]}” column), not "
                f"{MARKERS[fmt][0]} one: choose the {registry.label(other)} format ({other}).",
                field=found[0],
            )


def rows_of(table: Table, make: Callable[[Row], T | None]) -> Iterator[T | RowProblem]:
    """`make(row)` for every row of `table` (None: a row with nothing to import). A row
    it refuses with a `ParseError` becomes a `RowProblem` and the rows after it are
    still read, so a failed import names every bad row, not only the first."""
    for row in table:
        try:
            record = make(row)
        except ParseError as error:
            yield RowProblem(error.line, error.field, error.message)
            continue
        if record is not None:
            yield record


def require_records(records: Iterable[T], what: str) -> Iterator[T]:
    """Pass `records` through; a file that gave none is a `ParseError`, never a success."""
    count = 0
    for record in records:
        count += 1
        yield record
    if not count:
        raise ParseError(
            f"No {what} found in the file: it has a header but no row with anything to import."
        )
