"""What an address-book record says beyond a name and its contact points, made ready for
the database (`incoming.Card`): the person fields of `people.models.CARD_FIELDS`, the
affiliation's department and function, messaging handles, the types and structure of
contact points, related people and the card's other properties.

As in `clean`: text a member reads (name parts, nickname, the name as written, a gender
identity, a department) is cut to its column with a warning; a value that would mean
something else once cut (a time zone, a position, a link, a property kept verbatim to be
exported back) is left out with one. Every warning names the record's line. No database
access here; a record without any of it costs one look at each field.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models

from followthrough.exchange.formats.records import PersonRecord
from followthrough.exchange.imports.clean_text import Warn, cut, fits
from followthrough.exchange.imports.incoming import Card
from followthrough.people.geo import geo_position
from followthrough.people.links import web_link
from followthrough.people.models import (
    ADDRESS_PARTS,
    ContactKind,
    ContactPoint,
    DetailKind,
    Gender,
    Person,
    PersonDetail,
)
from followthrough.people.services import normalize_contact, normalize_link

# Display text: cut to the column (its max_length) with a warning.
CUT_FIELDS = (
    ("name_prefix", "name prefix"),
    ("middle_name", "middle name"),
    ("name_suffix", "name suffix"),
    ("nickname", "nickname"),
    ("gender_identity", "gender identity"),
)
GENDERS = frozenset(Gender.values)
LABEL_MAX = ContactPoint._meta.get_field("label").max_length or 40
DETAIL_LABEL_MAX = PersonDetail._meta.get_field("label").max_length or 100
DETAIL_PARAMS_MAX = PersonDetail._meta.get_field("params").max_length or 400
# As the vCard parser's limit for a kept property: inline KEY/LOGO/SOUND data is longer.
DETAIL_VALUE_MAX = 16_000
DETAILS_MAX = 100  # of each kind, per person (positions are small integers)
AFFILIATION_TEXT_MAX = 200


@cache
def _max(name: str) -> int:
    field = Person._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


def clean_card(
    record: PersonRecord,
    warn: Warn,
    *,
    formatted_name: str = "",
    ims: list[tuple[str, str]] | None = None,
) -> Card | None:
    """The card part of a person record (None when it has none). `formatted_name` is the
    name as the file wrote it, when it says more than the first and last name; `ims` the
    record's messaging handles, cleaned as its other contact points (`clean`)."""
    if not (formatted_name or ims or _brings_any(record)):
        return None  # most records (every format but vCard): decided cheaply
    line = record.line
    fields = _fields(record, warn, formatted_name)
    has_org = bool((record.organization or "").strip() or (record.organization_ref or "").strip())
    department = cut(record.department, AFFILIATION_TEXT_MAX, line, "department", warn)
    function = cut(record.function, AFFILIATION_TEXT_MAX, line, "function", warn)
    if (department or function) and not has_org:
        warn(line, "a department or function without an organization was left out")
        department = function = ""
    card = Card(
        fields=fields,
        department=department,
        function=function,
        ims=ims or [],
        typed=_typed(record, warn) if record.contact_details else {},
        details=_details(record, warn) if record.related or record.other else [],
    )
    return card if card else None


def _brings_any(record: PersonRecord) -> bool:
    return bool(
        record.name_prefix
        or record.middle_name
        or record.name_suffix
        or record.nickname
        or record.gender
        or record.gender_identity
        or record.anniversary
        or record.time_zone
        or record.geo
        or record.photo_url
        or record.department
        or record.function
        or record.contact_details
        or record.related
        or record.other
    )


def _fields(record: PersonRecord, warn: Warn, formatted_name: str) -> dict[str, Any]:
    line = record.line
    fields: dict[str, Any] = {}
    for name, label in CUT_FIELDS:
        value = cut(getattr(record, name), _max(name), line, label, warn)
        if value:
            fields[name] = value
    if formatted_name:
        fields["formatted_name"] = cut(
            formatted_name, _max("formatted_name"), line, "name as written", warn
        )
    gender = (record.gender or "").strip()
    if gender.upper() in GENDERS:
        fields["gender"] = gender.upper()
    elif gender:
        # Not one of vCard's sexes: what it says is kept, as the identity it names.
        warn(line, f"gender “{gender[:40]}” is not one of M, F, O, N, U: kept as the identity")
        identity = cut(gender, _max("gender_identity"), line, "gender identity", warn)
        fields.setdefault("gender_identity", identity)
    if record.anniversary is not None:
        fields["anniversary_month"] = record.anniversary.month
        fields["anniversary_day"] = record.anniversary.day
        fields["anniversary_year"] = record.anniversary.year
    time_zone = fits(record.time_zone, _max("time_zone"), line, "time zone", warn)
    if time_zone:
        fields["time_zone"] = time_zone
    geo = _geo(record.geo, line, warn)
    if geo:
        fields["geo"] = geo
    photo_url = _photo_url(record.photo_url, line, warn)
    if photo_url:
        fields["photo_url"] = photo_url
    return fields


