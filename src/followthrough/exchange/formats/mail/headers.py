"""Reading the headers the record needs, with the standard library's `email` package.

Headers are taken raw from the parsed message and handed to `policy.default`'s header
classes one by one, so headers nobody reads are never parsed, raw 8-bit bytes (an
internationalized address, RFC 6531, or a legacy client's Latin-1 subject) are decoded
as UTF-8 or Windows-1252 first, and a header the parser cannot read becomes a warning.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from email import policy, utils
from email.message import Message
from typing import Any

from followthrough.exchange.formats.mail.record import Address
from followthrough.exchange.formats.text import clean_text, decode_utf8_or_cp1252

WANTED = frozenset(
    {
        "message-id", "in-reply-to", "references", "from", "to", "cc", "date", "subject",
        "x-gm-thrid", "x-gmail-labels", "x-mozilla-status",
    }
)  # fmt: skip
MAX_IDS = 200  # References kept (a long thread's list is cut from the front)
MAX_ADDRESSES = 500  # per header
SYNTHETIC_DOMAIN = "synthesized.followthrough.invalid"

_ID = re.compile(r"<([^<>\s]+)>")
_FOLD = re.compile(r"\r?\n")
_SPACES = re.compile(r"\s+")
_DOT_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_SPEC = rf"{_DOT_ATOM}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_SIMPLE_MAILBOX = re.compile(
    rf"[ \t]*(?:(?:\"([^\"\\\r\n]*)\"|([A-Za-z0-9!#$%&'*+/=?^_`{{|}}~ \t-]+))?[ \t]*"
    rf"<({_SPEC})>|({_SPEC}))[ \t]*"
)
_DELETED = 0x0008  # X-Mozilla-Status: MSG_FLAG_EXPUNGED


def raw_headers(message: Message) -> dict[str, str]:
    """The first value of each header the record reads, unfolded and decoded to text."""
    found: dict[str, str] = {}
    for name, value in message.raw_items():
        key = name.strip().lower()
        if key in WANTED and key not in found:
            found[key] = _FOLD.sub("", _text(str(value)))
    return found


def _text(value: str) -> str:
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        # 8-bit bytes arrive as surrogate escapes; anything else is already text.
        raw = value.encode("utf-8", "surrogateescape")
        return decode_utf8_or_cp1252(raw)
    return value


@functools.cache
def _header_class(name: str) -> Any:
    """`policy.default`'s class for a header (the registry builds a new class per call)."""
    registry: Any = policy.default.header_factory  # a HeaderRegistry, typed as a callable
    return registry[name]


def unstructured(name: str, value: str, problems: list[str]) -> str:
    """A text header (Subject) with its RFC 2047 encoded words decoded."""
    if "=?" not in value:  # nothing encoded: no need for the parser
        return _SPACES.sub(" ", clean_text(value)).strip()
    try:
        text = str(_header_class(name)(name, value))
    except Exception as error:  # the stdlib's header parser has raised on odd input
        problems.append(f"its {name} could not be decoded ({type(error).__name__}); kept raw")
        text = value
    return _SPACES.sub(" ", clean_text(text)).strip()


def addresses(name: str, value: str, problems: list[str]) -> tuple[Address, ...]:
    """The mailboxes of an address header (groups flattened), as written and normalized."""
    found, found_problems = _addresses(name, value)
    problems.extend(found_problems)
    return found


# A mailbox repeats the same From, To and Cc headers thousands of times, and the
# standard library's address parser takes a third of a millisecond for each.
@functools.lru_cache(maxsize=4096)
def _addresses(name: str, value: str) -> tuple[tuple[Address, ...], tuple[str, ...]]:
    problems: list[str] = []
    simple = simple_mailbox(value)
    try:
        if simple is not None:
            parsed = [simple]
        else:
            header = _header_class(name)(name, value)
            parsed = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception as error:  # the stdlib's address parser has raised on odd input
        problems.append(f"its {name} header could not be read ({type(error).__name__})")
        parsed = [(n, a) for n, a in utils.getaddresses([value]) if a]
    kept = []
    for display, spec in parsed[:MAX_ADDRESSES]:
        spec = clean_text(spec).strip()
        if "@" not in spec or spec.startswith("@") or spec.endswith("@"):
            if spec or display:
                problems.append(f"its {name} has “{(spec or display)[:60]}”, which is no address")
            continue
        kept.append(Address(spec, _SPACES.sub(" ", clean_text(display)).strip(), normalize(spec)))
    return tuple(kept), tuple(problems)


def simple_mailbox(value: str) -> tuple[str, str] | None:
    """(display name, address) of a header holding one mailbox of the plain shapes
    (`a@b.org`, `Name <a@b.org>`, `"Name, Title" <a@b.org>`, an encoded-word name), as
    the standard library's parser reads them at a tenth of its cost; None for any other
    shape, which that parser then reads."""
    match = _SIMPLE_MAILBOX.fullmatch(value)
    if match is None:
        return None
    quoted, phrase, spec, bare = match.groups()
    if "=?" in (spec or bare):  # an encoded word in the address itself: the stdlib decodes it
        return None
    display = quoted if quoted is not None else (phrase or "")
    if "=?" in display:
        display = str(_header_class("subject")("subject", display))
    return _SPACES.sub(" ", display).strip(), spec or bare


def normalize(address: str) -> str:
    """The form an address is matched by: NFC and lower-case, local part included (no
    provider people write to from a nonprofit treats case as different mailboxes)."""
    return unicodedata.normalize("NFC", address).strip().lower()


def message_ids(value: str) -> tuple[str, ...]:
    """The ids of a Message-ID, In-Reply-To or References header, without brackets."""
    found = _ID.findall(value)
    if not found:  # a bare id, as some clients write it
        found = [token.strip("<>") for token in value.split() if "@" in token]
    return tuple(clean_text(i) for i in found[-MAX_IDS:] if i)


def date(value: str, problems: list[str]) -> datetime | None:
    """The Date header as an aware datetime (UTC when it names no zone)."""
    if not value.strip():
        problems.append("it has no Date")
        return None
    try:
        when = utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        problems.append(f"its Date “{value[:60]}” cannot be read; left empty")
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def synthesized_id(headers: dict[str, str]) -> str:
    """A stable id for a message without one: a hash of its date, sender and subject."""
    key = "\x1f".join(headers.get(name, "").strip() for name in ("date", "from", "subject"))
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{digest}@{SYNTHETIC_DOMAIN}"


def gmail_labels(value: str) -> tuple[str, ...]:
    """X-Gmail-Labels: comma-separated, a label with a comma in double quotes."""
    labels = next(csv.reader([clean_text(value)], skipinitialspace=True), [])
    return tuple(label.strip() for label in labels if label.strip())


def mozilla_deleted(value: str) -> bool:
    try:
        return bool(int(value.strip()[:8], 16) & _DELETED)
    except ValueError:
        return False
