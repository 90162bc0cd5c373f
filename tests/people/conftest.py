"""Directory tests: uploaded photos go to a throw-away media folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _photos_in_a_throw_away_folder(media_root):
    return media_root
