"""The lines of a person's vCard for what address books hold (issue 13's "Export
rules"): contact points with their types or labels, messaging handles, the name's extra
parts, gender, anniversary, time zone, position, a photo link, related people and the
properties kept verbatim. `vcard_export` puts them in the card.

Written so that the importer reads back what was there:

- A contact point's label of plain type tokens (`work, cell`) is TYPE (`pref` is PREF=1
  in 4.0, a TYPE in 3.0, which has no PREF); any other label (`Summer house`) is Apple's
  group form, `ft1.TEL:…` with `ft1.X-ABLABEL:Summer house`, which Apple, Google and
  the importer read. Groups are numbered per card, shared with related people.
- An address with parts is ADR's seven components (RFC 6350 6.3.1); one without is its
  text in the street component. A messaging handle is IMPP (RFC 4770 for 3.0) with its
  URI as it is (a URI is not escaped).
- Related people: 4.0 RELATED with the relation as TYPE, `VALUE=text` for a name (a URI
  needs none); 3.0 has no RELATED, so Apple's `X-ABRELATEDNAMES`, labelled with Apple's
  spelling of its known relations (`_$!<Spouse>!$_`) or the relation's own words.
- Other details are `label;params:value` as stored, only folded, after the card's own
  properties; one whose name is not a property name, or is one every writer regenerates
  (BEGIN, END, VERSION, PRODID, REV), is left out, and a line break that a restore or an
  edit let into one is written `\\n`, so a detail can never break the card.
- 3.0 has no GENDER or ANNIVERSARY: X-GENDER (Male, Female) and X-ANNIVERSARY, as
  Apple and KDE write them; a gender X-GENDER cannot say (an identity, another sex) is
  4.0's GENDER, which this importer reads in any version. TZ in 3.0 is a UTC offset
  unless VALUE=text says otherwise (RFC 2426 3.4.1), so a zone's name carries it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields

from followthrough.exchange.formats.vcard.writer import (
    Line,
    compound,
    escape,
    line,
    text,
    text_list,
    verbatim,
)
from followthrough.people.models import ADDRESS_PARTS, CARD_FIELDS, ContactKind, DetailKind, Gender

_TOKEN = re.compile(r"[a-z0-9-]+")
# The TYPE values vCard 3.0 and 4.0 define (RFC 2426 3.2-3.3, RFC 6350 6.4-6.6) and
# those phones write: case means nothing in them.
KNOWN_TYPES = frozenset(
    {
        "work", "home", "cell", "fax", "pager", "voice", "text", "video", "textphone",
        "pref", "main", "iphone", "other", "internet", "msg", "bbs", "modem", "car",
        "isdn", "pcs", "x400", "postal", "parcel", "dom", "intl", "contact",
        "acquaintance", "friend", "met", "co-worker", "colleague", "co-resident",
        "neighbor", "child", "parent", "sibling", "spouse", "kin", "muse", "crush",
        "date", "sweetheart", "me", "agent", "emergency",
    }
)  # fmt: skip
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}|Z")
_PROPERTY_NAME = re.compile(r"(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+")
_REGENERATED = frozenset({"BEGIN", "END", "VERSION", "PRODID", "REV"})
_NAMES = {
    ContactKind.EMAIL: "EMAIL",
    ContactKind.PHONE: "TEL",
    ContactKind.URL: "URL",
    ContactKind.ADDRESS: "ADR",
    ContactKind.IM: "IMPP",
}
# Apple's own labels for the relations its address book knows (X-ABLabel).
_APPLE_RELATIONS = {
    name.lower(): f"_$!<{name}>!$_"
    for name in (
        "Father", "Mother", "Parent", "Brother", "Sister", "Child", "Friend", "Spouse",
        "Partner", "Assistant", "Manager",
    )
}  # fmt: skip
_X_GENDER: dict[str, str] = {Gender.MALE: "Male", Gender.FEMALE: "Female"}

Groups = Callable[[], int]  # the next free group number of the card


def group_numbers(details: Iterable[tuple[str, str, str, str]]) -> Groups:
    """The card's group numbers: 1, 2, … but those of `ftN.` groups its kept properties
    already use (a file from elsewhere may have named a group so)."""
    taken = {
        label.partition(".")[0].lower()
        for kind, label, _, _ in details
        if kind == DetailKind.OTHER and "." in label
    }
    numbers = (n for n in itertools.count(1) if f"ft{n}" not in taken)
    return numbers.__next__


@dataclass(frozen=True)
class CardFields:
    """A person's `people.models.CARD_FIELDS`, in that order (as read with values_list)."""

    name_prefix: str = ""
    middle_name: str = ""
    name_suffix: str = ""
    nickname: str = ""
    formatted_name: str = ""
    gender: str = ""
    gender_identity: str = ""
    anniversary_month: int | None = None
    anniversary_day: int | None = None
    anniversary_year: int | None = None
    time_zone: str = ""
    geo: str = ""
    photo_url: str = ""

    FIELDS = CARD_FIELDS


assert tuple(f.name for f in fields(CardFields)) == CARD_FIELDS, "CardFields ≠ CARD_FIELDS"


def _one_line(value: str) -> str:
    """A value written as it is (a URI, a kept value): line breaks written `\\n`."""
    if "\r" in value or "\n" in value:
        return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return value


