"""The member's reminders page, the owners' status page, and the two addresses that work
without logging in: the digest's unsubscribe link and the calendar feed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.reminders import services
from followthrough.reminders.calendar import calendar_feed_ics
from followthrough.reminders.forms import DigestForm
from followthrough.reminders.selectors import (
    calendar_feed_active,
    calendar_feed_by_token,
    worker_status,
)
from followthrough.reminders.sending import absolute
from followthrough.reminders.tokens import unsubscribe_target
from followthrough.workspaces.access import WorkspaceRequest, workspace_view
from followthrough.workspaces.responses import see_other


def _feed_url(token: str) -> str:
    return absolute(reverse("reminders-public:calendar", args=[token]))


@workspace_view
def reminders_settings(request: WorkspaceRequest) -> HttpResponse:
    """The member's own digest and calendar feed. Their preferences, not the workspace's
    data: viewers may change theirs too."""
    workspace, user = request.workspace, request.user
    subscription = services.digest_subscription_for(workspace=workspace, user=user)
    form = DigestForm(instance=subscription)
    new_feed_url = ""
    action = request.POST.get("action")
    if action == "digest":
        form = DigestForm(request.POST, instance=subscription)
        if form.is_valid():
            services.digest_subscription_update(subscription=subscription, **form.cleaned_data)
            return see_other("reminders:settings", workspace_slug=workspace.slug)
    elif action == "feed-new":
        # Shown in this answer only: the token is not stored, so it cannot be shown again.
        _, token = services.calendar_feed_create(workspace=workspace, user=user)
        new_feed_url = _feed_url(token)
    elif action == "feed-revoke":
        services.calendar_feed_revoke(workspace=workspace, user=user)
        return see_other("reminders:settings", workspace_slug=workspace.slug)
    context = {
        "form": form,
        "feed": calendar_feed_active(workspace=workspace, user=user),
        "new_feed_url": new_feed_url,
        "nav": "reminders",
    }
    return render(request, "reminders/settings.html", context)


@workspace_view(owner=True)
@require_GET
def status(request: WorkspaceRequest) -> HttpResponse:
    """Whether reminders can fire: the worker's heartbeat, the queue, failed tasks, and
    this workspace's digests due but not sent."""
    report = worker_status(workspace=request.workspace, user=request.user)
    return render(request, "reminders/status.html", {"status": report})


@csrf_exempt  # the signed token is the credential; mail clients post without a cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners fetch links, and must not unsubscribe anyone); POST — the
    page's button, or a mail client's RFC 8058 one-click — turns the digest off."""
    target = unsubscribe_target(token)
    if target is None:
        raise Http404
    workspace_id, user_id = target
    if request.method == "POST":
        if not services.digest_unsubscribe(workspace_id=workspace_id, user_id=user_id):
            raise Http404
        return render(request, "reminders/unsubscribed.html")
    return render(request, "reminders/unsubscribe.html")


@require_GET
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """A member's private feed, for any calendar app: the token is the credential. An
    unknown and a revoked token answer alike (404)."""
    feed = calendar_feed_by_token(token)
    if feed is None:
        raise Http404
    response = HttpResponse(
        calendar_feed_ics(workspace=feed.workspace, user=feed.user),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="followthrough.ics"'
    return response
