"""The plain record a mail message is read into: no database, nothing linked yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Address:
    """One mailbox of a From, To or Cc header.

    `address` is kept as the message wrote it (an internationalized one, RFC 6531, stays
    as it is); `normalized` is the form to match people by (NFC, lower-cased)."""

    address: str
    name: str = ""
    normalized: str = ""


@dataclass(frozen=True)
class MessageRecord:
    """One message of an .eml or .mbox file.

    Message ids (`message_id`, `in_reply_to`, `references`) are kept without their angle
    brackets. `index` is the message's 1-based place in the file, `line` and `offset` where
    it starts (its From_ line in an mbox), so a warning can send the user to it."""

    index: int
    line: int
    offset: int
    message_id: str
    # True when the message had no Message-ID and `message_id` was made from a hash of
    # its date, sender and subject (stable: re-reading the file gives the same one).
    message_id_synthesized: bool = False
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    sender: Address | None = None  # the From header's first mailbox
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    date: datetime | None = None  # aware; UTC when the header names no zone
    subject: str = ""
    snippet: str = ""  # the start of the body as plain text
    # Google Takeout's thread id (X-GM-THRID) and labels (X-Gmail-Labels).
    thread_id: str = ""
    labels: tuple[str, ...] = ()
    # Thunderbird marks a deleted message (X-Mozilla-Status 0x0008) and keeps it in the
    # file until the folder is compacted.
    deleted: bool = False
    # Things the user should know, each naming the message ("message 3 (line 120): …").
    warnings: tuple[str, ...] = ()
