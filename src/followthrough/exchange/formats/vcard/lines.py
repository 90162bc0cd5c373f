"""Reading a .vcf file into cards of content lines, for `vcard`: decoding each line
(UTF-8, a 2.1 `CHARSET=`, else Windows-1252), unfolding (folded lines, 2.1
quoted-printable soft breaks, base64 and URLs that go on without the leading space),
splitting a line into group, name, parameters and value, and decoding the values that
are read with vobject. Only the properties in `_KEPT` go to vobject; every other
property of the card is handed back as written (`card_props`'s third list, read by
`address_book` or kept verbatim), so its oddities cannot fail an import. A legacy name
vCard does not allow (`X-messaging/twitter-All`) is read like any other name; a line
folded without its leading space after a property that is not read (Apple's long X-
lines) is read as the rest of that property's value with a warning on the card
(`Card.warnings`), and a property that is not read whose parameters are beyond reading
is left out with a warning. As Android's reader does, a comment line (`# …`) is left
out and a 2.1 value ending in a lone backslash goes on in the next line (a line break
of the value), each with a warning.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import vobject

from followthrough.exchange.formats.records import ParseError
from followthrough.exchange.formats.text import (
    decode_utf8_or_cp1252,
    decode_with_charset,
    read_lines,
)

MAX_CARD = 10 * 1024 * 1024  # characters in one card

# The properties vobject reads. Everything else (X-…, LABEL, KEY, GEO, …) never reaches
# vobject, so its oddities cannot fail an import (`address_book` reads or keeps it).
_STRUCTURED = frozenset({"N", "ADR", "ORG"})
_KEPT = _STRUCTURED | frozenset(
    {
        "FN", "TITLE", "ROLE", "NOTE", "UID", "KIND", "EMAIL", "TEL", "URL", "BDAY",
        "RELATED", "CATEGORIES", "X-ABSHOWAS", "X-ADDRESSBOOKSERVER-KIND",
    }
)  # fmt: skip
# Properties whose value is a comma-separated list (RFC 6350 3.4, RFC 2426 4).
_LISTS = frozenset({"CATEGORIES"})
# A comma after an even number of backslashes (none escaping it).
_UNESCAPED_COMMA = re.compile(r"(?<!\\)((?:\\\\)*),")
# Properties whose value may go on over lines without the leading space (base64, URLs).
_BINARY = frozenset({"PHOTO", "LOGO", "SOUND", "KEY"})
_NAME = re.compile(r"(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9_-]+)(?=[;:])")
# An extension name with characters vCard does not allow (`X-messaging/twitter-All`).
_LEGACY_NAME = re.compile(r"(X-[^\s:;=\"]+)(?=[;:])", re.IGNORECASE)
_CHARSET = re.compile(rb";\s*CHARSET=([A-Za-z0-9_.:-]+)", re.IGNORECASE)


@dataclass
class Line:
    """One logical (unfolded) line and the physical line it starts on."""

    number: int
    text: str


@dataclass
class Card:
    line: int
    lines: list[Line] = field(default_factory=list)
    # What was repaired or left out of the card, each naming its line (for the result).
    warnings: list[str] = field(default_factory=list)


@dataclass
class Prop:
    """A content line: `group.NAME;PARAM=v,…:value`, with the line it came from."""

    number: int
    name: str  # upper-cased, without the group
    params: dict[str, list[str]]
    value: str
    parsed: Any = None  # what vobject made of the value
    more: list[str] = field(default_factory=list)  # lines that continue the value
    group: str = ""  # Apple's `item1` of `item1.EMAIL`, as written
    written: str = ""  # the name as written, with its group (`item1.EMAIL`)
    raw_params: list[str] = field(default_factory=list)  # each parameter as written

    def param(self, name: str) -> str:
        values = self.params.get(name, [])
        return values[0] if values else ""

    def types(self) -> set[str]:
        return {
            t.strip().lower() for value in self.params.get("TYPE", []) for t in value.split(",")
        }


def file_cards(stream: BinaryIO) -> Iterator[Card]:
    """The cards of a .vcf stream, one at a time."""
    lines = read_lines(stream, max_line=MAX_CARD, decode=_decode_line, what="a vCard file")
    return cards(logical_lines(lines))


def _decode_line(raw: bytes) -> str:
    """UTF-8, else the charset the line declares (2.1 `CHARSET=`), else Windows-1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(raw.split(b":", 1)[0])
    if declared:
        return decode_with_charset(raw, declared.group(1).decode("ascii"))
    return decode_utf8_or_cp1252(raw)


def _is_quoted_printable(text: str) -> bool:
    return "QUOTED-PRINTABLE" in text.split(":", 1)[0].upper()


