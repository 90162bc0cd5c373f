"""System checks on the installation's own files: the data directory and the key file.

Registered by `SiteConfig.ready()`, so `followthrough check` (and every command that
runs the checks, `serve` included) says what is wrong before a request fails on it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def data_dir_check(**kwargs: Any) -> list[CheckMessage]:
    """The data directory exists and this process may create files in it."""
    path = Path(settings.DATA_DIR)
    if not path.is_dir():
        return [
            Error(
                f"The data directory {path} does not exist.",
                hint="Run a `followthrough` command (it creates the directory), create it "
                "yourself, or point FOLLOWTHROUGH_DATA_DIR at an existing directory.",
                id="followthrough.E001",
            )
        ]
    if not os.access(path, os.W_OK | os.X_OK):
        return [
            Error(
                f"The data directory {path} is not writable by this user.",
                hint="The database, uploads and secret key are written there: give this "
                "user write access to it, or point FOLLOWTHROUGH_DATA_DIR elsewhere.",
                id="followthrough.E002",
            )
        ]
    return []


@register()
def secret_key_file_check(**kwargs: Any) -> list[CheckMessage]:
    """The key file, when the key comes from it, can be read and holds a key (a missing
    one is fine: it is made at first use)."""
    key_file = getattr(settings, "SECRET_KEY_FILE", None)
    if key_file is None:  # SECRET_KEY is set in the environment
        return []
    key_file = Path(key_file)
    try:
        key = key_file.read_text().strip()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        return [
            Error(
                f"The secret key file {key_file} cannot be read: {reason}.",
                hint="Give this user read access to it, or set SECRET_KEY.",
                id="followthrough.E003",
            )
        ]
    if not key:
        return [
            Error(
                f"The secret key file {key_file} is empty.",
                hint="Delete it to have a new key made at the next start (signed-in users "
                "sign in again), or set SECRET_KEY.",
                id="followthrough.E004",
            )
        ]
    return []
