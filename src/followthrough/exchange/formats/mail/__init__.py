"""Mail messages: `.eml` and `.mbox` files into `MessageRecord`s — the format layer only.

    from followthrough.exchange.formats.mail import read_eml, read_mbox

    with open("Inbox.mbox", "rb") as stream:
        for message in read_mbox(stream):
            ...  # message.message_id, .in_reply_to, .sender.normalized, .date, .warnings

Pure code, no database, built on the standard library's `email` package (BytesParser
with `policy.default`, `email.utils`); nothing of a message is run or fetched. The mbox
reader streams (see `split`): one message is held at a time, so a 500 MB Takeout file
reads in flat memory.

These formats are not in `formats.registry.FORMATS`: every format there yields people,
organization or event records into the import pipeline (and the `import` command offers
each), while messages are to be linked to people's timelines and outreach by code that
does not exist yet. That code calls `read_eml` / `read_mbox` directly.
"""

from __future__ import annotations

from followthrough.exchange.formats.mail.reader import read_eml, read_mbox
from followthrough.exchange.formats.mail.record import Address, MessageRecord

__all__ = ["Address", "MessageRecord", "read_eml", "read_mbox"]
