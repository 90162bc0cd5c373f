"""The export's vCard writer against vobject, the ground truth.

Every card is compared byte for byte with the card vobject's writer makes of the same
values (the way the exporter built cards before it had its own writer), and what
vobject and the vCard importer read back from the writer's cards is what was written.
"""

from __future__ import annotations

import base64
import io
import itertools
import mimetypes
from pathlib import PurePath

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.vcard_export import (
    PRODID,
    OrganizationCard,
    PersonCard,
    Photo,
    organization_card,
    person_card,
)
from followthrough.exchange.exports.vcard_fields import KNOWN_TYPES, CardFields
from followthrough.exchange.formats import registry
from followthrough.exchange.formats.records import OrganizationRecord, PartialDate, PersonRecord
from followthrough.exchange.formats.vcard.writer import (
    card,
    escape,
    fold,
    fold_line,
    line,
    param_value,
    text,
)
from followthrough.people.models import ContactKind

VERSIONS = st.sampled_from(["3.0", "4.0"])
_TYPE_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


# -- the reference: the exporter's cards as vobject wrote them ----------------------


def _vobject_card(version: str):
    built = vobject.vCard()
    built.add("version").value = version
    built.add("prodid").value = PRODID
    return built


def _vobject_add(built, name: str, value: object, label: str, version: str, groups) -> None:
    """A contact line: plain type tokens as TYPE (`pref` as PREF=1 in 4.0), any other
    label as Apple's group with its X-ABLabel."""
    tokens = [t.strip() for t in label.split(",") if t.strip()]
    tokens = [t.lower() if t.lower() in KNOWN_TYPES else t for t in tokens]
    if not tokens or all(t and set(t) <= _TYPE_TOKEN for t in tokens):
        added = built.add(name)
        tokens = list(dict.fromkeys(tokens))
        if version == "4.0" and "pref" in tokens:
            tokens.remove("pref")
            added.params["PREF"] = ["1"]
        if tokens:
            added.type_paramlist = tokens
    else:
        group = f"ft{next(groups)}"
        added = built.add(name, group=group)
        built.add("x-ablabel", group=group).value = label
    if isinstance(value, str) and name == "impp":  # a URI: as it is
        added.value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
        added.behavior, added.encoded = None, True
    else:
        added.value = value


def _vobject_add_raw(built, name: str, value: str, **params: str) -> None:
    added = built.add(name)
    for key, param in params.items():
        setattr(added, f"{key}_param", param)
    added.value = value
    added.behavior = None
    added.encoded = True


def _vobject_birthday(birthday, version: str) -> str:
    year, month, day = birthday
    if not (month and day):
        return ""
    if version == "4.0":
        return f"{year:04d}{month:02d}{day:02d}" if year else f"--{month:02d}{day:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _vobject_serialize(built) -> str:
    # vobject folds by characters, not octets: the exporter folded its output itself
    unfolded = built.serialize(lineLength=10**9)
    return "\r\n".join(_reference_fold(line) for line in unfolded.split("\r\n"))


def _reference_fold(line: str) -> str:
    """The exporter's folding before it had its own writer (75 octets, whole characters)."""
    if len(line) <= 75 and line.isascii():
        return line
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # the fold's space counts
        current.append(char)
        size += octets
    parts.append("".join(current))
    return "\r\n ".join(parts)


def vobject_person_card(person: PersonCard, version: str) -> str:
    built = _vobject_card(version)
    card = person.card
    built.add("n").value = vobject.vcard.Name(
        family=person.last_name, given=person.first_name, additional=card.middle_name,
        prefix=card.name_prefix, suffix=card.name_suffix,
    )  # fmt: skip
    built.add("fn").value = (
        card.formatted_name or person.full_name or f"{person.first_name} {person.last_name}".strip()
    )
    names = {
        ContactKind.EMAIL: "email", ContactKind.PHONE: "tel", ContactKind.URL: "url",
        ContactKind.IM: "impp",
    }  # fmt: skip
    groups = itertools.count(1)
    for kind, value, label in person.contacts:
        if kind in names:
            _vobject_add(built, names[kind], value, label, version, groups)
        else:
            address = vobject.vcard.Address(street=value)
            _vobject_add(built, "adr", address, label, version, groups)
    if person.organization is not None:
        departments = person.department.split("; ") if person.department else []
        built.add("org").value = [person.organization, *departments]
        if version == "4.0" and person.organization_uid:
            built.add("related").value = person.organization_uid
    if person.role or person.headline:
        built.add("title").value = person.role or person.headline
    if person.function:
        built.add("role").value = person.function
    if person.notes:
        built.add("note").value = person.notes
    if person.tags:
        built.add("categories").value = list(person.tags)
    if birthday := _vobject_birthday(person.birthday, version):
        built.add("bday").value = birthday
    if person.photo:
        data = base64.b64encode(person.photo.data).decode("ascii")
        if version == "4.0":
            media_type = mimetypes.guess_type(person.photo.name)[0] or "image/jpeg"
            _vobject_add_raw(built, "photo", f"data:{media_type};base64,{data}")
        else:
            subtype = PurePath(person.photo.name).suffix.lstrip(".").upper() or "JPEG"
            kind = "JPEG" if subtype == "JPG" else subtype
            _vobject_add_raw(built, "photo", data, encoding="b", type=kind)
    built.add("uid").value = person.uid
    return _vobject_serialize(built)


