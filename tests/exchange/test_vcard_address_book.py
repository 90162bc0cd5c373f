"""The vCard parser fills what an address book holds (issue 13's mapping rules): name
parts, nickname, department and function, types and labels of contact points (Apple's
groups too), address structure, messaging handles, anniversary, gender, time zone, geo,
photo link, related people, and every other property kept verbatim within its limits.
Parser only: small cards, the repros in data/vcard/ and the real files of corpus/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from followthrough.exchange.formats.records import (
    CardProperty,
    ContactDetail,
    OrganizationRecord,
    PartialDate,
    PersonRecord,
)
from followthrough.exchange.formats.vcard.address_book import MAX_OTHER, MAX_VALUE
from followthrough.exchange.formats.vcard.parser import parse

HERE = Path(__file__).parent
DATA = HERE / "data" / "vcard"
CORPUS = HERE / "corpus"


def records(data: bytes) -> list:
    return list(parse(io.BytesIO(data)))


def card(*lines: str, version: str = "3.0") -> bytes:
    text = "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", "FN:A B", *lines, "END:VCARD"])
    return (text + "\r\n").encode("utf-8")


def person(*lines: str, version: str = "3.0") -> PersonRecord:
    (record,) = records(card(*lines, version=version))
    assert isinstance(record, PersonRecord)
    return record


def from_file(path: Path) -> PersonRecord:
    (record,) = records(path.read_bytes())
    assert isinstance(record, PersonRecord)
    return record


def label(record: PersonRecord, kind: str, value: str) -> str:
    return record.contact_details[(kind, value)].label


# --- names, organization, role ---------------------------------------------------------


def test_name_parts_nickname_department_and_function():
    record = person(
        "N:Doe;John;Richter,James;Mr.;Sr.",
        "NICKNAME:Johnny,J\\,D",
        "NICKNAME:Jo",
        "ORG:IBM;Accounting;Payroll",
        "TITLE:Money Counter",
        "ROLE:Counting Money",
    )
    assert (record.name_prefix, record.middle_name, record.name_suffix) == (
        "Mr.",
        "Richter James",
        "Sr.",
    )
    assert record.nickname == "Johnny, J,D, Jo"
    assert (record.organization, record.department) == ("IBM", "Accounting; Payroll")
    assert (record.role, record.function) == ("Money Counter", "Counting Money")
    assert record.other == []


def test_role_without_title_stays_the_role():
    record = person("ROLE:Counting Money")
    assert (record.role, record.function) == ("Counting Money", "")


# --- types and labels ------------------------------------------------------------------


def test_types_are_lower_cased_deduplicated_without_defaults_and_pref_from_pref_n():
    record = person(
        "EMAIL;TYPE=INTERNET,WORK;TYPE=work:a@example.org",
        "TEL;TYPE=VOICE;TYPE=CELL;PREF=1:+1 555 0100",
        "TEL;TYPE=x400:+1 555 0101",
        "URL;TYPE=home:https://a.example.org",
        "ADR;TYPE=work,pref:;;1 Main St;Springfield;;12345;USA",
        version="4.0",
    )
    assert label(record, "email", "a@example.org") == "work"
    assert label(record, "phone", "+1 555 0100") == "cell, pref"
    assert ("phone", "+1 555 0101") not in record.contact_details  # only defaults
    assert label(record, "url", "https://a.example.org") == "home"
    address = "1 Main St, Springfield, 12345, USA"
    assert record.contact_details[("address", address)] == ContactDetail(
        label="work, pref",
        parts=(
            ("street", "1 Main St"),
            ("locality", "Springfield"),
            ("code", "12345"),
            ("country", "USA"),
        ),
    )


def test_21_bare_types():
    record = person(
        "TEL;WORK;VOICE;PREF:+49 30 1", "EMAIL;INTERNET;HOME:j@example.de", version="2.1"
    )
    assert label(record, "phone", "+49 30 1") == "work, pref"
    assert label(record, "email", "j@example.de") == "home"


def test_address_parts_keep_every_part_and_the_one_line_value_stays():
    record = person("ADR;TYPE=home:PO 7;Apt 2;1 Main St;Springfield;IL;62701;USA")
    (address,) = record.addresses
    assert address == "PO 7, Apt 2, 1 Main St, Springfield, IL 62701, USA"
    assert dict(record.contact_details[("address", address)].parts) == {
        "box": "PO 7",
        "extended": "Apt 2",
        "street": "1 Main St",
        "locality": "Springfield",
        "region": "IL",
        "code": "62701",
        "country": "USA",
    }


def test_apple_groups_give_labels_relations_and_the_anniversary():
    record = from_file(DATA / "apple_groups_labels_related_dates.vcf")
    assert (record.name_prefix, record.middle_name, record.name_suffix) == (
        "Dr.",
        "Maria Anna",
        "PhD",
    )
    assert label(record, "email", "greta@example.org") == "home, pref"
    # A custom label is the user's words alone (the type it came with is not kept).
    assert label(record, "address", "Strandvägen 3, Båstad, 269 39, Sweden") == "Summer house"
    assert label(record, "url", "https://greta.example.org") == "homepage"
    assert record.ims == ["xmpp:greta@jabber.example.org"]
    assert label(record, "im", "xmpp:greta@jabber.example.org") == "work, pref"
    assert record.related == [("spouse", "Olof Lund"), ("Sailing buddy", "Kim")]
    assert record.anniversary == PartialDate(month=6, day=19, year=2004)
    # What no field takes is kept with its group, its label too; PRODID and REV are not.
    assert record.other == [
        CardProperty("item8.X-ABDATE", "", "2012-09-01"),
        CardProperty("item8.X-ABLabel", "", "First boat"),
        CardProperty("X-ABUID", "", "5B3A1C2D-0000-4000-8000-ABCDEF012345\\:ABPerson"),
    ]
    assert record.warnings == []


# --- messaging -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "uri"),
    [
        ("IMPP:xmpp:alice@example.org", "xmpp:alice@example.org"),
        ("X-AIM:alice", "aim:alice"),
        ("X-ICQ:12345", "icq:12345"),
        ("X-JABBER:alice@jabber.org", "xmpp:alice@jabber.org"),
        ("X-GTALK:alice@gmail.com", "xmpp:alice@gmail.com"),
        ("X-GOOGLE-TALK:alice@gmail.com", "xmpp:alice@gmail.com"),
        ("X-MSN:alice@live.com", "msnim:alice@live.com"),
        ("X-YAHOO:alice", "ymsgr:alice"),
        ("X-SKYPE:alice", "skype:alice"),
        ("X-SKYPE-USERNAME:alice", "skype:alice"),
        ("X-QQ:9876", "qq:9876"),
        ("X-GADUGADU:4523", "gg:4523"),
        ("X-SIP:alice@sip.example.org", "sip:alice@sip.example.org"),
        ("X-SIP:sip:alice@sip.example.org", "sip:alice@sip.example.org"),
        ("X-MS-IMADDRESS:alice@aol.com", "im:alice@aol.com"),
        ("X-MS-IMADDRESS:xmpp:alice@example.org", "xmpp:alice@example.org"),
        ("X-KADDRESSBOOK-X-IMADDRESS:alice@example.org", "im:alice@example.org"),
        ("X-messaging/gadu-All:452342", "gg:452342"),
        ("X-messaging/skype-All:antoni", "skype:antoni"),
        ("X-messaging/xmpp-All:a@kde.org", "xmpp:a@kde.org"),
    ],
)
def test_messaging_handles_become_uris(line, uri):
    record = person(line)
    assert record.ims == [uri]
    assert record.other == []
    assert record.warnings == []


def test_messaging_handles_keep_their_types_and_no_duplicates():
    record = person("X-AIM;TYPE=HOME:alice", "IMPP;TYPE=work:aim:alice", "X-JABBER:b@j.org")
    assert record.ims == ["aim:alice", "xmpp:b@j.org"]
    assert label(record, "im", "aim:alice") == "home"


# --- dates, gender, time zone, geo, photo link -----------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "ANNIVERSARY:20090808",
        "X-ANNIVERSARY:2009-08-08",
        "X-MS-ANNIVERSARY:20090808",
        "X-KADDRESSBOOK-X-ANNIVERSARY:2009-08-08",
        "X-EVOLUTION-ANNIVERSARY:2009-08-08",
        "ANNIVERSARY:20090808T1430-0500",
    ],
)
def test_anniversary_spellings(line):
    record = person(line)
    assert record.anniversary == PartialDate(month=8, day=8, year=2009)
    assert record.other == []


def test_anniversary_without_a_year_and_an_unreadable_one_kept_verbatim():
    assert person("ANNIVERSARY:--0808").anniversary == PartialDate(month=8, day=8)
    record = person("ANNIVERSARY:last summer", "X-ANNIVERSARY:2009-02-30")
    assert record.anniversary is None
    assert [p.value for p in record.other] == ["last summer", "2009-02-30"]


@pytest.mark.parametrize(
    ("lines", "gender", "identity"),
    [
        (["GENDER:F;woman"], "F", "woman"),
        (["GENDER:M"], "M", ""),
        (["GENDER:male;"], "M", ""),
        (["GENDER:X;agender"], "", "X; agender"),
        (["GENDER:;it's complicated"], "", "it's complicated"),
        (["GENDER:O;non-binary"], "O", "non-binary"),
        (["X-GENDER:Male"], "M", ""),
        (["X-GENDER:female"], "F", ""),
        (["X-GENDER:Genderfluid"], "", "Genderfluid"),
    ],
)
def test_gender(lines, gender, identity):
    record = person(*lines)
    assert (record.gender, record.gender_identity) == (gender, identity)
    assert record.other == []


def test_time_zone_geo_and_photo_link():
    record = person(
        "TZ:Europe/Berlin",
        "GEO:geo:46.772673\\,-71.282945;u=10",
        "PHOTO:https://example.org/me.jpg",
        version="4.0",
    )
    assert (record.time_zone, record.geo) == ("Europe/Berlin", "46.772673,-71.282945")
    assert (record.photo, record.photo_url) == (None, "https://example.org/me.jpg")
    assert record.other == []
    record = person("TZ:-05:00", "GEO:37.386013;-122.082932", "PHOTO;VALUE=uri:http://x.org/p.png")
    assert (record.time_zone, record.geo) == ("-05:00", "37.386013,-122.082932")
    assert record.photo_url == "http://x.org/p.png"


def test_geo_out_of_range_and_other_photo_uris_are_kept_verbatim():
    record = person("GEO:123.5;10", "PHOTO;VALUE=uri:cid:photo-1@example.org")
    assert (record.geo, record.photo_url, record.photo) == ("", "", None)
    assert record.other == [
        CardProperty("GEO", "", "123.5;10"),
        CardProperty("PHOTO", "VALUE=uri", "cid:photo-1@example.org"),
    ]


# --- related people --------------------------------------------------------------------


def test_related_people_and_the_organization_card_they_are_not():
    data = card("KIND:org", "UID:urn:uuid:org-1", "ORG:Acme", version="4.0").replace(
        b"FN:A B\r\n", b""
    ) + card(
        "N:B;A;;;",
        "RELATED;TYPE=spouse;VALUE=text:Chris B",
        "RELATED;TYPE=friend:urn:uuid:person-2",
        "RELATED:urn:uuid:org-1",
        "RELATED;TYPE=sibling,friend;PREF=1:https://example.org/dana",
        "X-MS-SPOUSE:Chris",
        "X-MS-MANAGER:Big Blue",
        "X-KADDRESSBOOK-X-ASSISTANTSNAME:Jenny",
        version="4.0",
    )
    organization, record = records(data)
    assert isinstance(organization, OrganizationRecord)
    assert (record.organization_ref, record.organization) == ("urn:uuid:org-1", "Acme")
    assert record.related == [
        ("spouse", "Chris B"),
        ("friend", "urn:uuid:person-2"),
        ("sibling, friend", "https://example.org/dana"),
        ("spouse", "Chris"),
        ("manager", "Big Blue"),
        ("assistant", "Jenny"),
    ]


# --- kept verbatim, and its limits -----------------------------------------------------


def test_21_quoted_printable_is_kept_decoded_and_the_agent_card_is_warned_about():
    record = from_file(DATA / "v21_quoted_printable_kept_im_agent.vcf")
    assert (record.first_name, record.last_name) == ("Jürgen", "Müller")
    assert label(record, "phone", "+49 30 1234567") == "work, pref"
    assert record.ims == ["skype:juergen.m", "im:juergen@example.de", "sip:juergen@sip.example.de"]
    assert record.other == [
        CardProperty("X-CUSTOM-NOTE", "", "Grüße;Zeile 1\\nZeile 2"),
        CardProperty("LABEL", "TYPE=HOME", "Hauptstr. 1\\n10115 Berlin"),
    ]
    assert record.warnings == ["the card in AGENT on line 13 is left out"]


def test_other_properties_keep_name_group_params_and_escaped_value_as_written():
    record = person(
        'item9.X-Custom;TYPE=home;X-Note="a;b":one\\, two\\;three\\n',
        "KEY;TYPE=work;VALUE=uri:http://example.org/key.asc",
        "X-ABShowAs:PERSON",  # read (an organization card would say COMPANY): not kept
    )
    assert record.other == [
        CardProperty("item9.X-Custom", 'TYPE=home;X-Note="a;b"', "one\\, two\\;three\\n"),
        CardProperty("KEY", "TYPE=work;VALUE=uri", "http://example.org/key.asc"),
    ]


def test_an_oversized_value_and_properties_past_the_limit_are_left_out_with_warnings():
    many = [f"X-N{i}:{i}" for i in range(MAX_OTHER + 3)]
    record = person("KEY;ENCODING=b:" + "A" * (MAX_VALUE + 1), *many)
    assert len(record.other) == MAX_OTHER
    assert record.other[-1] == CardProperty(f"X-N{MAX_OTHER - 1}", "", str(MAX_OTHER - 1))
    assert record.warnings == [
        "KEY on line 4 is longer than 16,000 characters: left out",
        f"3 more properties of the card on line 1 left out (at most {MAX_OTHER} are kept)",
    ]


def test_unreadable_parameters_on_a_property_not_read_leave_it_out_with_a_warning():
    record = person('X-ODD;X-P="unclosed:value', "EMAIL:a@example.org")
    assert record.emails == ["a@example.org"]
    assert record.other == []
    assert record.warnings == ["“X-ODD” on line 4 has unreadable parameters: left out"]


def test_a_birthday_that_is_no_date_is_kept_verbatim():
    record = person("BDAY;VALUE=text:circa 1800")
    assert record.birthday is None
    assert record.other == [CardProperty("BDAY", "VALUE=text", "circa 1800")]


# --- real files ------------------------------------------------------------------------


def test_corpus_gmail_apple_groups():
    record = from_file(
        CORPUS / "ez-vcard/src__test__resources__ezvcard__io__text__gmail-single2.vcf"
    )
    assert record.nickname == "TheNickname"
    assert label(record, "email", "homeemail@example.com") == "home"
    assert label(record, "email", "customcategory@example.com") == "CustomEmailCategory"
    assert label(record, "phone", "5555551117") == "home, fax"
    assert label(record, "phone", "5555551119") == "GRAND_CENTRAL"
    assert label(record, "url", "http://www.example4.com") == "homepage"
    assert label(record, "address", "115 Main St, NY, New York 10011") == "CustomAddressCategory"
    assert record.ims == [
        "xmpp:IM2",
        "aim:IM3",
        "ymsgr:IM4",
        "skype:IM5",
        "qq:IM6",
        "msnim:IM7",
        "icq:IM8",
        "xmpp:IM9",
    ]
    assert record.anniversary == PartialDate(month=3, day=20, year=1930)
    assert record.related[:3] == [("", "Name1"), ("spouse", "Name2"), ("child", "Name3")]
    assert ("CustomRelationCategory", "Name16") in record.related
    assert len(record.related) == 16
    assert [p.name for p in record.other] == [
        "X-PHONETIC-FIRST-NAME",
        "X-PHONETIC-LAST-NAME",
        "X-ABDATE",
        "item10.X-ABDATE",
        "item10.X-ABLabel",
    ]


def test_corpus_outlook_21():
    path = CORPUS / "ez-vcard/src__test__resources__ezvcard__io__text__John_Doe_MS_OUTLOOK.vcf"
    record = from_file(path)
    assert (record.name_prefix, record.middle_name, record.name_suffix) == (
        "Mr.",
        "Richter James",
        "Sr.",
    )
    assert (record.nickname, record.department) == ("Johny", "Accounting")
    assert (record.role, record.function) == ("Money Counter", "Counting Money")
    assert record.anniversary == PartialDate(month=1, day=13, year=2011)
    assert record.ims == ["im:johny5@aol.com"]
    assert record.related == [("manager", "Big Blue"), ("assistant", "Jenny")]
    assert label(record, "phone", "(905) 555-1234") == "work"
    address = "Cresent moon drive, Albaney, New York 12345, United States of America"
    assert label(record, "address", address) == "work, pref"
    # The quoted-printable LABEL is kept decoded; REV is regenerated, never kept.
    assert record.other[0] == CardProperty(
        "LABEL", "TYPE=WORK;TYPE=PREF", "Cresent moon drive\\nAlbaney, New York  12345"
    )
    assert "REV" not in {p.name for p in record.other}


def test_corpus_rfc6350_example():
    path = CORPUS / "ez-vcard/src__test__resources__ezvcard__io__text__rfc6350-example.vcf"
    record = from_file(path)
    assert (record.gender, record.time_zone) == ("M", "-0500")
    assert record.geo == "46.772673,-71.282945"
    assert record.anniversary == PartialDate(month=8, day=8, year=2009)
    assert label(record, "phone", "+1-418-262-6501") == "work, cell, video, text"
    assert [(p.name, p.params, p.value) for p in record.other if p.name == "KEY"] == [
        ("KEY", "TYPE=work;VALUE=uri", "http://www.viagenie.ca/simon.perreault/simon.asc")
    ]


def test_corpus_icaljs_40_card():
    record = from_file(CORPUS / "icaljs/test__parser__vcard.vcf")
    assert (record.gender, record.gender_identity) == ("M", "Fellow")
    assert record.department == "North American Division; Marketing"
    assert (record.role, record.function) == ("Research Scientist", "Project Leader")
    assert record.ims == ["xmpp:alice@example.com"]
    assert record.geo == "37.386013,-122.082932"
    assert record.photo_url == "http://www.example.com/pub/photos/jqpublic.gif"
    assert record.related == [("friend", "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")]
    assert record.anniversary == PartialDate(month=4, day=15, year=1996)


def test_corpus_kde_legacy_messaging_names():
    path = CORPUS / "ical4j-vcard/src__test__resources__samples__vcard-antoni-kontact.vcf"
    record = from_file(path)
    assert record.ims == [
        "im:antoni@kde-jabber.org",
        "gg:452342",
        "skype:antoni-kde-skype",
        "xmpp:antoni-kde@kde-jabber.org",
    ]
    assert record.anniversary == PartialDate(month=2, day=15, year=2008)
    assert record.geo == "45.000000,-87.300003"
    assert record.related == [("assistant", "Asok"), ("manager", "The Pointy-Haired Boss")]
    assert record.warnings == []


def test_corpus_fullcontact_photo_links_and_impp():
    path = CORPUS / "ez-vcard/src__test__resources__ezvcard__io__text__fullcontact.vcf"
    record = from_file(path)
    assert record.photo_url.startswith("https://d3m0kzytmr41b1.cloudfront.net/")
    # The same link twice is one; a second, other link is kept verbatim.
    assert [p.value[:30] for p in record.other if p.name == "PHOTO"] == [
        "https://d2ojpxxtu63wzl.cloudfr"
    ]
    assert "skype:skype" in record.ims and "xmpp:jabber" in record.ims
    assert (record.gender, record.nickname) == ("M", "NickName")


def test_corpus_sip_and_an_outlook_card_picture_too_large_to_keep():
    record = from_file(CORPUS / "android-vcard/tests__res__raw__v30_sip.vcf")
    assert record.ims == ["sip:android@android.example.com"]
    path = CORPUS / "ical4j-vcard/src__test__resources__samples__vcard-antoni-cardpicture.vcf"
    record = from_file(path)
    assert record.department == "Police"
    assert record.warnings == [
        "X-MS-CARDPICTURE on line 12 is longer than 16,000 characters: left out"
    ]