def _geo(value: str, line: int, warn: Warn) -> str:
    """ "latitude,longitude" in range, or "" (with a warning when something was given)."""
    value = (value or "").strip()
    if not value:
        return ""
    position = geo_position(value)
    if position and len(position) <= _max("geo"):
        return position
    warn(line, f"“{value[:80]}” is not a position (latitude,longitude): left out")
    return ""


def _photo_url(value: str, line: int, warn: Warn) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    link = web_link(value) if len(value) <= _max("photo_url") else None
    if link is None or len(link) > _max("photo_url"):
        warn(line, f"the photo link “{value[:80]}” is not a web address: left out")
        return ""
    return link


def contact_key(kind: str, value: str) -> str:
    """The normalized value `clean` gives a contact point of `kind` that the file wrote
    as `value` (an e-mail without its "mailto:", a link as `web_link` reads it)."""
    value = (value or "").strip()
    if kind == ContactKind.EMAIL:
        return value.removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()
    if kind == ContactKind.URL:
        link = web_link(value)
        return normalize_link(link) if link else ""
    return normalize_contact(kind, value)


def _typed(record: PersonRecord, warn: Warn) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(kind, normalized) → (label, address parts) of the record's contact points."""
    line = record.line
    typed: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    for (kind, value), detail in record.contact_details.items():
        key = contact_key(kind, value)
        if not key or (kind, key) in typed:
            continue
        label = cut(detail.label, LABEL_MAX, line, f"the label of “{value[:40]}”", warn)
        parts: dict[str, str] = {}
        if kind == ContactKind.ADDRESS:
            parts = {
                part: text.strip()
                for part, text in detail.parts
                if part in ADDRESS_PARTS and text and text.strip()
            }
        if label or parts:
            typed[(kind, key)] = (label, parts)
    return typed


def _details(record: PersonRecord, warn: Warn) -> list[tuple[str, str, str, str]]:
    """(kind, label, params, value) of the related people and the other properties, in
    the file's order, repeats dropped; at most `DETAILS_MAX` of each kind."""
    line = record.line
    details: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(kind: str, label: str, params: str, value: str) -> None:
        if (kind, label, value) not in seen:
            seen.add((kind, label, value))
            details.append((kind, label, params, value))

    related = [(r or "", v or "") for r, v in record.related if v and v.strip()]
    for relation, value in _at_most(related, "related people", line, warn):
        value = value.strip()
        if len(value) > DETAIL_VALUE_MAX:
            warn(line, f"a related person longer than {DETAIL_VALUE_MAX:,} characters was left out")
            continue
        label = cut(relation, DETAIL_LABEL_MAX, line, "a relation", warn)
        add(DetailKind.RELATED.value, label, "", value)
    others = [p for p in record.other if p.name and p.name.strip()]
    for prop in _at_most(others, "other properties", line, warn):
        name = prop.name.strip()
        # Kept to be exported back as written: a cut one would say something else.
        if len(name) > DETAIL_LABEL_MAX or len(prop.params or "") > DETAIL_PARAMS_MAX:
            warn(line, f"the property “{name[:40]}” is too long to keep: left out")
            continue
        if len(prop.value or "") > DETAIL_VALUE_MAX:
            warn(line, f"the {name[:40]} longer than {DETAIL_VALUE_MAX:,} characters was left out")
            continue
        add(DetailKind.OTHER.value, name, prop.params or "", prop.value or "")
    return details


def _at_most(items: list[Any], what: str, line: int, warn: Warn) -> list[Any]:
    if len(items) > DETAILS_MAX:
        warn(line, f"{len(items) - DETAILS_MAX} {what} beyond the first {DETAILS_MAX} left out")
        return items[:DETAILS_MAX]
    return items
