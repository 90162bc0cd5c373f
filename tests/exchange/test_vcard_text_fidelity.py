"""vCard text values come through whole (issue 13): a comma is text everywhere but in a
list (CATEGORIES), in 2.1, 3.0 and 4.0; and any text the exporter writes reads back
unchanged, whatever it holds."""

from __future__ import annotations

import io
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.vcard_export import PersonCard, person_card
from followthrough.exchange.formats.records import PersonRecord
from followthrough.exchange.formats.vcard.parser import parse

DATA = Path(__file__).parent / "data" / "vcard"


def _people(data: bytes) -> list[PersonRecord]:
    return [r for r in parse(io.BytesIO(data)) if isinstance(r, PersonRecord)]


def test_commas_in_text_values_are_kept_in_every_version():
    first, second, third = _people((DATA / "comma_cut_text_values.vcf").read_bytes())

    assert first.full_name == "Doe, Jane"
    assert (first.last_name, first.first_name) == ("Doe, Sr.", "Jane, Mary")
    assert first.role == "Director, Programs"
    assert first.phones == ["+1 555 0100, ext. 7"]
    assert first.links == ["https://example.org/a,b"]
    assert first.notes == "first part, second part"

    assert second.full_name == "Roe, Rick"
    assert second.last_name == "Roe, Jr."
    assert second.role == "Head, Outreach"
    assert second.notes == "met at the fair, liked the talk, asked for slides"
    assert second.tags == ["donor", "board"]  # a list: its commas separate

    assert third.notes == "one, two, three"


def test_a_formatted_name_with_a_comma_names_the_whole_person():
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Doe, Jane\r\nEND:VCARD\r\n"
    (person,) = _people(card)
    assert person.full_name == "Doe, Jane"


def test_escaped_backslash_before_a_comma_stays_a_backslash():
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nNOTE:C:\\\\dir,x\\,y,,\r\nEND:VCARD\r\n"
    (person,) = _people(card)
    assert person.notes == "C:\\dir,x,y,,"


# Text a person's fields may hold: commas, semicolons, backslashes, colons, quotes,
# line breaks inside, non-ASCII; no other control characters (the importer drops them)
# and no space at either end (it trims them).
_CHARS = st.sampled_from(list(",;\\:\"'\n =-.ÄéßЖ警察😀")) | st.characters(
    min_codepoint=0x21, max_codepoint=0x7E
)
_TEXT = st.text(_CHARS, min_size=1, max_size=40).map(str.strip).filter(bool)


def _qp(value: str) -> str:
    """A value as an Android 2.1 writer puts it: quoted-printable UTF-8 on one line."""
    data = value.replace("\n", "\r\n").encode("utf-8")
    return "".join(chr(b) if 32 < b < 127 and b != 61 else f"={b:02X}" for b in data)


def _card_2_1(person: PersonCard) -> str:
    """What Android's 2.1 exporter writes: a value that is not plain ASCII on one line
    quoted-printable in UTF-8, `;` in a compound value backslashed, a comma and a
    backslash as they are (2.1 escapes neither)."""

    def prop(name: str, value: str) -> str:
        if value.isascii() and "\n" not in value:
            return f"{name}:{value}\r\n"
        return f"{name};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(value)}\r\n"

    def compound(*parts: str) -> str:
        return ";".join(part.replace(";", "\\;") for part in parts)

    return "".join(
        [
            "BEGIN:VCARD\r\nVERSION:2.1\r\n",
            prop("N", compound(person.last_name, person.first_name, "", "", "")),
            prop("FN", person.full_name),
            prop("ORG", compound(person.organization or "")),
            prop("TITLE", person.role),
            prop("NOTE", person.notes),
            "END:VCARD\r\n",
        ]
    )


@settings(max_examples=100, deadline=None)
@given(
    version=st.sampled_from(["2.1", "3.0", "4.0"]),
    first=_TEXT,
    last=_TEXT,
    full=_TEXT,
    organization=_TEXT,
    role=_TEXT,
    notes=_TEXT,
)
def test_any_text_survives_export_and_import(version, first, last, full, organization, role, notes):
    person = PersonCard(
        uid="u-1",
        first_name=first,
        last_name=last,
        full_name=full,
        organization=organization,
        role=role,
        notes=notes,
    )
    if version == "2.1":
        # 2.1 cannot say a compound part ends in a backslash: `\;` is always a semicolon.
        assume(not any(part.endswith("\\") for part in (first, last, organization)))
        card = _card_2_1(person)
    else:
        card = person_card(person, version)

    (record,) = _people(card.encode("utf-8"))

    assert (record.first_name, record.last_name, record.full_name) == (first, last, full)
    assert (record.organization, record.role, record.notes) == (organization, role, notes)
