"""A feed's bytes → plain records (no database), with every piece of HTML sanitized.

feedparser reads RSS and Atom (and is lenient with broken feeds); nothing it returns is
trusted: titles become plain text, summaries go through `clean_html` (nh3) — no script,
no event handler, no style, no image (a picture would make the reader's browser call
the feed's site), links only to http and https.
"""

from __future__ import annotations

import calendar
import hashlib
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
import nh3

from followthrough.watch.guard import FeedError

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "i", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https"}
SUMMARY_CHARS = 4000  # of HTML read from one entry: a summary, not the article
ENTRIES_READ = 50  # the newest entries of one answer


@dataclass(frozen=True)
class Entry:
    key: str  # sha256 of the entry's id (else link, else title and date)
    title: str
    link: str
    summary_html: str
    published_at: datetime | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    entries: list[Entry]


def clean_html(text: str) -> str:
    """HTML from a feed, safe to show: `ALLOWED_TAGS` only, links http(s) only and opened
    without the referrer; everything else dropped (scripts and styles with their content)."""
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """Text with every tag removed and entities read: "Food &amp; <b>fun</b>" → "Food & fun"."""
    return " ".join(html.unescape(nh3.clean(text, tags=set())).split())


def web_link(url: Any) -> str:
    """`url` when it is an absolute http(s) address (a link we may show), else ""."""
    url = str(url or "").strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    return url if scheme in URL_SCHEMES and len(url) <= 500 and "//" in url[:8] else ""


def _published(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _summary(entry: Any) -> str:
    content = entry.get("content") or []
    text = content[0].get("value", "") if content else ""
    text = text or entry.get("summary", "")
    return clean_html(str(text)[:SUMMARY_CHARS])


def _entry(entry: Any) -> Entry | None:
    link = web_link(entry.get("link"))
    title = plain_text(str(entry.get("title", "")))[:300]
    identity = str(entry.get("id") or "").strip() or link
    if not identity:
        identity = f"{title}\n{entry.get('published') or entry.get('updated') or ''}"
    if not (title or link):
        return None
    return Entry(
        key=hashlib.sha256(identity.encode("utf-8", "replace")).hexdigest(),
        title=title or link,
        link=link,
        summary_html=_summary(entry),
        published_at=_published(entry),
    )


def parse_feed(body: bytes, *, content_type: str = "", base_url: str = "") -> ParsedFeed:
    """The feed in `body` (bytes only: feedparser given a string would fetch it as a URL).
    Raises `FeedError` when it is not a feed at all; a feed with small errors is read."""
    headers = {"content-type": content_type} if content_type else {}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    if not parsed.get("version") and not parsed.get("entries"):
        raise FeedError("This is not an RSS or Atom feed.")
    entries = [e for e in map(_entry, parsed.entries[:ENTRIES_READ]) if e is not None]
    channel = parsed.get("feed", {})
    return ParsedFeed(
        title=plain_text(str(channel.get("title", "")))[:200],
        site_url=web_link(channel.get("link")),
        entries=entries,
    )
