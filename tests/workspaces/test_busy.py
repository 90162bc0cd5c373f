"""A write that cannot get the database in time (another process holds SQLite's write
lock: a long import or restore) answers a calm 503 with Retry-After, never a 500, and
writes nothing."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from followthrough.people.models import Person
from followthrough.site.errors import server_error
from followthrough.workspaces.responses import database_busy
from tests.factories import PASSWORD

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock; PostgreSQL locks rows"
)


@contextmanager
def held_by_another_process():
    """Another connection holds the write lock; ours gives up after 0.5 s."""
    options = connection.settings_dict["OPTIONS"]
    connection.close()
    saved, options["timeout"] = options.get("timeout"), 0.5
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        connection.close()
        options["timeout"] = saved


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_creating_a_person_while_the_database_is_held_answers_503(
    transactional_db, owner, workspace
):
    client = _client(owner)
    url = reverse("people:person-new", args=[workspace.slug])
    with held_by_another_process():
        response = client.post(url, {"first_name": "Ada", "last_name": "Lovelace"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"Busy for a moment" in response.content and b"Nothing was saved" in response.content
    assert not Person.objects.filter(first_name="Ada").exists()
    # Once the other process is done, the same post goes through.
    response = client.post(url, {"first_name": "Ada", "last_name": "Lovelace"})
    assert response.status_code in (302, 303)
    assert Person.objects.filter(first_name="Ada").count() == 1


def test_logging_in_while_the_database_is_held_answers_503(transactional_db, owner):
    client = Client()
    with held_by_another_process():
        response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_a_busy_error_outside_a_view_reaches_handler500_and_is_503_too():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    try:
        raise OperationalError("no such column: x")
    except OperationalError:
        assert server_error(request).status_code == 500


def test_only_lock_waits_count_as_busy():
    assert database_busy(OperationalError("database is locked"))
    assert database_busy(OperationalError("database table is locked"))
    assert database_busy(OperationalError("canceling statement due to lock timeout"))
    assert not database_busy(OperationalError("disk I/O error"))
    assert not database_busy(ValueError("database is locked"))
    assert not database_busy(None)
