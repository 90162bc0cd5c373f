"""Reading .eml and .mbox files into `MessageRecord`s."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from email import errors
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from typing import Any, BinaryIO

from followthrough.exchange.formats.mail.body import snippet
from followthrough.exchange.formats.mail.headers import (
    addresses,
    gmail_labels,
    message_ids,
    mozilla_deleted,
    raw_headers,
    synthesized_id,
    unstructured,
)
from followthrough.exchange.formats.mail.headers import (
    date as header_date,
)
from followthrough.exchange.formats.mail.record import MessageRecord
from followthrough.exchange.formats.mail.split import MAX_KEPT, RawMessage, split_mbox

_CUT_OFF = (errors.CloseBoundaryNotFoundDefect, errors.StartBoundaryNotFoundDefect)
_UNFOLD = re.compile(r"\r?\n")


class StructurePolicy(EmailPolicy):
    """`policy.default` that hands headers out unparsed (unfolded text).

    `policy.default` parses a header into its object each time it is fetched, and the
    parser fetches Content-Type over and over while it splits MIME parts and
    `get_body` chooses one: with it, a message took ~2 ms, most of it re-parsing the same
    Content-Type. `Message`'s MIME methods work on plain text headers (that is how
    `compat32` serves them), so the structure is read from text, and the few headers the
    record needs go through `policy.default`'s header classes once (`headers.py`)."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if name.lower() == "content-disposition":  # `is_attachment` reads its object
            return super().header_fetch_parse(name, value)
        return _UNFOLD.sub("", value) if "\n" in value else value


STRUCTURE = StructurePolicy()


def read_mbox(stream: BinaryIO) -> Iterator[MessageRecord]:
    """Each message of an mbox file (Thunderbird, Google Takeout, mutt, Apple Mail), in
    file order, one at a time: memory stays flat whatever the file's size.

    A problem with one message is a warning on its record, naming it; a file that is no
    mbox at all raises `records.ParseError` before any record."""
    for raw in split_mbox(stream):
        yield read_message(raw)


def read_eml(stream: BinaryIO) -> Iterator[MessageRecord]:
    """The one message of an .eml file (a From_ line in front, as some clients save
    it, is skipped). Reads at most `split.MAX_KEPT` bytes of it."""
    data = stream.read(MAX_KEPT)
    rest = sum(len(chunk) for chunk in iter(lambda: stream.read(1 << 20), b""))
    line = offset = 0
    if data.startswith(b"From ") and b":" not in data.split(b"\n", 1)[0].split(b" ")[0]:
        first, _, data = data.partition(b"\n")
        line, offset = 1, len(first) + 1
    size = len(data) + rest
    yield read_message(RawMessage(1, line + 1, offset, data, size))


def read_message(raw: RawMessage) -> MessageRecord:
    """One message's bytes into its record; never raises on bad input."""
    problems: list[str] = []
    message = BytesParser(policy=STRUCTURE).parsebytes(raw.data)
    found = raw_headers(message)
    if not found and not raw.data.strip():
        problems.append("it is empty")
    ids = message_ids(found.get("message-id", ""))
    synthesized = not ids
    if synthesized:
        problems.append("it has no Message-ID; one was made from its date, sender and subject")
    senders = addresses("From", found["from"], problems) if "from" in found else ()
    if not found.get("from", "").strip():
        problems.append("it has no sender (From)")
    record = MessageRecord(
        index=raw.index,
        line=raw.line,
        offset=raw.offset,
        message_id=ids[0] if ids else synthesized_id(found),
        message_id_synthesized=synthesized,
        in_reply_to=next(iter(message_ids(found.get("in-reply-to", ""))), ""),
        references=message_ids(found.get("references", "")),
        sender=senders[0] if senders else None,
        to=addresses("To", found["to"], problems) if "to" in found else (),
        cc=addresses("Cc", found["cc"], problems) if "cc" in found else (),
        date=header_date(found.get("date", ""), problems),
        subject=unstructured("Subject", found.get("subject", ""), problems),
        snippet=snippet(message, problems),
        thread_id=found.get("x-gm-thrid", "").strip()[:64],
        labels=gmail_labels(found.get("x-gmail-labels", "")),
        deleted=mozilla_deleted(found.get("x-mozilla-status", "")),
    )
    problems.extend(_cut_off(raw, message))
    if not problems:
        return record
    where = f"message {raw.index} (line {raw.line})"
    return _with_warnings(record, tuple(f"{where}: {p}" for p in problems))


def _cut_off(raw: RawMessage, message: Message) -> list[str]:
    found = []
    if raw.size > MAX_KEPT:
        found.append(f"it is larger than {MAX_KEPT // 2**20} MB; only its start was read")
    elif raw.cut_off:
        found.append("it looks cut off (the file ends inside it)")
    elif any(isinstance(d, _CUT_OFF) for part in message.walk() for d in part.defects):
        found.append("its MIME parts end early (a closing boundary is missing): cut off?")
    return found


def _with_warnings(record: MessageRecord, warnings: tuple[str, ...]) -> MessageRecord:
    return replace(record, warnings=warnings)