def vobject_organization_card(organization: OrganizationCard, version: str) -> str:
    built = _vobject_card(version)
    if version == "4.0":
        built.add("kind").value = "org"
    built.add("n").value = vobject.vcard.Name()
    built.add("fn").value = organization.name
    built.add("org").value = [organization.name]
    if organization.website:
        built.add("url").value = organization.website
    if organization.location:
        built.add("adr").value = vobject.vcard.Address(street=organization.location)
    if organization.notes:
        built.add("note").value = organization.notes
    if organization.tags:
        built.add("categories").value = list(organization.tags)
    if version == "3.0":
        built.add("x-abshowas").value = "COMPANY"
    built.add("uid").value = organization.uid
    return _vobject_serialize(built)


# -- any values: byte for byte what vobject writes ----------------------------------

SPECIAL = st.sampled_from(
    [",", ";", ":", '"', "\\", "\n", "\r", "\t", "é", "Ж", "😀", "中", "\u200b", " "]
)
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | SPECIAL, max_size=120)
LABELS = st.sampled_from(
    ["", "work", "home", " Cell ", "x-custom", "two words", "é", "a,b", "work, cell", "pref",
     "home, pref", "Summer; house", "x:y"]
)  # fmt: skip
KINDS = st.sampled_from([k.value for k in ContactKind])
BIRTHDAYS = st.tuples(
    st.none() | st.integers(1, 9999), st.none() | st.integers(1, 12), st.none() | st.integers(1, 31)
)
PHOTO_NAMES = st.sampled_from(
    ["a.png", "b.jpg", "c.JPEG", "photos/1/d", "e.gif", "f.p,g", "g.we:bp", "h.x;y", "i.webp"]
)
PHOTOS = st.none() | st.builds(Photo, name=PHOTO_NAMES, data=st.binary(min_size=1, max_size=400))


def person_cards(text_values: st.SearchStrategy[str] = ANY_TEXT) -> st.SearchStrategy[PersonCard]:
    return st.builds(
        PersonCard,
        uid=text_values,
        first_name=text_values,
        last_name=text_values,
        full_name=text_values,
        headline=text_values,
        notes=text_values,
        birthday=BIRTHDAYS,
        contacts=st.lists(st.tuples(KINDS, text_values, LABELS), max_size=5),
        organization=st.none() | text_values,
        organization_uid=text_values,
        role=text_values,
        tags=st.lists(text_values, max_size=4),
        photo=PHOTOS,
        # the address book's values that vobject writes itself (N's parts, FN, ORG, ROLE)
        card=st.builds(
            CardFields,
            name_prefix=text_values,
            middle_name=text_values,
            name_suffix=text_values,
            formatted_name=text_values,
        ),
        department=text_values,
        function=text_values,
    )


ORGANIZATION_CARDS = st.builds(
    OrganizationCard,
    uid=ANY_TEXT,
    name=ANY_TEXT,
    website=ANY_TEXT,
    location=ANY_TEXT,
    notes=ANY_TEXT,
    tags=st.lists(ANY_TEXT, max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(person=person_cards(), version=VERSIONS)
def test_a_person_card_is_what_vobject_writes(person, version):
    assert person_card(person, version) == vobject_person_card(person, version)


@settings(max_examples=200, deadline=None)
@given(organization=ORGANIZATION_CARDS, version=VERSIONS)
def test_an_organization_card_is_what_vobject_writes(organization, version):
    assert organization_card(organization, version) == vobject_organization_card(
        organization, version
    )


# -- what readers make of it --------------------------------------------------------

# Values an import keeps as they are: no control characters, no space around them.
CLEAN = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
    | st.sampled_from([",", ";", ":", '"', "\\", "é", "Ж", "😀", "中"]),
    min_size=1,
    max_size=90,
).filter(lambda s: s.strip() == s and s)
MULTILINE = st.lists(CLEAN, min_size=1, max_size=3).map("\n".join)
# E-mails, phones and links: no backslash (the importer drops those, for Apple's URLs)
# and no `mailto:`/`tel:` in front (the importer drops that scheme).
ADDRESSES = CLEAN.filter(lambda s: "\\" not in s and not s.lower().startswith(("mailto", "tel")))


# The importer refuses a malformed e-mail address (naming its line), so e-mails are real.
EMAILS = st.from_regex(r"[a-zA-Z0-9_%+-]{1,20}@[a-z0-9]{1,12}\.(org|com|de)", fullmatch=True)
OTHER_KINDS = st.sampled_from([k.value for k in ContactKind if k != ContactKind.EMAIL])
CONTACT_LABELS = st.sampled_from(["", "work", "home", "cell"])
PLAIN_PHOTO_NAMES = st.sampled_from(["a.png", "b.jpg", "c.gif"])


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if not (v.casefold() in seen or seen.add(v.casefold()))]


