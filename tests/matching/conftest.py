import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Term weights are cached by workspace id, and ids come back after a rolled-back test."""
    cache.clear()