def _is_boundary(text: str) -> bool:
    return text.strip().upper() in ("BEGIN:VCARD", "END:VCARD")


def logical_lines(physical: Iterator[tuple[int, str]]) -> Iterator[Line]:
    """Unfold: a line starting with a space or tab continues the one before (vCard 2.1
    keeps that whitespace, 3.0 and 4.0 drop one character of it); a quoted-printable
    value ending in `=` (a soft line break) goes on in the next line whatever it starts
    with. A logical line longer than a card may be is refused as it grows."""
    start, size = 0, 0
    parts: list[str] = []
    quoted_printable = keep_space = False
    for number, text in physical:
        if parts:
            if quoted_printable and parts[-1].endswith("=") and not _is_boundary(text):
                parts[-1] = parts[-1][:-1]
            elif text[:1] in (" ", "\t"):
                text = text if keep_space else text[1:]
            else:
                yield Line(start, "".join(parts))
                parts, size = [], 0
        if parts:
            parts.append(text)
            size += len(text)
            if size > MAX_CARD:
                raise ParseError(f"a line longer than {MAX_CARD // 2**20} MB", line=start)
            continue
        upper = text.strip().upper()
        if upper == "BEGIN:VCARD":
            keep_space = False
        elif upper == "VERSION:2.1":
            keep_space = True
        start, parts, size = number, [text], len(text)
        quoted_printable = _is_quoted_printable(text)
    if parts:
        yield Line(start, "".join(parts))


def cards(lines: Iterator[Line]) -> Iterator[Card]:
    """Split logical lines into cards. The lines of a card embedded in a 2.1 `AGENT`
    property are dropped; anything but blank lines outside a card is an error."""
    card: Card | None = None
    embedded = size = 0
    for line in lines:
        upper = line.text.strip().upper()
        if card is None:
            if upper == "BEGIN:VCARD":
                card, size = Card(line.number), 0
            elif upper:
                raise ParseError(
                    "text outside a card (a card starts with BEGIN:VCARD)", line=line.number
                )
            continue
        size += len(line.text)
        if size > MAX_CARD:
            raise ParseError(f"the card is larger than {MAX_CARD // 2**20} MB", line=card.line)
        if upper == "END:VCARD" and not embedded:
            yield card
            card = None
        elif upper == "END:VCARD":
            embedded -= 1
        elif upper == "BEGIN:VCARD":
            if not embedded and not _ends_with_agent(card):
                raise ParseError(
                    f"a new card starts before the card on line {card.line} ended "
                    "(END:VCARD is missing)",
                    line=line.number,
                )
            embedded += 1
        elif not embedded:
            card.lines.append(line)
    if card is not None:
        raise ParseError(
            "the card never ends: END:VCARD is missing (a cut-off file?)", line=card.line
        )


def _ends_with_agent(card: Card) -> bool:
    if not card.lines:
        return False
    match = _NAME.match(card.lines[-1].text)
    return match is not None and match.group(2).upper() == "AGENT"


def split_line(line: Line) -> Prop | None:
    """A content line's name, parameters and value; None when it is not one. Parameter
    values may be quoted (with `:` `;` `,` inside); 2.1's bare `;HOME;QUOTED-PRINTABLE`
    parameters become TYPE and ENCODING."""
    text = line.text
    match = _NAME.match(text)
    if match:
        group, name = match.group(1) or "", match.group(2)
    else:  # a legacy name (`X-messaging/aim-All`) is read like any other
        match = _LEGACY_NAME.match(text)
        if not match:
            return None
        group, name = "", match.group(1)
    params: dict[str, list[str]] = {}
    raw: list[str] = []
    position = match.end()
    while position < len(text) and text[position] == ";":
        end = _parameter(text, position + 1, params)
        if end < 0:
            return None
        raw.append(text[position + 1 : end])
        position = end
    if position >= len(text) or text[position] != ":":
        return None
    prop = Prop(line.number, name.upper(), params, text[position + 1 :], group=group)
    prop.written, prop.raw_params = text[: match.end()], raw
    return prop


