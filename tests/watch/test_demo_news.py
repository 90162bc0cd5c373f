"""The demo watches a few organizations, with news from feed files bundled in the package."""

from __future__ import annotations

from django.urls import reverse

from followthrough.site.demo import demo_load
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.watch.selectors import around_page


def test_the_demo_watches_organizations_and_highlights_what_touches_us(db, client):
    result = demo_load(password="demo-password")
    workspace = result.workspace
    feeds = WatchedFeed.objects.for_workspace(workspace).select_related("organization")
    assert {f.organization.name for f in feeds} == {
        "Riverside Food Bank",
        "Riverside Public Library",
        "Valley Community Foundation",
    }
    assert all(f.organization.feed_url == f.feed_url for f in feeds)
    assert NewsItem.objects.for_workspace(workspace).count() == 8 == result.counts["news items"]
    lines = around_page(workspace=workspace).object_list
    highlighted = {line.item.title: line.reasons for line in lines if line.reasons}
    assert len(highlighted) >= 2
    assert any("you need" in reason for reasons in highlighted.values() for reason in reasons)
    client.force_login(workspace.memberships.get(user__email=result.email).user)
    body = client.get(reverse("watch:around", args=[workspace.slug])).content.decode()
    assert "Touches your work" in body and "Our second pantry opens on the east side" in body
