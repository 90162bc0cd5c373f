"""Reading feeds: RSS and Atom, and nothing from a feed that could run as script."""

from __future__ import annotations

import pytest

from followthrough.watch.guard import FeedError
from followthrough.watch.parse import clean_html, parse_feed, plain_text
from tests.watch.conftest import sample

HOSTILE = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Hostile &lt;b&gt;news&lt;/b&gt;</title>
<link>javascript:alert(1)</link>
<item>
  <title><![CDATA[Hello <script>alert(1)</script><img src=x onerror=alert(2)>world]]></title>
  <link>javascript:alert(3)</link>
  <guid>hostile-1</guid>
  <description><![CDATA[
    <p onclick="alert(4)" style="position:fixed">Read <a href="javascript:alert(5)">this</a>
    and <a href="JaVaScRiPt:alert(6)">that</a>
    and <a href="data:text/html;base64,PHNjcmlwdD4=">more</a>
    or <a href="https://ok.example/x" onmouseover="alert(7)" target="_top">the site</a>.</p>
    <script>alert(8)</script><style>body{display:none}</style>
    <iframe src="https://evil.example/"></iframe>
    <svg><foreignObject><iframe srcdoc="<script>alert(9)</script>"></iframe></foreignObject></svg>
    <form action="https://evil.example/"><input name=x></form>
    <img src="https://tracker.example/pixel.gif">
  ]]></description>
</item></channel></rss>"""


def test_it_reads_the_wordpress_feed():
    feed = parse_feed(sample("wordpress_feed.rss.xml"))
    assert (feed.title, feed.site_url) == (
        "Riverside Food Bank News",
        "https://riversidefoodbank.org",
    )
    first, second = feed.entries
    assert first.title == "We are looking for youth volunteer partners"
    assert first.link == "https://riversidefoodbank.org/2026/03/youth-volunteers/"
    assert first.published_at.isoformat() == "2026-03-10T14:02:11+00:00"
    assert (
        first.summary_html == "<p>Our summer program needs <strong>tutors</strong> and drivers.</p>"
    )
    assert second.summary_html == "We served 12,400 families."


def test_it_reads_the_atom_feed():
    feed = parse_feed(sample("atom_feed.xml"))
    [entry] = feed.entries
    assert entry.title == "Call for members: food-justice working group"
    assert entry.link == "https://greenworks.org/news/food-justice-group"
    assert entry.summary_html == "<p>We invite local groups to join.</p>"
    assert entry.published_at.isoformat() == "2026-03-11T18:30:02+00:00"


def test_it_reads_a_title_spread_over_lines_in_another_script():
    feed = parse_feed(sample("same_link_feed.xml"))
    assert feed.title == "Eastside Tenants' Union — 東側の借家人組合"
    assert len({entry.key for entry in feed.entries}) == 4


def test_nothing_from_a_feed_can_run_as_script():
    feed = parse_feed(HOSTILE)
    [entry] = feed.entries
    html = entry.summary_html.lower()
    banned = (
        "<script", "alert(8)", "onclick", "onmouseover", "onerror", "javascript:", "data:",
        "<iframe", "<svg", "<style", "<form", "<input", "<img", "style=",
    )  # fmt: skip
    for bad in banned:
        assert bad not in html, bad
    assert '<a href="https://ok.example/x" rel="noopener noreferrer nofollow">the site</a>' in (
        entry.summary_html
    )
    assert entry.title == "Hello world"  # a title is plain text
    assert entry.link == "" and feed.site_url == ""  # only http(s) links
    assert feed.title == "Hostile news"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        ("<img src=x onerror=alert(1)>", ""),
        ("<script>alert(1)</script>ok", "ok"),
        ("<p>fine <em>text</em></p>", "<p>fine <em>text</em></p>"),
    ],
)
def test_clean_html_is_the_one_rule(dirty, clean):
    assert clean_html(dirty) == clean


def test_plain_text_reads_entities_and_drops_tags():
    assert plain_text("Food &amp; <b>fun</b>\n  today") == "Food & fun today"


def test_what_is_not_a_feed_is_refused():
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body><p>Hello</p></body></html>")