def _parameter(text: str, position: int, params: dict[str, list[str]]) -> int:
    """Read one parameter at `position` into `params`; the position after it, or -1."""
    end = position
    while end < len(text) and text[end] not in "=;:":
        end += 1
    name = text[position:end].strip().upper()
    if end >= len(text) or text[end] != "=":  # 2.1 bare parameter
        bare = "ENCODING" if name in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT") else "TYPE"
        params.setdefault(bare, []).append(name)
        return end
    values = params.setdefault(name, [])
    end += 1
    while True:
        if end < len(text) and text[end] == '"':
            # The closing quote is the one before a delimiter: Apple writes quotes inside
            # quoted values (`X-ADDRESS="… \"Μακεδονία\" …"`).
            close = end + 1
            while close < len(text) and (
                text[close] != '"' or text[close + 1 : close + 2] not in ",;:"
            ):
                close += 1
            if close >= len(text):
                return -1
            values.append(text[end + 1 : close].replace('\\"', '"'))
            end = close + 1
        else:
            start = end
            while end < len(text) and text[end] not in ",;:":
                end += 1
            values.append(text[start:end])
        if end < len(text) and text[end] == ",":
            end += 1
            continue
        return end


def card_props(card: Card) -> tuple[list[Prop], Prop | None, list[Prop]]:
    """The card's properties that vobject reads, its first photo, and the rest of its
    properties in card order (as written, never seen by vobject). A line that is not a
    content line continues a photo (or a property of the rest) before it, as Google
    writes long photo URLs; anywhere else it is an error."""
    props: list[Prop] = []
    rest: list[Prop] = []
    first_photo: Prop | None = None
    last: Prop | None = None
    for line in card.lines:
        prop = split_line(line) or _unreadable(line, card)
        if prop is None:
            if not line.text.strip():
                continue
            if _android_repair(line, last, card):
                continue
            if last is not None and (last.name in _BINARY or last.name not in _KEPT):
                # Google folds long photo URLs, Apple long X- lines, without the space.
                if last.name not in _BINARY and not last.more:
                    card.warnings.append(
                        f"line {line.number} read as the rest of line {last.number} "
                        "(folded without the leading space)"
                    )
                last.more.append(line.text.strip())
                continue
            raise ParseError(
                f"line {line.number} is not a vCard property: “{line.text[:60]}”",
                line=card.line,
                field=last.name if last else "",
            )
        last = prop
        if prop.name == "PHOTO" and first_photo is None:
            first_photo = prop
        elif prop.name in _KEPT:
            props.append(prop)
        elif prop.written:  # not a property left out as unreadable
            rest.append(prop)
    if first_photo is not None and first_photo.more:
        first_photo.value += "".join(first_photo.more)
    return props, first_photo, rest


def _android_repair(line: Line, last: Prop | None, card: Card) -> bool:
    """What Android's vCard reader reads past, and so do we, with a warning: a comment
    line (`# …`), and a 2.1 value ending in a lone backslash that goes on in the next
    line (Android writes multi-line addresses so), read as a line break in the value."""
    if line.text.lstrip().startswith("#"):
        card.warnings.append(f"line {line.number} is a comment (# …): left out")
        return True
    value = last.value if last is not None else ""
    lone_backslash = (len(value) - len(value.rstrip("\\"))) % 2 == 1  # not an escaped `\\`
    if last is not None and last.name in _KEPT and lone_backslash:
        last.value = value[:-1] + "\\n" + line.text.strip()
        card.warnings.append(
            f"line {line.number} read as a new line of the value on line {last.number} "
            "(which ends in a backslash)"
        )
        return True
    return False


def _unreadable(line: Line, card: Card) -> Prop | None:
    """A line with a property name but parameters beyond reading: left out with a
    warning naming its line when it is a property that vobject does not read (a `Prop`
    without `written`, so that a line after it still continues it); an error otherwise."""
    match = _NAME.match(line.text) or _LEGACY_NAME.match(line.text)
    if not match:
        return None
    name = match.group(match.lastindex or 0).upper()
    if name in _KEPT or name == "PHOTO":
        raise ParseError(
            f"unreadable parameters on line {line.number}: “{line.text[:60]}”",
            line=card.line,
            field=name,
        )
    card.warnings.append(f"“{name[:60]}” on line {line.number} has unreadable parameters: left out")
    return Prop(line.number, name, {}, "")


def _escape(text: str, *, keep_commas: bool = False) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;")
    if not keep_commas:
        text = text.replace(",", "\\,")
    return re.sub(r"\r\n|\r|\n", r"\\n", text)


def _commas_escaped(value: str) -> str:
    """Every comma not yet escaped gets its backslash. vobject reads each text value as
    a comma list and keeps only the first item (`NOTE:a, b` → "a"); only list-valued
    properties (CATEGORIES) are lists, and vCard 2.1 has no comma escaping at all, so a
    bare comma elsewhere is part of the text."""
    if "," not in value:
        return value
    return _UNESCAPED_COMMA.sub(lambda m: m.group(1) + "\\,", value)


