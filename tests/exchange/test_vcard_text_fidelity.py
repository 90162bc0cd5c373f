"""vCard text values come through whole (issue 13): a comma is text everywhere but in a
list (CATEGORIES), in 2.1, 3.0 and 4.0; and any text the exporter writes reads back
unchanged, whatever it holds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from followthrough.exchange.exports.vcard_export import PersonCard, person_card
from followthrough.exchange.formats.records import ParseError, PersonRecord
from followthrough.exchange.formats.vcard.parser import parse
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportSource
from followthrough.people.models import Person

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
@example(  # the issue's own case: plain 2.1 has no comma escaping
    version="2.1",
    first="Jane, Mary",
    last="Doe, Sr.",
    full="Doe, Jane",
    organization="Acme, Inc.",
    role="Director, Programs",
    notes="first part, second part",
)
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
        # Nor does it define a backslash in a plain (not quoted-printable) value: the
        # reader takes `\\`, `\n`, `\,` and `\;` there as 3.0 escapes, as the 2.1
        # writers that escape at all mean them.
        values = (first, last, full, organization, role, notes)
        assume(not any("\\" in v and v.isascii() and "\n" not in v for v in values))
        card = _card_2_1(person)
    else:
        card = person_card(person, version)

    (record,) = _people(card.encode("utf-8"))

    assert (record.first_name, record.last_name, record.full_name) == (first, last, full)
    assert (record.organization, record.role, record.notes) == (organization, role, notes)


# --- A file is refused only when what it means cannot be known (issue 13) -------------


def _load(workspace, name: str):
    data = (DATA / name).read_bytes()
    source = ImportSource("vcard", name)
    return import_records(workspace=workspace, records=list(parse(io.BytesIO(data))), source=source)


def test_a_card_with_only_a_phone_or_an_email_is_named_by_it(workspace):
    result = _load(workspace, "no_name_only_phone_or_email_android.vcf")

    names = sorted(Person.objects.filter(workspace=workspace).values_list("first_name", flat=True))
    assert names == ["+1 555 0101", "nameless@example.org"]
    # The card with nothing that names anyone is left out, and the result says where.
    assert result.warnings == ["line 9: no name and no e-mail address: left out"]


def test_international_email_addresses_are_accepted(workspace):
    _load(workspace, "international_email_rfc6531.vcf")

    person = Person.objects.get(workspace=workspace)
    emails = set(person.contact_points.filter(kind="email").values_list("value", flat=True))
    assert emails == {"警察@brown.org", "user@例え.jp"}


def test_a_malformed_email_is_still_refused_at_its_line():
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEMAIL:not an address@\r\nEND:VCARD\r\n"
    with pytest.raises(ParseError) as caught:
        list(parse(io.BytesIO(card)))
    assert (caught.value.line, caught.value.field) == (4, "EMAIL")


def test_legacy_property_names_and_a_broken_apple_fold_are_read_past(workspace):
    result = _load(workspace, "legacy_x_property_names_apple_broken_fold.vcf")

    person = Person.objects.get(workspace=workspace)
    assert (person.first_name, person.last_name) == ("John", "Appleseed")
    assert person.contact_points.filter(value="john@example.org").exists()
    # The legacy names are messaging handles now (test_vcard_address_book), not warned.
    assert result.warnings == [
        "line 1: line 8 read as the rest of line 7 (folded without the leading space)",
    ]


def test_a_line_that_is_no_property_after_a_legacy_name_is_not_blamed_on_fn():
    card = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nX-a/b:x\r\nNOTE:n\r\nno property\r\nEND:VCARD\r\n"
    )
    with pytest.raises(ParseError) as caught:
        list(parse(io.BytesIO(card)))
    assert caught.value.field == "NOTE"


def test_an_email_line_holding_several_addresses_gives_each():
    card = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\r\n"
        b"EMAIL;TYPE=pref:jane@example.org, j2@example.org\r\nEMAIL:JANE@example.org\r\n"
        b"END:VCARD\r\n"
    )
    (person,) = _people(card)
    assert person.emails == ["jane@example.org", "j2@example.org"]


def test_an_email_line_with_one_bad_address_is_refused_at_its_line():
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEMAIL:a@example.org, nope\r\nEND:VCARD\r\n"
    with pytest.raises(ParseError) as caught:
        list(parse(io.BytesIO(card)))
    assert (caught.value.line, caught.value.field) == (4, "EMAIL")


# --- What Android's own tests ask its reader to read past ------------------------------

ANDROID = Path(__file__).parent / "corpus" / "android-vcard"


def _android(name: str) -> list:
    with (ANDROID / f"tests__res__raw__{name}.vcf").open("rb") as stream:
        return list(parse(stream))


def test_a_comment_line_in_a_card_is_left_out_with_a_warning():
    (card,) = _android("v21_invalid_comment_line")
    assert card.notes == "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."
    assert card.warnings == [
        "line 6 is a comment (# …): left out",
        "line 9 is a comment (# …): left out",
    ]


def test_a_value_ending_in_a_backslash_goes_on_in_the_next_line():
    (card,) = _android("v21_adr_multiple_line")
    assert card.addresses[1] == (
        "Hermann v. Brevern\n9999999\nPackstation 999, Hamburg, 99999, Deutschland"
    )
    assert len(card.warnings) == 2 and "ends in a backslash" in card.warnings[0]


def test_an_e_mail_with_a_display_name_gives_its_address():
    (card,) = _android("v21_invalid_multiple_line")
    assert card.emails == ["omega@example.com"]
    assert card.warnings == [
        'the e-mail “"Omega"  <omega@example.com>” on line 4 read as omega@example.com'
    ]
