"""Point Django at a data directory before anything imports settings (no Django here)."""

from __future__ import annotations

import os
from collections.abc import Sequence


def setup_django(data_dir: str, *, extra_hosts: Sequence[str] = ()) -> None:
    """Configure Followthrough's real settings for `data_dir` and start Django.

    Uses the same database file the app would use there (never a test database).
    `extra_hosts` are added to the allowed hosts (e.g. the test client's `testserver`).
    """
    os.environ["FOLLOWTHROUGH_DATA_DIR"] = data_dir
    from followthrough.config import make_data_dir

    make_data_dir()  # as the `followthrough` command does: the settings only name it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "followthrough.settings")
    if extra_hosts:
        hosts = os.environ.get("FOLLOWTHROUGH_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
        os.environ["FOLLOWTHROUGH_ALLOWED_HOSTS"] = ",".join([hosts, *extra_hosts])
    import django

    django.setup()
