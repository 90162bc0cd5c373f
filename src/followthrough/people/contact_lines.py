"""A contact point as a member types and reads it: one line (an address: one block), with
an optional label before the value.

`work: ada@example.org`, `work, cell: +1 555 0100`, `Summer house: 1 Lake Road`: the label
is the text before the first ": " (a colon AND a space, so `https://…`, `mailto:…` and
`xmpp:…` are values, not labels), at most `LABEL_MAX` characters; a longer text before
": " is part of the value. A line starting with ": " has no label and keeps the rest as
its value, which is how a value that itself starts with "Attn: " survives an edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LABEL_MAX = 40  # ContactPoint.label
LABEL_SEPARATOR = ": "

# vCard's type words as a member reads them; other words (and a user's own labels) as
# they are.
_TYPE_WORDS = {
    "pref": "preferred",
    "cell": "mobile",
    "homepage": "home page",
    "textphone": "text phone",
}
# A messaging handle is a URI: a scheme (RFC 3986: a letter, then letters, digits, "+",
# "-" or ".") and something after its colon.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_IM_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


@dataclass(frozen=True)
class ContactInput:
    """A contact point to write: its value, label, and (an address) its structure."""

    value: str
    label: str = ""
    parts: dict[str, str] = field(default_factory=dict)


def split_label(line: str) -> tuple[str, str]:
    """(label, value) of a typed line; the label is "" when there is none."""
    label, separator, value = line.partition(LABEL_SEPARATOR)
    if not separator or len(label.strip()) > LABEL_MAX or not value.strip():
        return "", line.strip()
    return label.strip(), value.strip()


def join_label(label: str, value: str) -> str:
    """The line a member sees for a stored contact point: `split_label` reads it back as
    the same label and value — except a label holding ": " itself (an imported custom
    label), which comes back with ":" instead, rather than splitting in the wrong place."""
    if label:
        return f"{label.replace(LABEL_SEPARATOR, ':')}{LABEL_SEPARATOR}{value}"
    if split_label(value)[0]:
        return f"{LABEL_SEPARATOR}{value}"  # it would read as a label: say there is none
    return value


def im_from_line(label: str, value: str) -> tuple[str, str] | None:
    """(label, URI) of a typed messaging line, or None when it names no service.

    A handle is written as a URI (`xmpp:alice@example.org`, `skype:alice`), with an
    optional label (`work: skype:alice`). `skype: alice` — a service name as the label of
    a bare handle — is read as the URI `skype:alice` without a label, since a handle
    means nothing without its service; a bare `alice` is refused.
    """
    if _IM_URI.fullmatch(value):
        return label, value
    if label and _SCHEME.fullmatch(label) and not re.search(r"\s", value):
        return "", f"{label.lower()}:{value}"
    return None


def label_display(label: str) -> str:
    """A label as the profile shows it: "work, cell" → "work, mobile", "home, pref" →
    "home, preferred"; a label of the user's own words as written."""
    return ", ".join(_TYPE_WORDS.get(word, word) for word in label.split(", "))
