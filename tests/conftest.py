"""The shared test base: one workspace with an owner, a teammate and a viewer, and an
outsider with a workspace of their own."""

from __future__ import annotations

import pytest
from django.test import Client

from followthrough.workspaces.models import Role
from tests.factories import add_member, make_user, make_workspace


@pytest.fixture
def owner(db):
    return make_user("alice@example.org", first_name="Alice", last_name="Owner")


@pytest.fixture
def workspace(owner):
    return make_workspace("Riverside Literacy", owner=owner)


@pytest.fixture
def teammate(workspace):
    return add_member(workspace, make_user("bob@example.org", first_name="Bob"), Role.MEMBER)


@pytest.fixture
def viewer(workspace):
    return add_member(workspace, make_user("vera@example.org", first_name="Vera"), Role.VIEWER)


@pytest.fixture
def outsider(db):
    return make_user("olga@example.org", first_name="Olga")


@pytest.fixture
def other_workspace(outsider):
    return make_workspace("Other Org", owner=outsider)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return _client_for(owner)


@pytest.fixture
def teammate_client(teammate) -> Client:
    return _client_for(teammate)


@pytest.fixture
def viewer_client(viewer) -> Client:
    return _client_for(viewer)


@pytest.fixture
def outsider_client(outsider, other_workspace) -> Client:
    return _client_for(outsider)


@pytest.fixture
def media_root(settings, tmp_path):
    """Photos and web uploads go to a folder of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: cached values are keyed by row ids (the
    matching term weights by workspace), and ids come back after a rolled-back test."""
    from django.core.cache import cache

    cache.clear()
