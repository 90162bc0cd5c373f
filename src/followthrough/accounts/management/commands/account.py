"""`followthrough account reset-2fa|deactivate|activate EMAIL`: an installation
administrator's help with one account."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from followthrough.accounts import services


class Command(BaseCommand):
    help = (
        "Help with one account: remove its two-factor sign-in (`reset-2fa EMAIL`, for a "
        "lost phone with no recovery codes left), stop it signing in (`deactivate EMAIL`; "
        "its open sessions end at once) or let it sign in again (`activate EMAIL`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="reset-2fa|deactivate|activate"
        )
        for name, text in (
            ("reset-2fa", "Remove the account's authenticator and recovery codes."),
            ("deactivate", "Stop the account signing in; its open sessions end."),
            ("activate", "Let the account sign in again."),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument("email", help="The address the account signs in with.")
        parser.add_argument(
            "--data-dir", help="Directory holding the database (applied by followthrough)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = services.user_by_email(email=options["email"])
        except services.AccountError as error:
            raise CommandError(str(error)) from None
        action = options["action"]
        if action == "reset-2fa":
            if not services.two_factor_remove(user=user):
                self.stdout.write(f"{user.email} has no two-factor sign-in: nothing to remove.")
                return
            self.stdout.write(
                f"Removed two-factor sign-in from {user.email}: the password alone signs "
                "in now. They can turn it on again on their account page."
            )
        else:
            active = action == "activate"
            services.user_set_active(user=user, active=active)
            state = "can sign in" if active else "can no longer sign in; open sessions ended"
            self.stdout.write(f"{user.email} {state}.")
