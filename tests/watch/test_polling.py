"""Polling real feeds from a local server: items stored once, conditional requests, dedupe
when the feed changes, and the status and back-off of a failing feed."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from django.utils import timezone

from followthrough.watch import fetch as fetch_module
from followthrough.watch.guard import FeedError
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.watch.services import backoff, feed_poll, feed_watch, feeds_poll_due
from tests.watch.conftest import sample
from tests.watch.server import Route

pytestmark = pytest.mark.usefixtures("loopback")


def _watch(org, server, path="/feed/"):
    return feed_watch(organization=org, url=server.url(path)).feed


def test_watching_stores_the_items_and_keeps_the_address_on_the_organization(
    feed_server, food_bank
):
    feed = _watch(food_bank, feed_server)
    titles = list(NewsItem.objects.filter(feed=feed).values_list("title", flat=True))
    assert titles == ["We are looking for youth volunteer partners", "Annual report 2025"]
    food_bank.refresh_from_db()
    assert food_bank.feed_url == feed.feed_url == feed_server.url("/feed/")
    assert (feed.failures, feed.last_error, feed.title) == (0, "", "Riverside Food Bank News")
    assert feed.last_success_at is not None and feed.etag


def test_polling_again_asks_conditionally_and_a_304_adds_nothing(feed_server, food_bank):
    feed = _watch(food_bank, feed_server)
    [outcome] = feeds_poll_due(every=True)
    assert outcome.not_modified and outcome.new == 0
    _path, headers = feed_server.requests[-1]
    assert headers["if-none-match"] == feed_server.routes["/feed/"].etag
    assert headers["if-modified-since"] == feed.last_modified
    assert NewsItem.objects.filter(feed=feed).count() == 2


def test_a_changed_feed_adds_only_its_new_items_and_updates_a_changed_one(feed_server, food_bank):
    feed = _watch(food_bank, feed_server)
    changed = sample("wordpress_feed.rss.xml").replace(
        b"<title>Annual report 2025</title>", b"<title>Annual report 2025 (corrected)</title>"
    )
    new_item = b"""<item><title>Pantry opens on the east side</title>
      <link>https://riversidefoodbank.org/2026/03/east-pantry/</link>
      <guid isPermaLink="false">https://riversidefoodbank.org/?p=1300</guid>
      <pubDate>Thu, 12 Mar 2026 10:00:00 +0000</pubDate></item>"""
    feed_server.routes["/feed/"] = Route(changed.replace(b"<item>", new_item + b"<item>", 1))
    outcome = feed_poll(feed=feed)
    assert outcome.new == 1
    titles = list(NewsItem.objects.filter(feed=feed).values_list("title", flat=True))
    assert titles == [
        "Pantry opens on the east side",
        "We are looking for youth volunteer partners",
        "Annual report 2025 (corrected)",
    ]


def test_items_with_one_link_but_different_ids_are_kept_apart(feed_server, food_bank):
    feed_server.routes["/same-link.xml"] = Route(sample("same_link_feed.xml"))
    feed = _watch(food_bank, feed_server, "/same-link.xml")
    assert NewsItem.objects.filter(feed=feed).count() == 4
    feed_poll(feed=feed)  # the same feed again, unconditionally this time
    assert NewsItem.objects.filter(feed=feed).count() == 4


def test_a_changed_address_on_the_organization_is_followed_afresh(feed_server, food_bank):
    feed = _watch(food_bank, feed_server)
    food_bank.feed_url = feed_server.url("/atom.xml")
    food_bank.save()
    outcome = feed_poll(feed=feed)
    assert outcome.new == 1 and not outcome.not_modified
    assert "if-none-match" not in feed_server.requests[-1][1]
    feed.refresh_from_db()
    assert feed.feed_url == feed_server.url("/atom.xml")


def test_a_server_error_is_recorded_and_the_next_try_backs_off(feed_server, food_bank):
    feed = _watch(food_bank, feed_server)
    feed_server.routes["/feed/"] = Route(b"oops", status=500, conditional=False)
    now = timezone.now()
    outcome = feed_poll(feed=feed, now=now)
    feed.refresh_from_db()
    assert "500" in outcome.error and "500" in feed.last_error
    assert feed.failures == 1 and feed.next_attempt_at == now + timedelta(hours=1)
    feed_poll(feed=feed, now=now)
    feed.refresh_from_db()
    assert feed.failures == 2 and feed.next_attempt_at == now + timedelta(hours=2)
    assert NewsItem.objects.filter(feed=feed).count() == 2  # what was read stays
    feed_server.routes["/feed/"] = Route(sample("wordpress_feed.rss.xml"))
    feed_poll(feed=feed, now=now)
    feed.refresh_from_db()
    assert (feed.failures, feed.last_error) == (0, "")


def test_back_off_doubles_from_an_hour_up_to_a_day():
    hours = [backoff(n) / timedelta(hours=1) for n in range(1, 9)]
    assert hours == [1, 2, 4, 8, 16, 24, 24, 24]


def test_a_feed_not_due_is_left_alone(feed_server, food_bank):
    _watch(food_bank, feed_server)
    assert feeds_poll_due() == []
    WatchedFeed.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert len(feeds_poll_due()) == 1
    assert feeds_poll_due() == []  # claimed and read: due again only in an hour


def test_a_slow_site_times_out(feed_server, food_bank, monkeypatch):
    feed = _watch(food_bank, feed_server)
    monkeypatch.setattr(fetch_module, "TOTAL_SECONDS", 0.5)
    feed_server.routes["/feed/"] = Route(sample("wordpress_feed.rss.xml"), delay=2)
    outcome = feed_poll(feed=feed)
    assert "too long" in outcome.error
    feed.refresh_from_db()
    assert feed.failures == 1


def test_a_slow_trickle_times_out_too(feed_server, food_bank, monkeypatch):
    feed_server.routes["/big"] = Route(
        b"<rss>" + b" " * 20_000, chunks=100, chunk_delay=0.02, conditional=False
    )
    with pytest.raises(FeedError, match="too long"):
        fetch_module.fetch(feed_server.url("/big"), total_seconds=0.5)


@pytest.mark.parametrize("chunks", [0, 50])  # with a Content-Length, and without one
def test_an_oversize_answer_is_refused(feed_server, food_bank, chunks):
    body = b"<rss>" + b"x" * (fetch_module.MAX_BYTES + 10)
    feed_server.routes["/huge.xml"] = Route(body, chunks=chunks, conditional=False)
    food_bank.feed_url = feed_server.url("/huge.xml")
    food_bank.save()
    feed = WatchedFeed.objects.create(
        workspace=food_bank.workspace, organization=food_bank, feed_url=food_bank.feed_url
    )
    outcome = feed_poll(feed=feed)
    assert "larger than" in outcome.error
    feed.refresh_from_db()
    assert feed.failures == 1 and NewsItem.objects.count() == 0


def test_a_compression_bomb_is_cut_at_the_cap(feed_server):
    bomb = gzip.compress(b" " * (fetch_module.MAX_BYTES * 4))
    feed_server.routes["/bomb"] = Route(
        bomb, headers={"Content-Encoding": "gzip"}, conditional=False
    )
    with pytest.raises(FeedError, match="larger than"):
        fetch_module.fetch(feed_server.url("/bomb"))


def test_a_gzipped_feed_is_read(feed_server, food_bank):
    body = gzip.compress(sample("atom_feed.xml"))
    feed_server.routes["/gz"] = Route(body, headers={"Content-Encoding": "gzip"})
    outcome = feed_watch(organization=food_bank, url=feed_server.url("/gz"))
    assert outcome.new == 1


def test_redirects_are_followed_a_few_times_only(feed_server, food_bank):
    feed_server.routes["/old"] = Route(
        status=301, headers={"Location": "/feed/"}, conditional=False
    )
    assert fetch_module.fetch(feed_server.url("/old")).status == 200
    for n in range(7):
        feed_server.routes[f"/loop{n}"] = Route(
            status=302, headers={"Location": f"/loop{n + 1}"}, conditional=False
        )
    with pytest.raises(FeedError, match="redirected more than"):
        fetch_module.fetch(feed_server.url("/loop0"))


def test_a_missing_feed_and_a_page_that_is_no_feed_say_so(feed_server, food_bank):
    with pytest.raises(FeedError, match="404"):
        feed_watch(organization=food_bank, url=feed_server.url("/nothing-here"))
    feed_server.routes["/plain"] = Route(b"just text", content_type="text/plain")
    with pytest.raises(FeedError, match="no RSS or Atom feed"):
        feed_watch(organization=food_bank, url=feed_server.url("/plain"))
    assert not WatchedFeed.objects.exists()


def test_stopping_while_a_feed_is_read_does_not_bring_it_back(feed_server, food_bank):
    feed = _watch(food_bank, feed_server)
    WatchedFeed.objects.filter(pk=feed.pk).delete()
    feed_server.routes["/feed/"] = Route(sample("atom_feed.xml"))
    feed_poll(feed=feed)
    assert not WatchedFeed.objects.exists() and not NewsItem.objects.exists()
