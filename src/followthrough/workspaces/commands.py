"""What the commands that work on one workspace share: the `--workspace` option, and the
workspace it names."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from followthrough.workspaces.models import Workspace


def add_workspace_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--workspace", metavar="SLUG", help="The workspace (may be left out if only one)."
    )


def command_workspace(slug: str | None) -> Workspace:
    """The workspace a command works on: the one named, or the only one there is.

    Raises `CommandError` naming the known slugs when `slug` is unknown, or when it was
    left out and the data directory holds no workspace or several.
    """
    if slug:
        try:
            # One being restored is not there yet: nothing may be written into it.
            return Workspace.objects.get(slug=slug, restoring=False)
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace “{slug}”. {_known_slugs()}") from None
    workspaces = list(Workspace.objects.filter(restoring=False).order_by("slug")[:2])
    if len(workspaces) == 1:
        return workspaces[0]
    if not workspaces:
        raise CommandError("There is no workspace in this data directory yet.")
    raise CommandError(
        f"This data directory holds several workspaces: name one with "
        f"--workspace SLUG. {_known_slugs()}"
    )


def _known_slugs() -> str:
    slugs = list(
        Workspace.objects.filter(restoring=False).order_by("slug").values_list("slug", flat=True)
    )
    return f"Workspaces: {', '.join(slugs)}." if slugs else "There is no workspace yet."
