"""Watch pages: "Around you" (the news of every watched organization), and the actions on
an organization's news — watch, stop, read now — and on an item: note it, follow up.

Every action answers with "see other" back to where it came from (`next`), so with HTMX
the redirect is followed and the list swapped.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from followthrough.people.models import Organization, Person
from followthrough.people.selectors import organization_profile
from followthrough.watch import selectors, services
from followthrough.watch.guard import FeedError
from followthrough.watch.models import NewsItem, WatchedFeed
from followthrough.workspaces.access import (
    WorkspaceRequest,
    get_for_workspace,
    redirect_back,
    workspace_view,
)
from followthrough.workspaces.responses import render_page_or_partial


def _page_number(request: WorkspaceRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


@workspace_view
def around(request: WorkspaceRequest) -> HttpResponse:
    """The news of every watched organization, newest first; what touches our work is
    marked with the reason."""
    context = {
        "page": selectors.around_page(workspace=request.workspace, number=_page_number(request)),
        "watched": selectors.watched_count(workspace=request.workspace),
        "here": request.get_full_path(),
        "nav": "around",
    }
    return render_page_or_partial(request, "watch/around.html", "watch/_around_list.html", context)


def _organization(request: WorkspaceRequest, pk: int) -> Organization:
    return get_for_workspace(
        organization_profile(workspace=request.workspace), request.workspace, pk=pk
    )


def _organization_url(request: WorkspaceRequest, organization: Organization) -> str:
    return reverse("people:organization-detail", args=[request.workspace.slug, organization.pk])


@require_POST
@workspace_view(write=True)
def organization_watch(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Watch the organization's news from the address given (a feed or its website)."""
    organization = _organization(request, pk)
    url = request.POST.get("url", "").strip()[:2000]
    try:
        outcome = services.feed_watch(organization=organization, url=url, actor=request.user)
    except FeedError as error:
        messages.error(request, f"Could not watch {organization.name}'s news: {error}")
    else:
        found = f"{outcome.new} item{'s' * (outcome.new != 1)}"
        messages.success(request, f"Watching {organization.name}'s news: {found} read.")
    return redirect_back(request, _organization_url(request, organization))


def _feed(request: WorkspaceRequest, pk: int) -> WatchedFeed:
    return get_for_workspace(
        WatchedFeed.objects.select_related("organization"), request.workspace, organization_id=pk
    )


@require_POST
@workspace_view(write=True)
def organization_unwatch(request: WorkspaceRequest, pk: int) -> HttpResponse:
    feed = _feed(request, pk)
    services.feed_unwatch(feed=feed)
    messages.success(request, f"No longer watching {feed.organization.name}'s news.")
    return redirect_back(request, _organization_url(request, feed.organization))


@require_POST
@workspace_view(write=True)
def organization_refresh(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Read the organization's feed now."""
    feed = _feed(request, pk)
    outcome = services.feed_poll(feed=feed)
    if outcome.error:
        messages.error(request, f"Could not read the feed: {outcome.error}")
    elif outcome.not_modified:
        messages.success(request, "Nothing new since the last read.")
    else:
        messages.success(request, f"{outcome.new} new item{'s' * (outcome.new != 1)}.")
    return redirect_back(request, _organization_url(request, feed.organization))


def _item(request: WorkspaceRequest, pk: int) -> NewsItem:
    items = NewsItem.objects.select_related("feed__organization", "feed__workspace")
    return get_for_workspace(items, request.workspace, pk=pk)


def _around_url(request: WorkspaceRequest) -> str:
    return reverse("watch:around", args=[request.workspace.slug])


@require_POST
@workspace_view(write=True)
def item_note(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Note the item on its organization's timeline, as something noticed."""
    item = _item(request, pk)
    services.news_item_note(item=item, actor=request.user)
    messages.success(request, f"Noted on {item.feed.organization.name}'s timeline.")
    return redirect_back(request, _around_url(request))


@require_POST
@workspace_view(write=True)
def item_follow_up(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A follow-up about the item with one of its organization's current people."""
    item = _item(request, pk)
    allowed = {p.pk: p for p in selectors.people_for_follow_up(item=item)}
    try:
        person: Person | None = allowed.get(int(request.POST.get("person", "")))
    except ValueError:
        person = None
    if person is None:
        messages.error(request, "Choose someone at the organization to follow up with.")
    else:
        services.news_item_follow_up(item=item, person=person, actor=request.user)
        messages.success(request, f"Follow-up with {person.full_name} added.")
    return redirect_back(request, _around_url(request))
