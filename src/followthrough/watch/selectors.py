"""Reads of the watch room: news around us, an organization's news and feed status, each
item with the reasons it touches our own work. Scoped to one workspace."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import QuerySet

from followthrough.people.models import Organization, Person
from followthrough.people.selectors import TimelinePage, current_people, timeline_page
from followthrough.watch.highlight import highlighter
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.watch.parse import plain_text
from followthrough.workspaces.models import Workspace

AROUND_PER_PAGE = 25
ORGANIZATION_ITEMS = 5
PEOPLE_SHOWN = 20  # per organization, to follow up with


@dataclass(frozen=True)
class NewsLine:
    """An item, why it touches our work (empty when it does not), and the people at its
    organization a follow-up about it can be with."""

    item: NewsItem
    reasons: tuple[str, ...] = ()
    people: tuple[Person, ...] = ()

    @property
    def highlighted(self) -> bool:
        return bool(self.reasons)


def news_items(*, workspace: Workspace) -> QuerySet[NewsItem]:
    """The workspace's news items, newest first, each with its feed and organization.
    Served by the (workspace, published) index."""
    return (
        NewsItem.objects.for_workspace(workspace)
        .select_related("feed__organization")
        .order_by("-published_at", "-pk")
    )


def _lines(workspace: Workspace, items: list[NewsItem]) -> list[NewsLine]:
    """The items with their reasons and their organizations' current people (one query
    for the people, plus the highlighter's few)."""
    if not items:
        return []
    found = highlighter(workspace=workspace)
    people = current_people(
        workspace=workspace,
        organization_ids={item.feed.organization_id for item in items},
        limit=PEOPLE_SHOWN,
    )
    return [
        NewsLine(
            item,
            found.reasons(f"{item.title}\n{plain_text(item.summary_html)}") if found else (),
            tuple(people.get(item.feed.organization_id, ())),
        )
        for item in items
    ]


def around_page(*, workspace: Workspace, number: int = 1) -> TimelinePage:
    """Page `number` of the news of every watched organization, newest first, as
    `NewsLine`s. One query for the page (no count), plus the highlighter's few."""
    page = timeline_page(news_items(workspace=workspace), number=number, per_page=AROUND_PER_PAGE)
    return replace(page, object_list=_lines(workspace, page.object_list))


@dataclass(frozen=True)
class OrganizationNews:
    """What the organization's page shows of its news: the feed (None when not
    watched) and its latest items."""

    feed: WatchedFeed | None
    lines: list[NewsLine]


def organization_news(
    *, workspace: Workspace, organization: Organization, limit: int = ORGANIZATION_ITEMS
) -> OrganizationNews:
    """The organization's feed status, latest `limit` items with their reasons, and its
    current people. Three queries when watched (one when not), plus highlighting."""
    if organization.workspace_id != workspace.pk:
        raise ValueError("The organization belongs to another workspace.")
    feed = WatchedFeed.objects.for_workspace(workspace).filter(organization=organization).first()
    if feed is None:
        return OrganizationNews(feed=None, lines=[])
    items = list(
        NewsItem.objects.for_workspace(workspace)
        .filter(feed=feed)
        .order_by("-published_at", "-pk")[:limit]
    )
    for item in items:
        item.feed = feed
    return OrganizationNews(feed=feed, lines=_lines(workspace, items))


def people_for_follow_up(*, item: NewsItem) -> list[Person]:
    """Whom a follow-up about the item may be with: its organization's current people."""
    found = current_people(
        workspace=item.feed.workspace,
        organization_ids={item.feed.organization_id},
        limit=PEOPLE_SHOWN,
    )
    return found.get(item.feed.organization_id, [])


def watched_count(*, workspace: Workspace) -> int:
    return WatchedFeed.objects.for_workspace(workspace).count()