def _decoded(prop: Prop) -> str:
    """The value for vobject: quoted-printable decoded in its charset and escaped as 3.0
    text, bare commas escaped except in a list (`_commas_escaped`), a trailing lone
    backslash escaped (vobject turns `x\\` into `x\\eof`)."""
    value = prop.value
    if "QUOTED-PRINTABLE" in (v.upper() for v in prop.params.get("ENCODING", [])):
        raw = quopri.decodestring(value.encode("utf-8"))
        text = decode_with_charset(raw, prop.param("CHARSET"))
        if prop.name in _STRUCTURED:
            parts = re.split(r"(?<!\\);", text)
            value = ";".join(_escape(part.replace("\\;", ";")) for part in parts)
        else:
            value = _escape(text, keep_commas=prop.name in _LISTS)
    elif prop.name not in _LISTS:
        value = _commas_escaped(value)
    value = value.replace("\r", "\\n")
    if (len(value) - len(value.rstrip("\\"))) % 2:
        value += "\\"
    return value


def read_card(card: Card, props: list[Prop]) -> dict[str, list[Prop]]:
    """Hand the card to vobject, keep what it made of each value in `prop.parsed`, and
    return the properties by name."""
    text = "\r\n".join(
        ["BEGIN:VCARD", "VERSION:3.0", *(f"{p.name}:{_decoded(p)}" for p in props), "END:VCARD"]
    )
    try:
        component = vobject.readOne(text + "\r\n", validate=False)
    except vobject.base.ParseError as error:
        index = (getattr(error, "lineNumber", None) or 0) - 3
        prop = props[index] if 0 <= index < len(props) else None
        where = f" on line {prop.number}" if prop else ""
        raise ParseError(
            f"unreadable value{where}: {error}", line=card.line, field=prop.name if prop else ""
        ) from error
    except Exception as error:  # vobject fails in many ways on odd input
        raise ParseError(f"unreadable card: {error}", line=card.line) from error
    by_name: dict[str, list[Prop]] = {}
    for prop in props:
        by_name.setdefault(prop.name, []).append(prop)
    for name, same in by_name.items():
        for prop, parsed in zip(same, component.contents.get(name.lower(), []), strict=False):
            prop.parsed = parsed.value
    return by_name


def _is_qp(prop: Prop) -> bool:
    return "QUOTED-PRINTABLE" in (v.upper() for v in prop.params.get("ENCODING", []))


def raw_value(prop: Prop) -> str:
    """A property's value as written, with the lines that continue it; a 2.1
    quoted-printable value decoded in its charset; line breaks (in a decoded value, or a
    stray CR) escaped as 3.0's `\\n`, a trailing one dropped. Nothing else is
    re-escaped: 2.1's `\\;` and bare `;` `,` already mean what they mean in 3.0."""
    value = prop.value + "".join(prop.more)
    if _is_qp(prop):
        raw = quopri.decodestring(value.encode("utf-8"))
        value = decode_with_charset(raw, prop.param("CHARSET"))
    elif prop.param("ENCODING").upper() in ("B", "BASE64"):
        value = "".join(value.split())  # 2.1 folds base64 keeping the leading spaces
    # A stray carriage return (Apple ends lines with CR CR LF) is no part of the value,
    # and a break inside one would break the card it is written back into.
    return re.sub(r"\r\n|\r|\n", r"\\n", value.rstrip("\r\n"))


def raw_params(prop: Prop) -> str:
    """A property's parameters as written, without the leading ";" and without those
    that only said how the value was encoded: `CHARSET` (every line is decoded as it is
    read) and quoted-printable (`raw_value` decodes it); 2.1's bare parameters get the
    name 2.1 implies (`WORK` → `TYPE=WORK`, `BASE64` → `ENCODING=BASE64`)."""
    kept = []
    for param in prop.raw_params:
        name, equals, value = param.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if name == "CHARSET" or "QUOTED-PRINTABLE" in (value, "" if equals else name):
            continue
        if not equals:  # 2.1's bare `;WORK`: 3.0 and 4.0 have no bare parameters
            bare = "ENCODING" if name in ("BASE64", "8BIT", "7BIT") else "TYPE"
            param = f"{bare}={param.strip()}"
        kept.append(param)
    return ";".join(kept)


def components(prop: Prop) -> list[str]:
    """A value that is not read by vobject as text: split at each unescaped `;`, each
    part unescaped (`\\n` a line break, `\\,` `\\;` `\\\\` their character)."""
    parts = re.split(r"(?<!\\)((?:\\\\)*);", raw_value(prop))
    # re.split keeps the captured backslash pairs: glue them back onto their part
    texts = [parts[0]]
    for index in range(1, len(parts), 2):
        texts[-1] += parts[index]
        texts.append(parts[index + 1])
    return [unescape(part) for part in texts]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)
