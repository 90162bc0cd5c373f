"""Reading single .eml messages, among them cases of CPython's email test data."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from followthrough.exchange.formats.mail import MessageRecord, read_eml

DATA = Path(__file__).parent.parent / "data" / "mail"


def _read(name: str) -> MessageRecord:
    with (DATA / name).open("rb") as stream:
        (message,) = read_eml(stream)
    return message


def test_it_reads_an_outlook_reply_in_windows_1252():
    reply = _read("outlook_reply_cp1252.eml")
    assert reply.message_id == "AM0PR01MB1234@eurprd01.prod.outlook.example"
    assert reply.in_reply_to == "invite-1@food-bank.example"
    assert reply.sender is not None and reply.sender.name == "Zoë Château"
    assert reply.sender.normalized == "zoe.chateau@outlook.example"
    assert reply.subject == "Réponse : café"
    assert reply.snippet == "“Oui” \u2013 jeudi au café."
    assert reply.warnings == ()


def test_a_signed_message_gives_its_signed_text_and_its_own_in_reply_to():
    # CPython's msg_48.txt case: multipart/signed, an In-Reply-To in the inner part too.
    reply = _read("signed_reply.eml")
    assert reply.snippet == "I can take the Saturday shift."
    assert reply.in_reply_to == (
        "averyveryverylongunwrappablemessageidthatwerepliedto@food-bank.example"
    )


def test_an_impossible_hour_leaves_the_date_empty_with_a_warning():
    # CPython's msg_47.txt case: hour 27.
    message = _read("impossible_hour.eml")
    assert message.date is None
    assert (
        "message 1 (line 1): its Date “Wed, 07 Jun 2017 27:39:33 +0600” cannot be read; left empty"
    ) in message.warnings


def test_a_from_line_in_front_is_skipped():
    message = _read("saved_with_from_line.eml")
    assert message.line == 2
    assert message.message_id == "saved-9@youth-literacy.example"
    assert message.date == datetime(2024, 4, 12, 8, 0, tzinfo=UTC)
    assert message.snippet == "Plain text, UTF-8: naïve café."
    assert message.warnings == ()


def test_an_address_in_unicode_stays_as_it_is():
    message = _read("saved_with_from_line.eml")
    assert [a.address for a in message.to] == ["team@food-bank.example", "田中@例え.example"]
    assert message.to[1].name == "田中"


def test_an_address_is_lower_cased_for_matching_but_not_changed():
    raw = b"From: Ada <ADA@Example.ORG>\nMessage-ID: <x@y>\nDate: Mon, 1 Jan 2024 00:00 +0000\n\n"
    (message,) = read_eml(io.BytesIO(raw))
    assert message.sender is not None
    assert (message.sender.address, message.sender.normalized) == (
        "ADA@Example.ORG",
        "ada@example.org",
    )


def test_an_empty_file_gives_one_message_that_says_so():
    (message,) = read_eml(io.BytesIO(b""))
    assert "message 1 (line 1): it is empty" in message.warnings
    assert message.message_id_synthesized


def test_a_large_message_is_read_from_its_start_with_a_warning(monkeypatch):
    monkeypatch.setattr("followthrough.exchange.formats.mail.reader.MAX_KEPT", 2**20)
    raw = b"From: a@example.org\nSubject: big\n\n" + b"word " * 300_000
    (message,) = read_eml(io.BytesIO(raw))
    assert message.subject == "big"
    assert message.warnings[-1] == (
        "message 1 (line 1): it is larger than 1 MB; only its start was read"
    )


def test_8_bit_utf_8_in_a_body_that_says_us_ascii_is_read_as_utf_8():
    raw = (
        b"From: a@example.org\nContent-Type: text/plain; charset=us-ascii\n\n"
        b"Caf\xc3\xa9 \xe2\x80\x93 na\xc3\xafve\n"
    )
    (message,) = read_eml(io.BytesIO(raw))
    assert message.snippet == "Café \u2013 naïve"
