"""vCard 2.1, 3.0 and 4.0 files (.vcf) into person and organization records.

What `parse` promises:

- It streams: the file is read in chunks and split into cards here (BEGIN/END lines,
  after unfolding), each card goes to vobject on its own, and each record is yielded
  before the next card is read. Memory is bounded by the largest card (`MAX_CARD`).
- It reads what phones, Apple, Google and Outlook write, covering vobject's known gaps
  (reliability checklist, section (b) "vCard"): quoted-printable values with soft line
  breaks and a `CHARSET` (decoded here, vobject never sees them), base64 photos folded
  any way (2.1 `ENCODING=BASE64`, 3.0 `ENCODING=b`), `data:` URI photos (4.0), quoted
  parameter values (parameters are parsed here; vobject only gets name and value), a
  UTF-8 BOM (also in front of later cards of concatenated files), UTF-16 files, lines in
  Windows-1252 or in a declared 2.1 `CHARSET`, a photo URL continued on a line without
  the leading space (Google), Apple's `http\\://` in URLs, a value ending in a lone
  backslash (vobject makes `x\\eof` of it), a stray comma in a 2.1 ORG. Properties
  vobject does not read (X-…, LABEL, KEY, IMPP, …) never reach it, so their oddities
  never fail an import: `address_book` reads them from their text, or keeps them.
- What a card gives: N → first/last name, prefix, middle names (joined " "), suffix;
  FN → `full_name` (always, when present: the loader uses it only without first and
  last); ORG → organization (its first part) and department (the rest, joined "; ");
  TITLE → role and ROLE → function (ROLE → role without a TITLE); EMAIL/TEL/URL
  (preferred first, `tel:`/`mailto:` dropped); ADR as one line; NOTEs; CATEGORIES →
  tags; BDAY → `PartialDate`; the first PHOTO (its bytes, or `photo_url` when it is an
  http(s) link); UID → `external_ids["vcard-uid"]`; 4.0 RELATED → `organization_ref`
  (the UID of an organization card read before, else the first RELATED that is no
  personal relation: the loader resolves it or not) and → `related` when it is text, a
  personal relation or no organization card read before (so an unresolved reference is
  kept too). The rest of a person card (types and labels, address structure, messaging
  handles, anniversary, gender, time zone, geo, related names, and every other property
  verbatim in `other`) is `address_book`'s: see there. Organization cards read what
  they read before.
- A card becomes an `OrganizationRecord` when it says so (4.0 `KIND:org`, Apple's
  `X-ABShowAs:COMPANY`) or when its only name is its organization; group cards (4.0
  `KIND:group`, Apple's `X-ADDRESSBOOKSERVER-KIND:group`) are skipped; every other card
  is a `PersonRecord`. A person card without a name (no N, FN or ORG) is named by its
  first e-mail, else its first phone (Android writes such cards); one with none of these
  is yielded nameless, and the loader leaves it out with a warning naming its line.
- Bad input raises `ParseError` with the line of the card's BEGIN:VCARD and the property
  (the message names the property's own line): an impossible or unreadable birthday
  (a year or a month alone, and `VALUE=text`, are left out), a card longer than 10 MB,
  text outside BEGIN:VCARD … END:VCARD, a card cut off without END:VCARD, a line that is no property
  (but after a photo or a property that is not read), parameters beyond reading on a
  property that is read. A malformed EMAIL is refused at its own line (checked as the
  CSV formats check e-mails). A file without a single card is an error too. A photo larger
  than 5 MB or whose base64 is broken is left out with a warning (`Photo.left_out`): the
  card is imported without it, as checklist E6 asks; a photo given only as a URL is
  never fetched.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from followthrough.exchange.formats.csv.cells import invalid_email, valid_email
from followthrough.exchange.formats.records import (
    OrganizationRecord,
    ParseError,
    PartialDate,
    PersonRecord,
    Photo,
    Record,
)
from followthrough.exchange.formats.registry import ParseOptions
from followthrough.exchange.formats.text import clean_text
from followthrough.exchange.formats.vcard.address_book import Book, Contact, complete, partial_date
from followthrough.exchange.formats.vcard.lines import MAX_CARD as MAX_CARD  # a limit, as MAX_PHOTO
from followthrough.exchange.formats.vcard.lines import Card, Prop, card_props, file_cards, read_card

MAX_PHOTO = 5 * 1024 * 1024  # bytes of one decoded photo

# RELATED types that name a person, never an organization.
_PERSONAL = frozenset(
    {
        "spouse", "child", "parent", "sibling", "kin", "friend", "sweetheart", "date",
        "crush", "muse", "me", "emergency", "neighbor", "co-resident", "acquaintance",
    }
)  # fmt: skip


def parse(stream: BinaryIO, *, options: ParseOptions | None = None) -> Iterator[Record]:
    """Yield a record per card of a .vcf stream, one card at a time; see the module.

    `options` is not used: cards carry no times to put in a zone."""
    organizations: dict[str, str] = {}  # UID → name of the organization cards so far
    count = 0
    for card in file_cards(stream):
        record = card_record(card, organizations)
        if record is not None:
            count += 1
            yield record
    if not count:
        raise ParseError("the file holds no contacts (no BEGIN:VCARD … END:VCARD card)")


def _text(value: Any) -> str:
    """A vobject value as text: lists (ORG components split on a stray comma) joined."""
    return clean_text(_joined(value)).strip()


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_joined(part) for part in value)
    return str(value or "")


def _unescaped(prop: Prop) -> str:
    """A value with the backslashes vobject leaves dropped (`texts` does the same)."""
    return re.sub(r"\\(.)", r"\1", _text(prop.parsed))


def _parts(value: Any) -> list[str]:
    """A vobject list value (ORG, CATEGORIES) as its text parts."""
    if isinstance(value, list):
        return [_text(part) for part in value]
    return [_text(value)]


@dataclass
class Fields:
    """The read properties of one card, by name (first occurrence first)."""

    card: Card
    props: dict[str, list[Prop]]
    photo: Prop | None
    rest: list[Prop]  # the properties vobject did not read (`address_book` reads them)

    def all(self, name: str) -> list[Prop]:
        return self.props.get(name, [])

    def text(self, name: str) -> str:
        props = self.all(name)
        return _text(props[0].parsed) if props else ""

    def emails(self) -> list[str]:
        """The EMAIL values (as `texts`), each checked where it stands: a malformed one
        is a `ParseError` at its own line, not at the card's BEGIN line. A value that is
        a list of addresses (`a@x.org, b@x.org`, as some writers put several in one
        line) gives each of them: the comma is no longer cut off with what follows it.
        An address with a display name (`"Omega" <omega@example.com>`, as Android's
        tests have it) gives the address, with a warning."""
        found: list[str] = []
        for value in self.texts("EMAIL", "mailto:"):
            number = next(
                (p.number for p in self.all("EMAIL") if value in _unescaped(p)), self.card.line
            )
            parts = [value]
            if valid_email(value) is None:
                name, address = email.utils.parseaddr(value)
                if name and "<" in value and valid_email(address) is not None:
                    parts = [address]
                    self.card.warnings.append(
                        f"the e-mail “{value[:80]}” on line {number} read as {address}"
                    )
                else:
                    parts = [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
            if not parts or any(valid_email(part) is None for part in parts):
                raise ParseError(invalid_email(value), line=number, field="EMAIL")
            for part in parts:
                if part.casefold() not in {seen.casefold() for seen in found}:
                    found.append(part)
        return found

    def texts(self, name: str, prefix: str = "") -> list[str]:
        """The values of every EMAIL/TEL/URL line, preferred ones (TYPE=pref, PREF=1)
        first, without `prefix` (a URI scheme) and without duplicates. Backslashes vobject
        leaves are dropped: Apple writes `http\\://…`, and none belongs in these values."""
        values: list[str] = []
        seen: set[str] = set()
        for _prop, value in self.pairs(name, prefix):
            if value and value.casefold() not in seen:
                seen.add(value.casefold())
                values.append(value)
        return values

    def pairs(self, name: str, prefix: str = "") -> list[tuple[Prop, str]]:
        """Each EMAIL/TEL/URL line and its value as `texts` reads it, preferred first."""
        ordered = sorted(self.all(name), key=lambda p: not ("pref" in p.types() or p.param("PREF")))
        pairs = []
        for prop in ordered:
            value = re.sub(r"\\(.)", r"\1", _text(prop.parsed))
            if prefix and value.lower().startswith(prefix):
                value = value[len(prefix) :].replace(";ext=", " ext. ")
            pairs.append((prop, value))
        return pairs


def card_record(card: Card, organizations: dict[str, str]) -> Record | None:
    """The record of one card (None for a group card); see the module for the rules."""
    props, first_photo, rest = card_props(card)
    fields = Fields(card, read_card(card, props), first_photo, rest)
    kind = _kind(fields)
    if kind == "group":
        return None
    record: PersonRecord | OrganizationRecord
    if kind == "org":
        record = _organization(fields)
        uid = record.external_ids.get("vcard-uid")
        if uid:
            organizations[uid] = record.name
        record.warnings = list(card.warnings)
    else:
        record = _person(fields, organizations)
    return record


def _name_parts(fields: Fields) -> dict[str, str]:
    """N's parts, each as written: a comma in a part is kept (`N:Doe, Sr.;Jane;;;`),
    since 2.1 writers do not escape it and nothing is lost by keeping a 4.0 list whole."""
    props = fields.all("N")
    name = props[0].parsed if props else None
    parts = {}
    for part in ("prefix", "given", "additional", "family", "suffix"):
        value = getattr(name, part, "") or ""
        parts[part] = _text(" ".join(value) if isinstance(value, list) else value)
    return parts


def _kind(fields: Fields) -> str:
    """ "org", "group" or "person"."""
    kind = (fields.text("KIND") or fields.text("X-ADDRESSBOOKSERVER-KIND")).lower()
    if kind == "group":
        return "group"
    if (
        kind in ("org", "organization", "location")
        or fields.text("X-ABSHOWAS").upper() == "COMPANY"
    ):
        return "org"
    organization = _parts(fields.all("ORG")[0].parsed)[0] if fields.all("ORG") else ""
    has_name = any(_name_parts(fields).values())
    formatted = fields.text("FN")
    if organization and not has_name and formatted in ("", organization):
        return "org"
    return "person"


def _no_name(fields: Fields) -> ParseError:
    return ParseError("the card has no name (no N, FN or ORG)", line=fields.card.line, field="FN")


# vobject's Address attributes → people.models.ADDRESS_PARTS.
_ADDRESS_PARTS = (
    ("box", "box"), ("extended", "extended"), ("street", "street"), ("city", "locality"),
    ("region", "region"), ("code", "code"), ("country", "country"),
)  # fmt: skip


def _address(prop: Prop) -> tuple[str, tuple[tuple[str, str], ...]]:
    """An ADR as one readable line (street parts, city, "region code", country) and its
    non-empty parts."""
    value = prop.parsed
    parts = {part: _text(getattr(value, attribute, "") or "") for attribute, part in _ADDRESS_PARTS}
    region = " ".join(p for p in (parts["region"], parts["code"]) if p)
    line = [parts["box"], parts["extended"], parts["street"], parts["locality"], region]
    text = ", ".join(p for p in [*line, parts["country"]] if p)
    return text, tuple((part, text) for part, text in parts.items() if text)


def _addresses(fields: Fields) -> list[str]:
    addresses = []
    for prop in fields.all("ADR"):
        text, _parts_of = _address(prop)
        if text and text not in addresses:
            addresses.append(text)
    return addresses


def _tags(fields: Fields) -> list[str]:
    tags: list[str] = []
    for prop in fields.all("CATEGORIES"):
        for tag in _parts(prop.parsed):
            if tag and tag.casefold() not in {t.casefold() for t in tags}:
                tags.append(tag)
    return tags


def _notes(fields: Fields) -> str:
    return "\n\n".join(note for p in fields.all("NOTE") if (note := _text(p.parsed)))


def _uid(fields: Fields) -> dict[str, str]:
    uid = fields.text("UID")
    return {"vcard-uid": uid} if uid else {}


def _organization(fields: Fields) -> OrganizationRecord:
    orgs = fields.all("ORG")
    name = (_parts(orgs[0].parsed)[0] if orgs else "") or fields.text("FN")
    if not name:
        raise _no_name(fields)
    links = fields.texts("URL")
    return OrganizationRecord(
        line=fields.card.line,
        name=name,
        website=links[0] if links else "",
        notes=_notes(fields),
        emails=fields.emails(),
        phones=fields.texts("TEL", "tel:"),
        addresses=_addresses(fields),
        tags=_tags(fields),
        external_ids=_uid(fields),
    )


def _person(fields: Fields, organizations: dict[str, str]) -> PersonRecord:
    name = _name_parts(fields)
    formatted = fields.text("FN") or " ".join(p for p in name.values() if p)
    orgs = fields.all("ORG")
    organization = _parts(orgs[0].parsed)[0] if orgs else ""
    emails, phones = fields.emails(), fields.texts("TEL", "tel:")
    if not (formatted or organization):
        # Android writes cards with only a number or an address: named by it, as the
        # CSV formats name such a row; with neither, the loader leaves it out and says so.
        formatted = next(iter([*emails, *phones]), "")
    reference = _organization_ref(fields, organizations)
    title, role = fields.text("TITLE"), fields.text("ROLE")
    record = PersonRecord(
        line=fields.card.line,
        first_name=name["given"],
        last_name=name["family"],
        full_name=formatted,
        name_prefix=name["prefix"],
        # Additional names are a list (`Richter,James`, also in 2.1 as ez-vcard's samples show).
        middle_name=" ".join(p.strip() for p in name["additional"].split(",") if p.strip()),
        name_suffix=name["suffix"],
        organization=organization or organizations.get(reference, ""),
        department="; ".join(p for p in _parts(orgs[0].parsed)[1:] if p) if orgs else "",
        role=title or role,
        function=role if title else "",
        emails=emails,
        phones=phones,
        links=fields.texts("URL"),
        addresses=_addresses(fields),
        tags=_tags(fields),
        notes=_notes(fields),
        birthday=_birthday(fields),
        photo=_photo(fields.photo),
        external_ids=_uid(fields),
        organization_ref=reference,
        warnings=list(fields.card.warnings),
    )
    complete(record, _book(fields, record, organizations))
    return record


def _book(fields: Fields, record: PersonRecord, organizations: dict[str, str]) -> Book:
    """What `address_book` reads of a person card beyond the fields read here."""
    book = Book(line=fields.card.line, rest=fields.rest)
    for kind, name, prefix in (("email", "EMAIL", "mailto:"), ("phone", "TEL", "tel:")):
        listed = record.emails if kind == "email" else record.phones
        for prop, value in fields.pairs(name, prefix):
            parts = {p.casefold() for p in [value, *re.split(r"[,;]", value)] if p.strip()}
            values = [v for v in listed if v.casefold() in parts or v.strip().casefold() in parts]
            book.contacts.append(Contact(kind, prop, values))
    for prop, value in fields.pairs("URL"):
        book.contacts.append(Contact("url", prop, [value] if value else []))
    for prop in fields.all("ADR"):
        text, structure = _address(prop)
        book.contacts.append(Contact("address", prop, [text] if text else [], structure))
    for prop in fields.all("RELATED"):
        text = _unescaped(prop)
        personal = prop.param("VALUE").lower() == "text" or prop.types() & _PERSONAL
        # An organization card is known by its UID as `_organization_ref` reads it.
        if text and (personal or _text(prop.parsed) not in organizations):
            book.related.append((prop, text))
    if fields.photo is not None and record.photo is None:
        book.photo = fields.photo
    bdays = fields.all("BDAY")
    book.extra = bdays[1:] if record.birthday else bdays
    return book


def _organization_ref(fields: Fields, organizations: dict[str, str]) -> str:
    """The UID a 4.0 RELATED points at: an organization card read before, else the first
    RELATED that is a reference (not VALUE=text) and not a personal relation."""
    candidates = [
        _text(p.parsed)
        for p in fields.all("RELATED")
        if p.param("VALUE").lower() != "text" and not (p.types() & _PERSONAL)
    ]
    candidates = [c for c in candidates if c]
    known = [c for c in candidates if c in organizations]
    return (known or candidates or [""])[0]


def _birthday(fields: Fields) -> PartialDate | None:
    """BDAY as a PartialDate (`address_book.partial_date`'s forms). Forms a PartialDate
    cannot hold (free text, a year or a month alone) are left out of the birthday (and
    kept verbatim: `_book`)."""
    props = fields.all("BDAY")
    if not props or props[0].param("VALUE").lower() == "text":
        return None
    prop = props[0]
    value = _text(prop.parsed)
    try:
        date = partial_date(value, prop.param("X-APPLE-OMIT-YEAR"))
    except ValueError as error:
        raise ParseError(
            f"impossible birthday “{value}” on line {prop.number}",
            line=fields.card.line,
            field="BDAY",
        ) from error
    if date is None:
        if re.fullmatch(r"\d{4}(-?\d{2})?|--\d{2}|---\d{2}", value) or not value:
            return None
        raise ParseError(
            f"unreadable birthday “{value[:40]}” on line {prop.number} "
            "(expected 1985-04-15, 19850415, --0415 or --04-15)",
            line=fields.card.line,
            field="BDAY",
        )
    return date


def _media_type(declared: str) -> str:
    """`image/png` for a 3.0 `TYPE=PNG`; a declared `image/…` as it is."""
    declared = declared.strip().lower()
    if not declared or "/" in declared:
        return declared
    return "image/jpeg" if declared in ("jpg", "jpeg") else f"image/{declared}"


def _too_big(prop: Prop, media_type: str) -> Photo:
    return Photo(
        data=b"",
        media_type=media_type,
        left_out=f"the photo on line {prop.number} is larger than {MAX_PHOTO // 2**20} MB",
    )


def _base64(payload: str) -> bytes | None:
    """Base64 with or without padding (also the URL-safe alphabet); None if broken."""
    payload = payload.replace("-", "+").replace("_", "/").rstrip("=")
    try:
        return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=True)
    except (binascii.Error, ValueError):  # ValueError: not ASCII
        return None


def _photo(prop: Prop | None) -> Photo | None:
    """The first PHOTO's bytes, from base64 (2.1 `ENCODING=BASE64`, 3.0 `ENCODING=b`,
    folded any way) or a `data:` URI (4.0, and 3.0 writers that put one after
    `ENCODING=b`). A photo URL is never fetched (None); one too large or with broken
    base64 is a `Photo` without data that says why (`left_out`)."""
    if prop is None:
        return None
    value = "".join(prop.value.split())
    if value[:5].lower() == "data:":
        header, comma, payload = value[5:].partition(",")
        if not comma:
            return None
        media = header.split(";")
        media_type, encoded = media[0].lower(), "base64" in (m.lower() for m in media[1:])
    elif prop.param("ENCODING").lower() in ("b", "base64"):
        media_type = _media_type(prop.param("MEDIATYPE") or prop.param("TYPE"))
        payload, encoded = value, True
    else:
        return None
    if encoded and len(payload) * 3 // 4 > MAX_PHOTO + 2:
        return _too_big(prop, media_type)
    data = _base64(payload) if encoded else urllib.parse.unquote_to_bytes(payload)
    if data is None:
        return Photo(b"", media_type, f"the photo on line {prop.number} is not valid base64")
    if len(data) > MAX_PHOTO:
        return _too_big(prop, media_type)
    return Photo(data=data, media_type=media_type) if data else None
