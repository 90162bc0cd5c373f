"""`followthrough watch poll|add|list`, and the worker's tick that queues a poll."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.watch.tasks import tick
from tests.factories import make_org
from tests.watch.server import Route

pytestmark = pytest.mark.usefixtures("loopback")


def _run(*args):
    out = io.StringIO()
    call_command("watch", *args, stdout=out)
    return out.getvalue()


def test_add_then_poll_then_list(feed_server, workspace, other_workspace):
    make_org(workspace, name="Riverside Food Bank")
    text = _run(
        "add", "riverside food bank", feed_server.url("/feed/"), "--workspace", workspace.slug
    )
    assert f"Watching Riverside Food Bank: {feed_server.url('/feed/')} (2 items)." in text
    assert "0 feeds read." in _run("poll", "--workspace", workspace.slug)  # not due yet
    text = _run("poll", "--all", "--workspace", workspace.slug)
    assert "Riverside Food Bank: nothing new (304)" in text and "1 feed read." in text
    feed_server.routes["/feed/"] = Route(b"", status=500, conditional=False)
    assert "failed — The site answered 500" in _run("poll", "--all")
    listing = _run("list", "--workspace", workspace.slug)
    assert "Riverside Food Bank" in listing and "1 failures in a row" in listing


def test_poll_reads_only_the_workspace_named(feed_server, workspace, other_workspace):
    for ws in (workspace, other_workspace):
        org = make_org(ws, name="Food", feed_url=feed_server.url("/feed/"))
        WatchedFeed.objects.create(workspace=ws, organization=org, feed_url=org.feed_url)
    assert "1 feed read." in _run("poll", "--workspace", other_workspace.slug)
    assert NewsItem.objects.filter(workspace=workspace).count() == 0
    assert NewsItem.objects.filter(workspace=other_workspace).count() == 2


def test_add_names_what_is_wrong(workspace):
    with pytest.raises(CommandError, match="No organization named"):
        _run("add", "Nobody", "https://x.example/feed", "--workspace", workspace.slug)
    make_org(workspace, name="Intranet")
    with pytest.raises(CommandError, match="Only http and https"):
        _run("add", "Intranet", "file:///etc/passwd", "--workspace", workspace.slug)


def test_the_tick_queues_a_poll_only_when_a_feed_is_due(feed_server, workspace):
    org = make_org(workspace, name="Food", feed_url=feed_server.url("/feed/"))
    feed = WatchedFeed.objects.create(
        workspace=workspace, organization=org, feed_url=org.feed_url,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    assert tick() is None
    WatchedFeed.objects.filter(pk=feed.pk).update(next_attempt_at=timezone.now())
    result = tick()  # the immediate backend of the tests runs it at once
    assert result is not None and result.return_value == 1
    assert NewsItem.objects.filter(feed=feed).count() == 2
