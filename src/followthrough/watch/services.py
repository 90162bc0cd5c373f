"""Writes of the watch room: watching an organization's news, polling feeds, keeping their
status, storing items, and turning an item into a note or a follow-up.

No database transaction is held while a feed is fetched (a fetch may take seconds, and
SQLite has one writer): a poll claims its feed, fetches, then writes in one short
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from followthrough.people.models import Organization, Person
from followthrough.people.services import organization_update
from followthrough.relationships.due import window_due
from followthrough.relationships.models import FollowUp, Interaction
from followthrough.relationships.services import follow_up_create, organization_log_noticed
from followthrough.watch.discover import charset_of, discover_feeds, looks_like_feed
from followthrough.watch.fetch import Fetched, fetch
from followthrough.watch.guard import FeedError
from followthrough.watch.models import URL_LENGTH, NewsItem, WatchedFeed
from followthrough.watch.parse import Entry, ParsedFeed, parse_feed
from followthrough.workspaces.models import Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BACKOFF_FIRST = timedelta(hours=1)
BACKOFF_MAX = timedelta(hours=24)
# How long a poll holds its claim on a feed: another poller leaves it alone meanwhile.
CLAIM = timedelta(minutes=10)
ITEMS_KEPT = 200  # per feed, newest first: older ones are forgotten


def poll_interval() -> timedelta:
    """How often a healthy feed is read (FOLLOWTHROUGH_FEEDS_INTERVAL_MINUTES)."""
    return timedelta(minutes=getattr(settings, "FEEDS_INTERVAL_MINUTES", 60))


def backoff(failures: int) -> timedelta:
    """The wait after `failures` failed fetches in a row: 1 h, 2 h, 4 h … at most 24 h."""
    if failures <= 0:
        return poll_interval()
    return min(BACKOFF_FIRST * 2 ** min(failures - 1, 16), BACKOFF_MAX)


@dataclass(frozen=True)
class PollOutcome:
    feed: WatchedFeed
    new: int = 0
    not_modified: bool = False
    error: str = ""


def _find_feed(url: str) -> tuple[str, Fetched, ParsedFeed, str]:
    """(feed address, its answer, the feed read, the site's address when `url` was a
    page) for `url`, a feed or a web page announcing one."""
    fetched = fetch(url)
    if looks_like_feed(fetched.content_type, fetched.body):
        return url, fetched, parse_feed(fetched.body, content_type=fetched.content_type), ""
    feeds = discover_feeds(
        fetched.body, page_url=fetched.url, encoding=charset_of(fetched.content_type)
    )
    if not feeds:
        raise FeedError("That page announces no RSS or Atom feed; give the feed's address.")
    feed_url = feeds[0]
    answer = fetch(feed_url)
    return feed_url, answer, parse_feed(answer.body, content_type=answer.content_type), url


def feed_watch(
    *, organization: Organization, url: str = "", actor: User | None = None
) -> PollOutcome:
    """Watch the organization's news. `url` is its feed or a web page that announces one
    (found from its `<link rel="alternate">`); when empty, the organization's feed address,
    else its website. The feed is read once now (raises `FeedError` with the reason when
    it cannot be) and its items are stored; the organization's `feed_url` becomes the
    feed's address (and an empty website the page's). Cost: one to four fetches."""
    url = (url or organization.feed_url or organization.website).strip()
    if not url:
        raise FeedError("Give the address of its news feed or of its website.")
    feed_url, fetched, parsed, page_url = _find_feed(url)
    if len(feed_url) > URL_LENGTH:
        raise FeedError(f"The feed's address is longer than {URL_LENGTH} characters.")
    site_url = organization.website or page_url or parsed.site_url
    now = timezone.now()
    with transaction.atomic():
        changes = {"feed_url": feed_url}
        if not organization.website and len(site_url) <= URL_LENGTH:
            changes["website"] = site_url
        organization_update(organization=organization, **changes)
        feed, _ = WatchedFeed.objects.update_or_create(
            organization=organization,
            defaults={"workspace_id": organization.workspace_id, "feed_url": feed_url},
            create_defaults={
                "workspace_id": organization.workspace_id,
                "feed_url": feed_url,
                "added_by": actor,
            },
        )
        feed.site_url = site_url if len(site_url) <= URL_LENGTH else ""
        return _succeeded(feed, fetched, parsed, now)


def feed_unwatch(*, feed: WatchedFeed) -> None:
    """Stop watching: the feed's status and items go; the organization keeps its feed
    address (it is still where its news is)."""
    feed.delete()


def feed_load(*, feed: WatchedFeed, body: bytes, now: datetime | None = None) -> PollOutcome:
    """Store the items of a feed read from `body` (the demo's bundled feeds, a test):
    the same reading and storing as a poll, without fetching."""
    fetched = Fetched(url=feed.feed_url, status=200, body=body)
    with transaction.atomic():
        return _succeeded(feed, fetched, parse_feed(body), now or timezone.now())


def feed_poll(*, feed: WatchedFeed, now: datetime | None = None) -> PollOutcome:
    """Read the feed now (conditionally: a 304 means nothing new), store new items and
    update its status; a failure is recorded with its reason and the next attempt backs
    off (`backoff`). Never raises `FeedError`."""
    now = now or timezone.now()
    url = Organization.objects.filter(pk=feed.organization_id).values_list("feed_url", flat=True)
    address = (url.first() or "").strip()
    if address != feed.feed_url:  # the organization's address changed: start afresh
        feed.feed_url, feed.etag, feed.last_modified = address, "", ""
    try:
        if not address:
            raise FeedError(
                "The organization has no feed address any more; add one or stop watching."
            )
        fetched = fetch(address, etag=feed.etag, last_modified=feed.last_modified)
        parsed = (
            None
            if fetched.not_modified
            else parse_feed(fetched.body, content_type=fetched.content_type, base_url=fetched.url)
        )
    except FeedError as error:
        return _failed(feed, str(error), now)
    with transaction.atomic():
        return _succeeded(feed, fetched, parsed, now)


def feeds_poll_due(
    *,
    workspace: Workspace | None = None,
    now: datetime | None = None,
    every: bool = False,
    limit: int = 200,
) -> list[PollOutcome]:
    """Poll the feeds due now (`every`: all of them), of one workspace or all, the longest
    waiting first, at most `limit`. Each feed is claimed first, so two pollers running at
    once never read the same feed twice."""
    now = now or timezone.now()
    due = WatchedFeed.objects.order_by("next_attempt_at", "pk")
    if workspace is not None:
        due = due.filter(workspace=workspace)
    if not every:
        due = due.filter(next_attempt_at__lte=now)
    outcomes = []
    for feed in due.select_related("organization")[:limit]:
        claimed = WatchedFeed.objects.filter(pk=feed.pk, next_attempt_at=feed.next_attempt_at)
        if claimed.update(next_attempt_at=now + CLAIM):
            outcomes.append(feed_poll(feed=feed, now=now))
    return outcomes


STATUS_FIELDS = (
    "feed_url", "site_url", "title", "failures", "last_error", "last_fetched_at",
    "last_success_at", "next_attempt_at", "etag", "last_modified",
)  # fmt: skip


def _save_status(feed: WatchedFeed) -> bool:
    """Write the feed's status; False when the feed is gone (stopped watching while it
    was read): an update, never `save()`, which would bring a deleted feed back."""
    values = {name: getattr(feed, name) for name in STATUS_FIELDS}
    return bool(WatchedFeed.objects.filter(pk=feed.pk).update(**values))


def _failed(feed: WatchedFeed, reason: str, now: datetime) -> PollOutcome:
    feed.failures += 1
    feed.last_error = reason[:1000]
    feed.last_fetched_at = now
    feed.next_attempt_at = now + backoff(feed.failures)
    _save_status(feed)
    return PollOutcome(feed=feed, error=feed.last_error)


def _succeeded(
    feed: WatchedFeed, fetched: Fetched, parsed: ParsedFeed | None, now: datetime
) -> PollOutcome:
    """Record a good read and store its items (inside the caller's transaction)."""
    feed.failures, feed.last_error = 0, ""
    feed.last_fetched_at = feed.last_success_at = now
    feed.next_attempt_at = now + poll_interval()
    if not fetched.not_modified:
        feed.etag, feed.last_modified = fetched.etag, fetched.last_modified
    if parsed is not None:
        feed.title = parsed.title or feed.title
    if not _save_status(feed) or parsed is None:
        return PollOutcome(feed=feed, not_modified=fetched.not_modified)
    new = items_store(feed=feed, entries=parsed.entries, now=now)
    return PollOutcome(feed=feed, new=new)


def items_store(*, feed: WatchedFeed, entries: list[Entry], now: datetime) -> int:
    """Add the entries the feed does not have yet (by key); update the title, link and
    summary of those it has when they changed; forget all but the newest `ITEMS_KEPT`.
    Returns how many were added. A few queries for any number of entries."""
    entries = list({e.key: e for e in entries}.values())
    existing = {
        item.key: item
        for item in NewsItem.objects.filter(feed=feed, key__in=[e.key for e in entries])
    }
    new, changed = [], []
    for entry in entries:
        item = existing.get(entry.key)
        values = {"title": entry.title, "link": entry.link, "summary_html": entry.summary_html}
        if item is None:
            published = min(entry.published_at or now, now)  # a future date sorts as now
            new.append(
                NewsItem(
                    workspace_id=feed.workspace_id,
                    feed=feed,
                    key=entry.key,
                    published_at=published,
                    fetched_at=now,
                    **values,
                )
            )
        elif any(getattr(item, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(item, name, value)
            changed.append(item)
    NewsItem.objects.bulk_create(new, ignore_conflicts=True)
    NewsItem.objects.bulk_update(changed, ["title", "link", "summary_html"])
    stale = NewsItem.objects.filter(feed=feed).values_list("pk", flat=True)[
        ITEMS_KEPT : ITEMS_KEPT + 1000
    ]
    if stale:
        NewsItem.objects.filter(pk__in=list(stale)).delete()
    return len(new)


def news_item_note(*, item: NewsItem, actor: User | None = None) -> Interaction:
    """Note the item on its organization's timeline ("noticed"), with the link."""
    organization = item.feed.organization
    return organization_log_noticed(
        organization=organization,
        summary=f"In their news: {item.title}"[:200],
        note=f"<{item.link}>" if item.link else "",
        actor=actor,
    )


def news_item_follow_up(
    *, item: NewsItem, person: Person, actor: User | None = None, now: datetime | None = None
) -> FollowUp:
    """A follow-up with `person` (of the item's workspace) about the item, due within the
    workspace's follow-up window, assigned to `actor`."""
    if person.workspace_id != item.workspace_id:
        raise ValueError("The person belongs to another workspace.")
    workspace = item.feed.workspace
    return follow_up_create(
        person=person,
        title=f"Follow up on their news: {item.title}"[:200],
        due_at=window_due(
            now or timezone.now(), workspace.follow_up_window_hours, workspace.timezone
        ),
        assigned_to=actor,
    )
