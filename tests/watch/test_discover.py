"""Finding a site's feed from its page, served by a local server."""

from __future__ import annotations

import pytest

from followthrough.watch.discover import discover_feeds
from followthrough.watch.guard import FeedError, RefusedAddress
from followthrough.watch.services import feed_watch
from tests.watch.server import Route

PAGE = b"""<!doctype html><html><head><title>Riverside Food Bank</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="News" href="/feed/">
<link rel="alternate" type="application/atom+xml" href="atom.xml">
<link rel="alternate" type="text/html" hreflang="es" href="/es/">
</head><body>
<a href="/other-feed.xml" rel="alternate" type="application/rss+xml">not a link tag</a>
</body></html>"""


def test_it_finds_rss_and_atom_links_resolved_against_the_page():
    found = discover_feeds(PAGE, page_url="https://food.example/about/")
    assert found == ["https://food.example/feed/", "https://food.example/about/atom.xml"]


def test_it_honours_base_and_ignores_other_schemes():
    page = b"""<head><base href="https://cdn.example/site/">
    <LINK REL="Alternate feed" TYPE="application/rss+xml; charset=utf-8" HREF="news.xml">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/rss+xml" href="ftp://food.example/feed"></head>"""
    assert discover_feeds(page, page_url="https://food.example/") == [
        "https://cdn.example/site/news.xml"
    ]


def test_it_finds_nothing_on_a_page_without_feeds():
    assert discover_feeds(b"<html><head></head></html>", page_url="https://x.example/") == []


def test_watching_a_website_finds_and_reads_its_feed(feed_server, loopback, food_bank):
    feed_server.routes["/"] = Route(PAGE, content_type="text/html; charset=utf-8")
    outcome = feed_watch(organization=food_bank, url=feed_server.url("/"))
    assert outcome.feed.feed_url == feed_server.url("/feed/")
    assert outcome.new == 2
    food_bank.refresh_from_db()
    assert food_bank.feed_url == feed_server.url("/feed/")
    assert food_bank.website == "https://riversidefoodbank.org"  # kept as it was


def test_with_no_address_the_organizations_website_is_used(feed_server, loopback, food_bank):
    feed_server.routes["/"] = Route(PAGE, content_type="text/html")
    food_bank.website = feed_server.url("/")
    food_bank.save()
    assert feed_watch(organization=food_bank).feed.feed_url == feed_server.url("/feed/")


def test_a_page_announcing_a_private_feed_is_refused(feed_server, loopback, food_bank):
    page = b'<link rel="alternate" type="application/rss+xml" href="http://192.168.0.10/feed">'
    feed_server.routes["/"] = Route(page, content_type="text/html")
    with pytest.raises(RefusedAddress):
        feed_watch(organization=food_bank, url=feed_server.url("/"))


def test_a_page_without_a_feed_says_so(feed_server, loopback, food_bank):
    feed_server.routes["/"] = Route(b"<html><head></head></html>", content_type="text/html")
    with pytest.raises(FeedError, match="announces no RSS or Atom feed"):
        feed_watch(organization=food_bank, url=feed_server.url("/"))
