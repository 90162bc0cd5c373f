"""Watched feeds and the news items read from them.

An organization's feed address is its `feed_url` (people.Organization): that field is the
one the member edits, imports and exports. A watched feed says that we follow it, and keeps
what the fetcher knows about it — when it was read, the validators for a conditional
request, the last error, when to try again. `feed_url` here is the address that status
belongs to: when the organization's address changes, the next poll starts afresh on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from followthrough.workspaces.models import WorkspaceScoped

URL_LENGTH = 200  # as people.Organization.feed_url (Django's URLField default)


class WatchedFeed(WorkspaceScoped):
    organization = models.OneToOneField(
        "people.Organization", on_delete=models.CASCADE, related_name="watched_feed"
    )
    feed_url = models.URLField("feed address", max_length=URL_LENGTH)
    site_url = models.URLField("website", max_length=URL_LENGTH, blank=True)
    title = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed fetches in a row.")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            # The poller's question, across workspaces: which feeds are due?
            models.Index(fields=["next_attempt_at"], name="watchedfeed_due"),
        ]

    def __str__(self) -> str:
        return self.feed_url


class NewsItem(WorkspaceScoped):
    """One entry of a feed. `key` (a hash of the entry's id, else its link) is unique per
    feed, so reading the feed again adds only what is new."""

    feed = models.ForeignKey(WatchedFeed, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    link = models.URLField(max_length=500, blank=True)
    summary_html = models.TextField(blank=True, help_text="Sanitized (watch.parse.clean_html).")
    published_at = models.DateTimeField(help_text="As the feed says; else when first read.")
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="newsitem_unique_key")]
        indexes = [
            models.Index(fields=["workspace", "-published_at"], name="newsitem_ws_published"),
            models.Index(fields=["workspace", "feed", "-published_at"], name="newsitem_ws_feed"),
        ]

    def __str__(self) -> str:
        return self.title
