"""A short plain-text snippet of a message's body.

The first text/plain part (the standard library's `get_body`, which skips attachments),
else the text/html one turned into text by nh3 (tags dropped, script and style with
their content; nothing is run). Bytes are decoded in the declared charset, with
ISO-8859-1 read as Windows-1252 (as browsers do: mail that says Latin-1 mostly is
Windows-1252), and a body that is not in its charset, declares none or says US-ASCII
while it holds 8-bit bytes as UTF-8, else Windows-1252.
"""

from __future__ import annotations

import html
import re
from email.message import EmailMessage, Message

import nh3

from followthrough.exchange.formats.text import clean_text, decode_with_charset

SNIPPET_LENGTH = 200
MAX_DECODED = 64 * 1024  # bytes of an HTML part decoded for its snippet
MAX_TEXT = 8 * SNIPPET_LENGTH  # characters of text looked at (whitespace collapses)
_READ_AS_CP1252 = frozenset({"iso-8859-1", "latin-1", "latin1", "l1"})
_UNDECLARED = frozenset({"us-ascii", "ascii"})  # 8-bit bytes in it were never ASCII
_BLOCK_END = re.compile(r"<(?:br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def snippet(message: Message, problems: list[str]) -> str:
    if not isinstance(message, EmailMessage):
        return ""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception as error:  # the stdlib has raised on malformed MIME structure
        problems.append(f"its body could not be read ({type(error).__name__})")
        return ""
    if part is None:
        return ""
    try:
        payload = part.get_payload(decode=True)
        charset = (part.get_content_charset() or "").lower()
    except Exception as error:  # a broken transfer encoding or parameter
        problems.append(f"its body could not be decoded ({type(error).__name__})")
        return ""
    if not isinstance(payload, bytes):
        return ""
    is_html = part.get_content_subtype() == "html"
    limit = MAX_DECODED if is_html else MAX_TEXT * 4
    # Cut at a space, so a multi-byte character is never split (and the cut bytes then
    # taken for Windows-1252).
    head = payload if len(payload) <= limit else payload[: payload.rfind(b" ", 0, limit) + 1]
    if charset in _READ_AS_CP1252:
        charset = "cp1252"
    text = decode_with_charset(head, "" if charset in _UNDECLARED else charset)
    return shorten(html_to_text(text) if is_html else text)


def html_to_text(markup: str) -> str:
    """The text of an HTML body: block ends become line breaks, every tag goes (script
    and style with their content), entities are decoded."""
    cleaned = nh3.clean(_BLOCK_END.sub("\n", markup), tags=set(), attributes={})
    return html.unescape(cleaned)


def shorten(text: str) -> str:
    """One line of at most SNIPPET_LENGTH characters, cut at a word where one is near."""
    line = _SPACES.sub(" ", clean_text(text[:MAX_TEXT])).strip()
    if len(line) <= SNIPPET_LENGTH:
        return line
    cut = line[: SNIPPET_LENGTH - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > SNIPPET_LENGTH // 2 else cut).rstrip() + "…"
