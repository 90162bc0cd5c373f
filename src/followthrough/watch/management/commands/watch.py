"""`followthrough watch poll` / `watch add ORG_NAME URL` / `watch list`: watched news feeds
from the command line (the worker polls them by itself)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.people.models import Organization
from followthrough.watch.guard import FeedError
from followthrough.watch.models import WatchedFeed
from followthrough.watch.services import PollOutcome, feed_watch, feeds_poll_due
from followthrough.workspaces.commands import add_workspace_argument, command_workspace


class Command(BaseCommand):
    help = (
        "Watched news feeds: `poll` reads the feeds that are due (`--all`: every one), "
        "`add ORG_NAME URL` watches an organization's feed or website, `list` shows each "
        "feed's status."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="poll|add|list")
        poll = actions.add_parser("poll", help="Read the feeds that are due now.")
        poll.add_argument("--all", action="store_true", help="Read every feed, due or not.")
        poll.add_argument("--workspace", metavar="SLUG", help="Only this workspace's feeds.")
        add = actions.add_parser("add", help="Watch an organization's news.")
        add.add_argument("organization", metavar="ORG_NAME", help="The organization's name.")
        add.add_argument("url", metavar="URL", help="Its news feed, or its website.")
        add_workspace_argument(add)
        listing = actions.add_parser("list", help="The watched feeds and their status.")
        add_workspace_argument(listing)
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "poll":
            slug = options["workspace"]
            workspace = command_workspace(slug) if slug else None
            outcomes = feeds_poll_due(workspace=workspace, every=options["all"])
            for outcome in outcomes:
                self.stdout.write(_line(outcome))
            self.stdout.write(f"{len(outcomes)} feed{'s' * (len(outcomes) != 1)} read.")
        elif options["action"] == "add":
            self._add(
                command_workspace(options["workspace"]), options["organization"], options["url"]
            )
        else:
            self._list(command_workspace(options["workspace"]))

    def _add(self, workspace: Any, name: str, url: str) -> None:
        organization = (
            Organization.objects.for_workspace(workspace).filter(name__iexact=name.strip()).first()
        )
        if organization is None:
            raise CommandError(f"No organization named “{name}” in {workspace.slug}.")
        try:
            outcome = feed_watch(organization=organization, url=url)
        except FeedError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Watching {organization.name}: {outcome.feed.feed_url} ({outcome.new} items)."
        )

    def _list(self, workspace: Any) -> None:
        feeds = WatchedFeed.objects.for_workspace(workspace).select_related("organization")
        for feed in feeds.order_by("organization__name"):
            read = (
                feed.last_fetched_at.isoformat(timespec="minutes")
                if feed.last_fetched_at
                else "never"
            )
            status = (
                f"{feed.failures} failures in a row: {feed.last_error}" if feed.last_error else "ok"
            )
            self.stdout.write(f"{feed.organization.name}\t{feed.feed_url}\tread {read}\t{status}")


def _line(outcome: PollOutcome) -> str:
    name = outcome.feed.organization.name
    if outcome.error:
        return f"{name}: failed — {outcome.error}"
    if outcome.not_modified:
        return f"{name}: nothing new (304)"
    return f"{name}: {outcome.new} new item{'s' * (outcome.new != 1)}"
