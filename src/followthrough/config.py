"""Where an installation keeps its data, and the secret it generates for itself.

Read before Django's settings load, so it must not import Django. Nothing here runs on
import: the settings only compute paths, and what starts the app (the `followthrough`
command, the WSGI module, the tests' settings) calls `make_data_dir()`.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "FOLLOWTHROUGH_DATA_DIR"


def data_dir() -> Path:
    """The data directory: `$FOLLOWTHROUGH_DATA_DIR` or the per-user data directory.

    Only the path: nothing is created (see `make_data_dir`)."""
    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("followthrough"))
    return path.expanduser().resolve()


def make_data_dir() -> Path:
    """Create the data directory, and its `static` folder, when they are missing.

    The database, uploads and secret key live here: a new directory is the owner's
    alone (an existing one keeps the permissions its owner gave it). WhiteNoise expects
    the static folder (`STATIC_ROOT`) to exist before `collectstatic` fills it.
    """
    path = data_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    (path / "static").mkdir(exist_ok=True)
    return path


def secret_key(key_file: Path) -> str:
    """Read the installation's secret key, generating it on first use ("" if the file
    is empty: the caller decides what that means).

    A fresh install must never run with a published default key, so the key is
    made with `secrets` and written with owner-only permissions. Two processes making
    it at once (web server processes starting together) agree on the first one's key.
    """
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _key_written_by_another(key_file)
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _key_written_by_another(key_file: Path) -> str:
    """The key another process has just created the file for, once it has written it
    (a few microseconds; given up after a second, when the empty file is the answer)."""
    for _ in range(100):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    return ""