CLEAN_PEOPLE = st.builds(
    PersonCard,
    uid=CLEAN,
    first_name=CLEAN,  # a card without a name but its ORG reads as an organization
    last_name=CLEAN,
    full_name=CLEAN,
    headline=CLEAN,
    notes=MULTILINE,
    birthday=st.tuples(st.none() | st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28)),
    contacts=st.lists(
        st.tuples(st.just("email"), EMAILS, CONTACT_LABELS)
        | st.tuples(OTHER_KINDS, ADDRESSES, CONTACT_LABELS),
        max_size=5,
        unique_by=lambda c: (c[0], c[1].casefold()),
    ),
    organization=st.none() | CLEAN,
    organization_uid=CLEAN | st.just(""),
    role=CLEAN | st.just(""),
    tags=st.lists(CLEAN, max_size=4).map(_unique),
    photo=st.none() | st.builds(Photo, name=PLAIN_PHOTO_NAMES, data=st.binary(min_size=1)),
)


def _of_kind(person: PersonCard, kind: str) -> list[str]:
    return [value for k, value, _ in person.contacts if k == kind]


def _expected(person: PersonCard, version: str) -> dict:
    """The record an import should make of the person's card."""
    year, month, day = person.birthday
    media_type = mimetypes.guess_type(person.photo.name)[0] if person.photo else ""
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "organization": person.organization or "",
        # 4.0 only: RELATED, the organization card's UID
        "organization_ref": person.organization_uid
        if version == "4.0" and person.organization is not None
        else "",
        "role": person.role or person.headline,
        "emails": _of_kind(person, ContactKind.EMAIL),
        "phones": _of_kind(person, ContactKind.PHONE),
        "links": _of_kind(person, ContactKind.URL),
        "addresses": _of_kind(person, ContactKind.ADDRESS),
        "tags": person.tags,
        "notes": person.notes,
        "birthday": (year, month, day),
        "photo": (person.photo.data, media_type) if person.photo else None,
        "uid": person.uid,
    }


def _read_by_vobject(written: str, version: str) -> dict:
    parsed = vobject.readOne(written)
    assert parsed.version.value == version

    def values(name: str) -> list:
        return [item.value for item in parsed.contents.get(name, [])]

    birthday = (values("bday") or [""])[0]
    digits = birthday.replace("-", "")
    year = int(digits[:4]) if not birthday.startswith("--") else None
    photo = None
    if "photo" in parsed.contents:
        # vobject cuts a 4.0 data: URI at its comma (a gap of its reader): read it whole
        value = parsed.photo.value
        if version == "4.0":
            unfolded = written.replace("\r\n ", "")
            value = base64.b64decode(unfolded.split("PHOTO:data:")[1].split(",")[1].split()[0])
            media_type = unfolded.split("PHOTO:data:")[1].split(";")[0]
        else:
            media_type = f"image/{parsed.photo.params['TYPE'][0].lower()}"
        photo = (value, media_type)
    return {
        "first_name": parsed.n.value.given,
        "last_name": parsed.n.value.family,
        "full_name": parsed.fn.value,
        "organization": values("org")[0][0] if "org" in parsed.contents else "",
        "organization_ref": (values("related") or [""])[0],
        "role": (values("title") or [""])[0],
        "emails": values("email"),
        "phones": values("tel"),
        "links": values("url"),
        "addresses": [address.street for address in values("adr")],
        "tags": values("categories")[0] if "categories" in parsed.contents else [],
        "notes": (values("note") or [""])[0],
        "birthday": (year, int(digits[-4:-2]), int(digits[-2:])) if birthday else (None,) * 3,
        "photo": photo,
        "uid": parsed.uid.value,
    }


