"""The `followthrough` command on a fresh data directory, as a new user runs it."""

from __future__ import annotations

import os
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
    done = _run(tmp_path, "demo")
    assert done.returncode == 0, done.stderr
    assert "Demo workspace ready" in done.stdout
    export = _run(tmp_path, "export", "csv", "--workspace", "demo")
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith("\ufeffFirst Name,")
