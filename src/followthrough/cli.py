"""The `followthrough` command: Django's command runner with our settings and data dir.

`--data-dir DIR` is accepted by every command (before or after the command name) and
is applied before Django's settings load, so the database and secret key follow it.
"""

from __future__ import annotations

import os
import sys
import traceback

from followthrough.config import DATA_DIR_ENV, make_data_dir


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


def _missing_table(error: Exception) -> bool:
    """Whether a database error says a table is not there: SQLite's "no such table",
    PostgreSQL's 'relation "…" does not exist'."""
    text = str(error)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _quiet_broken_pipe() -> None:
    """The reader of our output went away (`followthrough export json | head`): stop
    without a traceback, and without Python's own complaint when it flushes stdout."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    args = [args[0], *_pop_data_dir(args[1:])]
    if args[1:] == ["--version"]:  # ours, not Django's
        from followthrough import __version__

        print(f"followthrough {__version__}")
        return
    try:
        make_data_dir()  # every command reads or writes the database or files there
    except OSError as error:
        reason = error.strerror or error
        sys.exit(f"followthrough: cannot create the data directory {error.filename}: {reason}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(args)
    except KeyboardInterrupt as interrupt:
        # Ctrl-C. Imports and restores run in one transaction, so one cut short saved
        # nothing; `serve` stops this way too. Django has closed the database by now,
        # so a query generator the cut-short frames still hold (an export's, a
        # backup's) fails to close its cursor: that is noise on the way out, not news.
        sys.unraisablehook = lambda unraisable: None
        traceback.clear_frames(interrupt.__traceback__)
        print("followthrough: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except ImproperlyConfigured as error:  # a setting's value: the message says which
        sys.exit(f"followthrough: {error}")
    except OSError as error:
        if error.filename is None:
            raise
        sys.exit(f"followthrough: {error.strerror or error}: {error.filename}")
    except (OperationalError, ProgrammingError) as error:
        if isinstance(error.__context__, BrokenPipeError):  # rolling back after it
            _quiet_broken_pipe()
        if not _missing_table(error):
            raise
        from django.db import connection

        where = connection.settings_dict["NAME"]
        sys.exit(
            f"followthrough: the database {where} is not set up yet. Run "
            "`followthrough migrate` (or `followthrough serve` or `followthrough demo`, "
            "which set it up) first."
        )
