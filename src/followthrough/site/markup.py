"""Markdown notes rendered to HTML and sanitized: the only user text shown unescaped."""

from __future__ import annotations

import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "del", "sup", "sub",
}  # fmt: skip


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    # Building a Markdown instance with its extensions costs far more than converting a
    # short note, so each thread keeps one and resets it between notes.
    converter = getattr(_local, "converter", None)
    if converter is None:
        # nl2br: a line break typed in a note (or brought by an imported card's NOTE)
        # shows as one, as people expect of a notes box; blank lines still make paragraphs.
        converter = markdown_lib.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "nl2br"]
        )
        _local.converter = converter
    return converter


def render_markdown(text: str) -> SafeString:
    """Markdown → HTML, then nh3 removes scripts, event handlers and unsafe URLs.

    Sanitizing happens after rendering, because Markdown passes raw HTML through.
    """
    if not text or not text.strip():
        return mark_safe("")
    html = _converter().reset().convert(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 -- nh3 has sanitized it
