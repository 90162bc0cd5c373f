"""`followthrough workspace create SLUG` / `workspace list`: workspaces for scripts."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from followthrough.site.services import workspace_open
from followthrough.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Make an empty workspace (`create SLUG [--name NAME] [--owner EMAIL]`), with its own "
        "organization for `profile set`, or list the workspaces (`list`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|list")
        create = actions.add_parser("create", help="Make an empty workspace.")
        create.add_argument("slug", help="Its address: /w/SLUG/ (lower-case letters, digits, -).")
        create.add_argument("--name", help="Its name (default: the slug).")
        create.add_argument(
            "--owner", metavar="EMAIL", help="An existing account to own it (default: nobody)."
        )
        create.add_argument(
            "--time-zone",
            metavar="ZONE",
            default="",
            help="Its time zone, e.g. Europe/Berlin (default: UTC until an owner chooses one).",
        )
        actions.add_parser("list", help="List the workspaces: slug, name, members.")
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        owner = None
        if options["owner"]:
            users = get_user_model().objects.filter(email__iexact=options["owner"].strip())
            owner = users.first()
            if owner is None:
                raise CommandError(f"No account with the e-mail {options['owner']}.")
        slug = options["slug"]
        name = (options["name"] or slug).strip()
        if not name or len(name) > 200:
            raise CommandError("--name must be 1 to 200 characters.")
        zone = options["time_zone"].strip()
        if zone and zone not in zoneinfo.available_timezones():
            raise CommandError(f"--time-zone: “{zone}” is no time zone (e.g. Europe/Berlin).")
        try:
            workspace = workspace_open(name=name, owner=owner, slug=slug, timezone=zone)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created workspace “{workspace.name}” at /w/{workspace.slug}/.")

    def _list(self) -> None:
        rows = list(
            Workspace.objects.order_by("slug")
            .annotate(members=Count("memberships"))
            .values_list("slug", "name", "members", "restoring")
        )
        if not rows:
            self.stdout.write("No workspace yet: `followthrough workspace create SLUG`.")
        for slug, name, members, restoring in rows:
            state = "\t(being restored)" if restoring else ""
            self.stdout.write(
                f"{slug}\t{name}\t{members} member{'s' if members != 1 else ''}{state}"
            )
