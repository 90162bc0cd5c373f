from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import make_org
from tests.watch.server import FeedServer, Route

DATA = Path(__file__).parent / "data"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.routes["/feed/"] = Route(sample("wordpress_feed.rss.xml"))
    server.routes["/atom.xml"] = Route(sample("atom_feed.xml"), content_type="application/atom+xml")
    yield server
    server.close()


@pytest.fixture
def loopback(settings):
    """Let the fetcher read 127.0.0.1 (the test server); off by default."""
    settings.FEEDS_ALLOW_LOOPBACK = True


@pytest.fixture
def food_bank(workspace):
    return make_org(workspace, name="Riverside Food Bank", website="https://riversidefoodbank.org")