def _read_by_importer(written: str) -> dict:
    (record,) = registry.parse("vcard", io.BytesIO(written.encode()), registry.ParseOptions())
    assert isinstance(record, PersonRecord)
    birthday = record.birthday or PartialDate(1, 1)
    return {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "full_name": record.full_name,
        "organization": record.organization,
        "organization_ref": record.organization_ref,
        "role": record.role,
        "emails": record.emails,
        "phones": record.phones,
        "links": record.links,
        "addresses": record.addresses,
        "tags": record.tags,
        "notes": record.notes,
        "birthday": (birthday.year, birthday.month, birthday.day) if record.birthday else None,
        "photo": (record.photo.data, record.photo.media_type) if record.photo else None,
        "uid": record.external_ids.get("vcard-uid", ""),
    }


@settings(max_examples=150, deadline=None)
@given(person=CLEAN_PEOPLE, version=VERSIONS)
def test_vobject_and_the_importer_read_the_person_that_was_written(person, version):
    written = person_card(person, version)
    expected = _expected(person, version)
    assert _read_by_vobject(written, version) == expected
    assert _read_by_importer(written) == expected


@settings(max_examples=100, deadline=None)
@given(
    organization=st.builds(
        OrganizationCard, uid=CLEAN, name=CLEAN, website=ADDRESSES | st.just(""),
        location=MULTILINE | st.just(""), notes=MULTILINE | st.just(""),
        tags=st.lists(CLEAN, max_size=4).map(_unique),
    ),
    version=VERSIONS,
)  # fmt: skip
def test_vobject_and_the_importer_read_the_organization_that_was_written(organization, version):
    written = organization_card(organization, version)
    parsed = vobject.readOne(written)
    (record,) = registry.parse("vcard", io.BytesIO(written.encode()), registry.ParseOptions())
    assert isinstance(record, OrganizationRecord)
    read = {
        "name": record.name,
        "website": record.website,
        "addresses": record.addresses,
        "notes": record.notes,
        "tags": record.tags,
        "uid": record.external_ids["vcard-uid"],
    }
    assert read == {
        "name": parsed.org.value[0],
        "website": parsed.url.value if "url" in parsed.contents else "",
        "addresses": [parsed.adr.value.street] if "adr" in parsed.contents else [],
        "notes": parsed.note.value if "note" in parsed.contents else "",
        "tags": parsed.categories.value if "categories" in parsed.contents else [],
        "uid": parsed.uid.value,
    }
    assert read == {
        "name": organization.name,
        "website": organization.website,
        "addresses": [organization.location] if organization.location else [],
        "notes": organization.notes,
        "tags": organization.tags,
        "uid": organization.uid,
    }


# -- the rules, one by one ----------------------------------------------------------


def test_text_is_escaped_as_rfc_6350_asks():
    assert escape("a\\b,c;d:e\nf\r\ng\rh") == "a\\\\b\\,c\\;d:e\\nf\\ng\\nh"
    assert escape("plain") == "plain"


def test_parameters_are_sorted_and_quoted_when_they_must_be():
    assert line("photo", "x", {"type": "a,b", "encoding": "b"}).text == (
        'PHOTO;ENCODING=b;TYPE="a,b":x\r\n'
    )
    assert param_value("x:y") == '"x:y"'
    assert param_value('say "hi"') == "say hi"  # no DQUOTE can be in a parameter value


def test_a_card_puts_version_prodid_and_uid_first_then_names_in_order():
    given = [("N", "b"), ("UID", "u"), ("EMAIL", "2"), ("VERSION", "4.0"), ("EMAIL", "1"),
             ("ADR", "a"), ("PRODID", "p")]  # fmt: skip
    written = card(text(name, value) for name, value in given)
    assert written == (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:p\r\nUID:u\r\nADR:a\r\nEMAIL:2\r\nEMAIL:1\r\n"
        "N:b\r\nEND:VCARD\r\n"
    )


@pytest.mark.parametrize(
    ("line_text", "parts"),
    [
        ("x" * 75, ["x" * 75]),
        ("x" * 76, ["x" * 75, " x"]),
        ("x" * 75 + "y" * 74 + "z", ["x" * 75, " " + "y" * 74, " z"]),
        ("x" * 74 + "é", ["x" * 74, " é"]),  # é is two octets: it does not fit in the 75th
        ("x" * 73 + "é", ["x" * 73 + "é"]),
        ("x" * 73 + "😀y", ["x" * 73, " 😀y"]),
    ],
)
def test_lines_fold_at_75_octets_never_inside_a_character(line_text, parts):
    assert fold_line(line_text).split("\r\n") == parts


@given(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")))
def test_folding_keeps_lines_within_75_octets_and_characters_whole(one_line):
    folded = fold_line(one_line)
    assert folded.replace("\r\n ", "") == one_line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert fold(f"{one_line}\r\n{one_line}") == f"{folded}\r\n{folded}"
