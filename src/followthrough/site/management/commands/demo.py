"""`followthrough demo`: load or refresh the demo workspace and print how to log in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from followthrough.site.demo import STAFF, DemoError, demo_load


def _aware(value: str) -> datetime:
    """An ISO date-time; without an offset it is read in the default time zone."""
    moment = datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Load the demo workspace (slug `demo`): a small literacy nonprofit with its two "
        "staff, ~60 people, 26 organizations, events, follow-ups and relationships at every "
        "stage. Running it again replaces the demo with a fresh copy. Prints the page to "
        "open and the staff logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Password for both demo logins (default: a new random one, printed).",
        )
        parser.add_argument(
            "--now",
            type=_aware,
            metavar="ISO-DATETIME",
            help="Build the demo as if it were this moment (default: now), e.g. for "
            "reproducible screenshots.",
        )
        parser.add_argument(
            "--data-dir",
            help="Directory holding the database (applied by the followthrough command).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Like `serve`: on a fresh data directory the demo is the first thing people run.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = demo_load(now=options["now"], password=options["password"])
        except DemoError as error:
            raise CommandError(str(error)) from error
        counts = result.counts
        self.stdout.write(self.style.SUCCESS(f"Demo workspace ready: {result.workspace.name}"))
        self.stdout.write(f"  open       {result.path}")
        for spec in STAFF:
            self.stdout.write(f"  log in as  {spec.email}  ({spec.title})")
        self.stdout.write(f"  password   {result.password}")
        self.stdout.write(
            f"  {counts['people']} people, {counts['organizations']} organizations, "
            f"{counts['events']} events, {counts['interactions']} interactions, "
            f"{counts['open follow-ups']} open follow-ups"
        )
