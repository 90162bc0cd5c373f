"""Builders for the watch tests: our own profile, a watched feed with items (stored through
the same path as a poll, no network)."""

from __future__ import annotations

from followthrough.people.services import organization_update
from followthrough.watch.models import WatchedFeed
from followthrough.watch.services import feed_load
from tests.factories import make_org
from tests.watch.conftest import sample


def our_profile(workspace, **fields):
    own = workspace.organization
    values = {
        "mission": "Adults and children in the valley read with confidence.",
        "offers": "Trained volunteer tutors; a classroom for evening meetings.",
        "needs": "Volunteer tutors for evening sessions; funding for a family reading program.",
        **fields,
    }
    organization_update(organization=own, focus_areas=["food security", "adult literacy"], **values)
    return own


def watched(workspace, name="Riverside Food Bank", feed_file="wordpress_feed.rss.xml"):
    organization = make_org(workspace, name=name, feed_url=f"https://{len(name)}.example/feed/")
    feed = WatchedFeed.objects.create(
        workspace=workspace, organization=organization, feed_url=organization.feed_url
    )
    feed_load(feed=feed, body=sample(feed_file))
    return feed
