"""Reads of the watch room: news around us, an organization's news and feed status, each
item with the reasons it touches our own work. Scoped to one workspace."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import QuerySet

from followthrough.people.models import Organization, Person
from followthrough.people.selectors import TimelinePage, timeline_page
from followthrough.watch.highlight import Highlighter, highlighter
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.watch.parse import plain_text
from followthrough.workspaces.models import Workspace

AROUND_PER_PAGE = 25
ORGANIZATION_ITEMS = 5


@dataclass(frozen=True)
class NewsLine:
    """An item and why it touches our work (empty when it does not)."""

    item: NewsItem
    reasons: tuple[str, ...] = ()

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


def _lines(items: list[NewsItem], found: Highlighter | None) -> list[NewsLine]:
    if found is None:
        return [NewsLine(item) for item in items]
    return [
        NewsLine(item, found.reasons(f"{item.title}\n{plain_text(item.summary_html)}"))
        for item in items
    ]


def around_page(*, workspace: Workspace, number: int = 1) -> TimelinePage:
    """Page `number` of the news of every watched organization, newest first, as
    `NewsLine`s. One query for the page (no count), plus the highlighter's few."""
    page = timeline_page(news_items(workspace=workspace), number=number, per_page=AROUND_PER_PAGE)
    lines = _lines(page.object_list, highlighter(workspace=workspace))
    return replace(page, object_list=lines)


@dataclass(frozen=True)
class OrganizationNews:
    """What the organization's page shows of its news: the feed (None when not
    watched), its latest items, and the people a follow-up can be with."""

    feed: WatchedFeed | None
    lines: list[NewsLine]
    people: list[Person]


def organization_news(
    *, workspace: Workspace, organization: Organization, limit: int = ORGANIZATION_ITEMS
) -> OrganizationNews:
    """The organization's feed status, latest `limit` items with their reasons, and its
    current people. Three queries when watched (one when not), plus highlighting."""
    if organization.workspace_id != workspace.pk:
        raise ValueError("The organization belongs to another workspace.")
    feed = WatchedFeed.objects.for_workspace(workspace).filter(organization=organization).first()
    if feed is None:
        return OrganizationNews(feed=None, lines=[], people=[])
    items = list(
        NewsItem.objects.for_workspace(workspace)
        .filter(feed=feed)
        .order_by("-published_at", "-pk")[:limit]
    )
    for item in items:
        item.feed = feed
    found = highlighter(workspace=workspace) if items else None
    return OrganizationNews(feed=feed, lines=_lines(items, found), people=_people(organization))


def _people(organization: Organization) -> list[Person]:
    return list(
        Person.objects.filter(
            workspace_id=organization.workspace_id,
            affiliations__organization=organization,
            affiliations__ended_on__isnull=True,
        )
        .distinct()
        .order_by("full_name")[:50]
    )


def people_for_follow_up(*, item: NewsItem) -> list[Person]:
    """Whom a follow-up about the item may be with: the organization's current people."""
    return _people(item.feed.organization)


def watched_count(*, workspace: Workspace) -> int:
    return WatchedFeed.objects.for_workspace(workspace).count()
