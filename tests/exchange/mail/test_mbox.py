"""Reading .mbox files: Thunderbird and Google Takeout layouts, quoting, encodings."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from followthrough.exchange.formats.mail import MessageRecord, read_mbox
from followthrough.exchange.formats.records import ParseError

DATA = Path(__file__).parent.parent / "data" / "mail"


def _read(name: str) -> list[MessageRecord]:
    with (DATA / name).open("rb") as stream:
        return list(read_mbox(stream))


def _mbox(raw: bytes) -> list[MessageRecord]:
    return list(read_mbox(io.BytesIO(raw)))


def test_it_reads_every_message_of_a_thunderbird_folder_with_crlf_lines():
    messages = _read("thunderbird_inbox.mbox")
    assert [m.index for m in messages] == [1, 2, 3, 4]
    assert [m.line for m in messages] == [1, 30, 47, 56]
    assert messages[0].message_id == "invite-1@food-bank.example"


def test_it_decodes_encoded_headers_in_several_charsets():
    invite, reply, *_ = _read("thunderbird_inbox.mbox")
    assert invite.subject == "Coffee next week? ☕"
    assert invite.sender is not None and invite.sender.name == "Jürgen Müller"
    assert [a.name for a in invite.cc] == ["Иван Петров"]
    assert reply.subject == "Re: “Coffee” next week?"  # Windows-1252 encoded word


def test_it_keeps_addresses_as_written_and_lower_cases_them_for_matching():
    invite = _read("thunderbird_inbox.mbox")[0]
    assert invite.sender is not None
    assert invite.sender.address == "Juergen.Mueller@Food-Bank.example"
    assert invite.sender.normalized == "juergen.mueller@food-bank.example"
    assert [(a.name, a.address) for a in invite.to] == [
        ("Okafor, Ada", "ada@youth-literacy.example"),
        ("", "team@food-bank.example"),
    ]


def test_it_keeps_an_internationalized_address_as_it_is():
    newsletter = _read("thunderbird_inbox.mbox")[3]
    assert newsletter.sender is not None
    assert newsletter.sender.address == "dörte@bücher.example"
    assert newsletter.sender.name == "Dörte"
    assert newsletter.message_id == "news-4@bücher.example"


def test_it_reads_the_thread_headers_of_a_reply():
    reply = _read("thunderbird_inbox.mbox")[1]
    assert reply.in_reply_to == "invite-1@food-bank.example"
    assert reply.references == ("earlier-0@food-bank.example", "invite-1@food-bank.example")


def test_a_date_without_a_zone_is_taken_as_utc_and_one_with_a_zone_keeps_it():
    invite, reply, *_ = _read("thunderbird_inbox.mbox")
    assert reply.date == datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
    assert invite.date == datetime(2024, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def test_a_malformed_date_is_left_empty_with_a_warning_naming_the_message():
    newsletter = _read("thunderbird_inbox.mbox")[3]
    assert newsletter.date is None
    assert newsletter.warnings == (
        "message 4 (line 56): its Date “yesterday afternoon” cannot be read; left empty",
    )


def test_the_snippet_is_the_plain_text_part_with_from_lines_unquoted():
    invite = _read("thunderbird_inbox.mbox")[0]
    assert invite.snippet == (
        "Hi Ada, would you like a coffee next week? ☕ From the board: we are all in."
    )


def test_a_body_declared_latin_1_is_read_as_windows_1252():
    reply = _read("thunderbird_inbox.mbox")[1]
    assert reply.snippet.startswith("Gladly \u2013 the café on Main Street")


def test_an_undeclared_8_bit_body_is_read_as_windows_1252():
    minutes = _read("thunderbird_inbox.mbox")[2]
    assert minutes.snippet == "“Minutes” attached \u2013 read before Friday."


def test_an_html_body_becomes_text_without_script_or_style():
    newsletter = _read("thunderbird_inbox.mbox")[3]
    assert newsletter.snippet == "Our reading club & café"


def test_a_message_without_message_id_gets_a_stable_marked_one():
    minutes = _read("thunderbird_inbox.mbox")[2]
    again = _read("thunderbird_inbox.mbox")[2]
    assert minutes.message_id_synthesized
    assert minutes.message_id == again.message_id
    assert minutes.message_id.endswith("@synthesized.followthrough.invalid")
    assert minutes.warnings == (
        "message 3 (line 47): it has no Message-ID; one was made from its date, sender and subject",
    )


def test_a_message_thunderbird_deleted_but_kept_is_marked():
    assert [m.deleted for m in _read("thunderbird_inbox.mbox")] == [False, False, True, False]


def test_it_reads_a_google_takeout_file_with_thread_ids_and_labels():
    first, second, _ = _read("takeout_all_mail.mbox")
    assert first.thread_id == second.thread_id == "1787654321098765432"
    assert first.labels == ("Inbox", "Opened", "Partners, 2024")
    assert second.labels == ("Sent",)


def test_it_decodes_a_koi8_r_header_and_base64_body():
    first = _read("takeout_all_mail.mbox")[0]
    assert first.subject == "Привет"
    assert first.sender is not None and first.sender.name == "Петрова"
    assert first.snippet == "Привет, коллеги!"


def test_the_text_after_an_attachment_is_the_snippet_and_mboxrd_quoting_loses_one_mark():
    second = _read("takeout_all_mail.mbox")[1]
    assert second.snippet == (
        "Thanks! The flyer is attached. From our side: yes. >From their side: maybe."
    )
    assert second.warnings == ()


def test_a_cut_off_last_message_is_read_with_a_warning():
    last = _read("takeout_all_mail.mbox")[2]
    assert last.subject == "This one was cut off"
    assert last.snippet == "The download stopped in the mid"
    assert last.warnings == ("message 3 (line 42): it looks cut off (the file ends inside it)",)


def test_an_unquoted_from_in_the_body_does_not_split_the_message():
    # CPython's mailbox_01.mbox case: extra words on the From_ line, "From time to time".
    (message,) = _read("unquoted_from_in_body.mbox")
    assert message.snippet == "Hi From time to time a body line starts like a separator."


def test_a_from_line_not_after_a_blank_line_is_body():
    raw = (
        b"From a@example.org Mon Jan  1 00:00:00 2024\nFrom: a@example.org\n\nline\n"
        b"From b@example.org Mon Jan  1 00:00:00 2024\n"
    )
    (message,) = _mbox(raw)
    assert message.snippet == "line From b@example.org Mon Jan 1 00:00:00 2024"


def test_a_message_of_headers_only_before_the_next_is_not_cut_off():
    raw = (
        b"From a@example.org Mon Jan  1 00:00:00 2024\nFrom: a@example.org\nSubject: x\n\n"
        b"From b@example.org Mon Jan  1 00:00:00 2024\nFrom: b@example.org\nSubject: y\n"
    )
    first, last = _mbox(raw)
    assert not any("cut off" in w for w in first.warnings)
    assert last.warnings[-1] == "message 2 (line 5): it looks cut off (the file ends inside it)"


def test_lf_and_crlf_files_give_the_same_records():
    lf = (DATA / "thunderbird_inbox.mbox").read_bytes().replace(b"\r\n", b"\n")
    crlf = _read("thunderbird_inbox.mbox")
    assert [(m.message_id, m.snippet, m.subject) for m in _mbox(lf)] == [
        (m.message_id, m.snippet, m.subject) for m in crlf
    ]


def test_an_empty_file_has_no_messages():
    assert _mbox(b"") == []
    assert _mbox(b"\n\n") == []


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"PK\x03\x04takeout", "ZIP archive"),
        (b"\x1f\x8b\x08gzip", "gzip archive"),
        (b"From: a@example.org\nSubject: x\n\nbody\n", "import it as .eml"),
        (b"hello world\n", "starts with a “From ” line"),
    ],
)
def test_a_file_that_is_no_mbox_is_refused_with_a_reason(raw, says):
    with pytest.raises(ParseError, match=says) as error:
        _mbox(raw)
    assert error.value.line == 1
