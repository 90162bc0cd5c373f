"""The `followthrough` command on a fresh data directory, as a new user runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "followthrough", *args, "--data-dir", str(data_dir)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_command_on_a_database_not_set_up_says_what_to_run(tmp_path):
    done = _run(tmp_path, "export", "csv")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    database = tmp_path / "followthrough.sqlite3"
    assert f"the database {database} is not set up yet" in done.stderr
    assert "followthrough migrate" in done.stderr


def test_demo_sets_up_a_fresh_data_directory(tmp_path):
    fresh = tmp_path / "data"
    done = _run(fresh, "demo")
    assert done.returncode == 0, done.stderr
    assert fresh.stat().st_mode & 0o777 == 0o700  # the database and secret key are in it
    done = _run(tmp_path, "demo")
    assert done.returncode == 0, done.stderr
    assert "Demo workspace ready" in done.stdout
    export = _run(tmp_path, "export", "csv", "--workspace", "demo")
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith("\ufeffFirst Name,")


def test_output_that_cannot_be_written_is_a_message_not_a_traceback(tmp_path):
    assert _run(tmp_path, "migrate").returncode == 0
    assert _run(tmp_path, "demo").returncode == 0
    (tmp_path / "a-folder").mkdir()
    cases = {
        ("export", "csv", "-o", str(tmp_path / "nowhere" / "x.csv")): "No such directory",
        ("export", "csv", "-o", str(tmp_path / "a-folder")): "Is a directory",
        ("backup", "-o", str(tmp_path / "a-folder")): "Is a directory",
        ("backup", "--db", "-o", str(tmp_path / "nowhere" / "c.sqlite3")): "no directory",
    }
    for args, message in cases.items():
        done = _run(tmp_path, *args)
        assert done.returncode == 1, args
        assert message in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    assert not list(tmp_path.glob("**/*.partial")) and not list((tmp_path / "a-folder").iterdir())


def test_a_reader_that_goes_away_ends_the_export_quietly(tmp_path):
    assert _run(tmp_path, "demo").returncode == 0
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    command = [sys.executable, "-m", "followthrough", "export", "json", "--data-dir", str(tmp_path)]
    with subprocess.Popen(  # noqa: S603 -- our own command
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as export:
        assert export.stdout is not None and export.stderr is not None
        assert export.stdout.read(10) == b'{"format":'
        export.stdout.close()  # as `| head -c 10` does
        errors = export.stderr.read().decode()
    assert export.returncode == 1
    assert errors == "", errors


def test_version_is_the_apps(tmp_path):
    from followthrough import __version__

    done = _run(tmp_path, "--version")
    assert done.stdout.strip() == f"followthrough {__version__}"


def test_ctrl_c_in_the_middle_of_a_query_says_interrupted_and_nothing_else(tmp_path):
    # As in an export or backup: Django closes the database before the CLI hears of the
    # interrupt, and the query generator left open must not print a traceback on exit.
    assert _run(tmp_path, "migrate").returncode == 0
    code = (
        "from django.contrib.contenttypes.models import ContentType\n"
        "def export():\n"
        "    rows = ContentType.objects.all().iterator(chunk_size=1)\n"
        "    next(rows)\n"
        "    raise KeyboardInterrupt\n"
        "export()\n"
    )
    done = _run(tmp_path, "shell", "-c", code)
    # 130, or killed by SIGINT: Python exits that way after `exec` of a string (shell -c)
    # was interrupted, whatever exit status the program then asked for.
    assert done.returncode in (130, -signal.SIGINT)
    assert done.stderr == "followthrough: interrupted\n"
