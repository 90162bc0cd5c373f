"""Where an installation keeps its data, and the secret it generates for itself.

Read before Django's settings load, so it must not import Django.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "FOLLOWTHROUGH_DATA_DIR"


def data_dir() -> Path:
    """The data directory: `$FOLLOWTHROUGH_DATA_DIR` or the per-user data directory."""
    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured) if configured else Path(platformdirs.user_data_dir("followthrough"))
    path = path.expanduser().resolve()
    # The database, uploads and secret key live here: a new directory is the owner's
    # alone (an existing one keeps the permissions its owner gave it).
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """Read the installation's secret key, generating it on first use.

    A fresh install must never run with a published default key, so the key is
    made with `secrets` and written with owner-only permissions.
    """
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
