"""The demo's watched feeds: a few organizations whose news is read from feed files bundled
with the package (`demo_feeds/`), through the same reading and storing as a poll — no
network. Dates in the files are written `{{days_ago:N}}` and become dates relative to the
demo's `now`, so the news is always recent."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from followthrough.people.models import Organization
from followthrough.people.services import organization_update
from followthrough.watch.models import WatchedFeed
from followthrough.watch.services import feed_load

FEEDS_DIR = Path(__file__).parent / "demo_feeds"
# Organization key → its bundled feed file.
WATCHED = {
    "foodbank": "foodbank.rss.xml",
    "library": "library.atom.xml",
    "foundation": "foundation.rss.xml",
}
_DAYS_AGO = re.compile(rb"\{\{days_ago:(\d+)\}\}")
# The demo's feed addresses (.example) cannot be read: the worker leaves them alone.
NEVER = timedelta(days=3650)


def demo_feed(name: str, now: datetime) -> bytes:
    """A bundled feed with its `{{days_ago:N}}` dates filled in (RFC 822 in RSS, ISO 8601
    in Atom)."""
    body = (FEEDS_DIR / name).read_bytes()
    atom = name.endswith(".atom.xml")

    def date(match: re.Match[bytes]) -> bytes:
        when = now - timedelta(days=int(match.group(1)), hours=2)
        return (when.isoformat() if atom else format_datetime(when)).encode()

    return _DAYS_AGO.sub(date, body)


def load_demo_news(orgs: dict[str, Organization], now: datetime) -> int:
    """Watch the demo's organizations of `WATCHED` and load their news; the item count."""
    count = 0
    for key, name in WATCHED.items():
        organization = orgs[key]
        organization_update(organization=organization, feed_url=f"https://{key}.example/feed/")
        feed = WatchedFeed.objects.create(
            workspace_id=organization.workspace_id,
            organization=organization,
            feed_url=organization.feed_url,
            site_url=organization.website,
        )
        count += feed_load(feed=feed, body=demo_feed(name, now), now=now).new
        WatchedFeed.objects.filter(pk=feed.pk).update(next_attempt_at=now + NEVER)
    return count