def yearless_date(date: tuple[int | None, int | None, int | None], version: str) -> str:
    """BDAY's or ANNIVERSARY's value of (year, month, day); "" without month and day."""
    year, month, day = date
    if not (month and day):
        return ""
    if version == "4.0":
        return f"{year:04d}{month:02d}{day:02d}" if year else f"--{month:02d}{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _tokens(label: str) -> list[str] | None:
    """The label's type tokens (`work, cell` → [work, cell]); None for a label of other
    words. The types vCard names are types in any case ("Work" is TYPE=work); any other
    token is one only in lower case, as the importer reads TYPE: "Spouse" or
    "AssistantPhone" are the user's words, written back as a label with their case."""
    tokens = [token.strip() for token in label.split(",")]
    tokens = [token.lower() if token.lower() in KNOWN_TYPES else token for token in tokens if token]
    if tokens and all(_TOKEN.fullmatch(token) for token in tokens):
        return list(dict.fromkeys(tokens))
    return None


def _contact_value(kind: str, value: str, parts: dict) -> str:
    if kind == ContactKind.ADDRESS:
        if parts:
            return compound(*(str(parts.get(part, "")) for part in ADDRESS_PARTS))
        return compound("", "", value, "", "", "", "")
    if kind == ContactKind.IM:
        return _one_line(value)
    return escape(value)


def contact_lines(contacts: Iterable[tuple], version: str, groups: Groups) -> Iterator[Line]:
    """A person's contact points (kind, value, label[, address parts]) as lines."""
    for kind, value, label, *rest in contacts:
        name, encoded = _NAMES[kind], _contact_value(kind, value, rest[0] if rest else {})
        if not label.strip():
            yield line(name, encoded)
        elif (tokens := _tokens(label)) is not None:
            params: dict[str, str | list[str]] = {}
            if version == "4.0" and "pref" in tokens:
                tokens.remove("pref")
                params["PREF"] = "1"
            if tokens:
                params["TYPE"] = tokens
            yield line(name, encoded, params)
        else:
            group = f"ft{groups()}"
            yield line(name, encoded, group=group)
            yield text("X-ABLABEL", label, group=group)


def _gender_lines(card: CardFields, version: str) -> Iterator[Line]:
    if not (card.gender or card.gender_identity):
        return
    said = _X_GENDER.get(card.gender)
    if version == "3.0" and said and not card.gender_identity:
        yield text("X-GENDER", said)  # Apple's and KDE's spelling: "Male", "Female"
        return
    # 3.0 has no other way to say more: 4.0's GENDER, which the importer reads in any
    # version, rather than X-GENDER losing the identity or the sex.
    identity = f";{escape(card.gender_identity)}" if card.gender_identity else ""
    yield line("GENDER", card.gender + identity)


def _geo(geo: str, version: str) -> str:
    latitude, _, longitude = geo.partition(",")
    if not (latitude.strip() and longitude.strip()):
        return ""
    latitude, longitude = latitude.strip(), longitude.strip()
    return f"geo:{latitude},{longitude}" if version == "4.0" else f"{latitude};{longitude}"


def card_field_lines(card: CardFields, version: str, *, photo_file: bool) -> Iterator[Line]:
    """NICKNAME, GENDER, ANNIVERSARY, TZ, GEO and PHOTO (a link, when there is no photo
    file) of the person's `CARD_FIELDS` (the name's parts and FN are the card's own)."""
    if card.nickname:
        yield line("NICKNAME", text_list(card.nickname.split(", ")))
    yield from _gender_lines(card, version)
    anniversary = (card.anniversary_year, card.anniversary_month, card.anniversary_day)
    if value := yearless_date(anniversary, version):
        yield text("ANNIVERSARY" if version == "4.0" else "X-ANNIVERSARY", value)
    if card.time_zone:
        is_text = version == "3.0" and not _OFFSET.fullmatch(card.time_zone)
        yield text("TZ", card.time_zone, {"VALUE": "text"} if is_text else None)
    if geo := _geo(card.geo, version):
        yield line("GEO", geo)
    if card.photo_url and not photo_file:
        url = _one_line(card.photo_url)
        yield line("PHOTO", url) if version == "4.0" else line("PHOTO", url, {"VALUE": "uri"})


def _related_lines(relation: str, value: str, version: str, groups: Groups) -> Iterator[Line]:
    if version == "4.0":
        params: dict[str, str | list[str]] = {}
        tokens = _tokens(relation) if relation else []
        if tokens:
            params["TYPE"] = tokens
        # A relation in the user's words is the group's label, as for contact points.
        group = f"ft{groups()}" if relation and not tokens else ""
        if _URI.fullmatch(value):
            yield line("RELATED", value, params, group=group)
        else:
            yield text("RELATED", value, {**params, "VALUE": "text"}, group=group)
        if group:
            yield text("X-ABLABEL", relation, group=group)
        return
    if not relation:
        yield text("X-ABRELATEDNAMES", value)
        return
    group = f"ft{groups()}"
    yield text("X-ABRELATEDNAMES", value, group=group)
    yield text("X-ABLABEL", _APPLE_RELATIONS.get(relation.lower(), relation), group=group)


def _kept_line(label: str, params: str, value: str) -> Line | None:
    if not _PROPERTY_NAME.fullmatch(label):
        return None
    if label.rpartition(".")[2].upper() in _REGENERATED:
        return None
    head = f"{label};{_one_line(params)}" if params else label
    return verbatim(f"{head}:{_one_line(value)}")


def detail_lines(
    details: Iterable[tuple[str, str, str, str]], version: str, groups: Groups
) -> Iterator[Line]:
    """A person's details (kind, label, params, value): related people, then the
    properties kept verbatim, in their order."""
    for kind, label, params, value in details:
        if kind == DetailKind.RELATED:
            yield from _related_lines(label, value, version, groups)
        elif kind == DetailKind.OTHER and (kept := _kept_line(label, params, value)):
            yield kept
