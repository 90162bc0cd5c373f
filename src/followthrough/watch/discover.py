"""Finding a site's feed from its page: `<link rel="alternate" type="application/rss+xml">`
(or Atom) in the page's head, read with the standard library's HTML parser."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

from followthrough.watch.parse import web_link

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml")
# How feed-like a fetched answer's content type is, when deciding page or feed.
FEED_CONTENT_TYPES = ("rss", "atom", "xml")


class _Links(HTMLParser):
    """Collects the feed links (`<link>` only, as in a page's head) and `<base href>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base = ""
        self.feeds: list[tuple[str, str]] = []  # (type, href)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "").strip() for name, value in attrs}
        if tag == "base" and not self.base:
            self.base = values.get("href", "")
        elif tag == "link":
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").lower().split(";")[0].strip()
            if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
                self.feeds.append((kind, values["href"]))

    handle_startendtag = handle_starttag


def discover_feeds(page: bytes, *, page_url: str, encoding: str = "utf-8") -> list[str]:
    """The absolute http(s) addresses of the feeds a page announces, RSS and Atom in the
    order the page lists them (duplicates once)."""
    try:
        text = page.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = page.decode("utf-8", errors="replace")
    parser = _Links()
    parser.feed(text)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found = (web_link(urljoin(base, href)) for _kind, href in parser.feeds)
    return list(dict.fromkeys(url for url in found if url))


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Whether a fetched answer is a feed rather than a web page."""
    kind = content_type.lower().split(";")[0].strip()
    if "html" in kind:
        return False
    if any(word in kind for word in FEED_CONTENT_TYPES):
        return True
    head = body[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed")


def charset_of(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"
