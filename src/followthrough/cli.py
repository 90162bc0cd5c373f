"""The `followthrough` command: Django's command runner with our settings and data dir.

`--data-dir DIR` is accepted by every command (before or after the command name) and
is applied before Django's settings load, so the database and secret key follow it.
"""

from __future__ import annotations

import os
import sys

from followthrough.config import DATA_DIR_ENV


def _pop_data_dir(argv: list[str]) -> list[str]:
    rest: list[str] = []
    items = iter(argv)
    for arg in items:
        if arg == "--data-dir":
            value = next(items, None)
            if value is None:
                sys.exit("followthrough: --data-dir needs a directory")
            os.environ[DATA_DIR_ENV] = value
        elif arg.startswith("--data-dir="):
            os.environ[DATA_DIR_ENV] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    args = [args[0], *_pop_data_dir(args[1:])]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
