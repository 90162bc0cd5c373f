import os

import pytest
from django.db import connection


def test_it_runs_on_the_expected_database(db):
    """CI sets FOLLOWTHROUGH_EXPECT_DB: a missing PostgreSQL fails, never passes on SQLite."""
    expected = os.environ.get("FOLLOWTHROUGH_EXPECT_DB", "sqlite")
    assert connection.vendor == expected


@pytest.mark.skipif(
    os.environ.get("FOLLOWTHROUGH_EXPECT_DB", "sqlite") != "sqlite", reason="SQLite only"
)
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        foreign_keys = cursor.fetchone()[0]
    assert mode == "wal" and foreign_keys == 1
