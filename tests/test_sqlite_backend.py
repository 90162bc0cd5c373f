"""The SQLite backend's turns (followthrough/sqlite): a writer holds the file lock beside
the database from BEGIN to COMMIT, others wait for it (or, inside `waiting_at_most`, give
up quickly), and the threads of one process queue on a lock of their own."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.utils import OperationalError

from followthrough.people.models import Tag
from followthrough.sqlite import base as sqlite_base
from followthrough.sqlite import waiting_at_most

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's turns")

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""
TRY = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print("free")
except OSError:
    print("taken")
"""


def _lock_file() -> str:
    return f"{connection.settings_dict['NAME']}-writers.lock"


def _other_process_sees() -> str:
    done = subprocess.run(  # noqa: S603 -- a Python of our own
        [sys.executable, "-c", TRY, _lock_file()], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_transaction_holds_the_turn_until_it_commits(transactional_db, workspace):
    with transaction.atomic():
        Tag.objects.create(workspace=workspace, name="inside")
        assert _other_process_sees() == "taken"
        assert sqlite_base._thread_turn.locked()  # this process's other threads wait
    assert _other_process_sees() == "free"
    assert not sqlite_base._thread_turn.locked()
    with pytest.raises(ValueError), transaction.atomic():
        Tag.objects.create(workspace=workspace, name="rolled back")
        raise ValueError
    assert _other_process_sees() == "free"


def test_a_writer_waits_for_another_process_then_writes(transactional_db, workspace):
    holder = subprocess.Popen(  # noqa: S603 -- a Python of our own
        [sys.executable, "-c", HOLD, _lock_file(), "1.0"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with transaction.atomic():
        Tag.objects.create(workspace=workspace, name="after the other")
    waited = time.monotonic() - started
    holder.wait()
    assert 0.5 < waited < 5


def test_an_optional_write_gives_up_quickly(transactional_db, workspace):
    holder = subprocess.Popen(  # noqa: S603 -- a Python of our own
        [sys.executable, "-c", HOLD, _lock_file(), "3.0"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    with (
        pytest.raises(OperationalError, match="locked"),
        waiting_at_most(0.2),
        transaction.atomic(),
    ):
        Tag.objects.create(workspace=workspace, name="skipped")
    assert time.monotonic() - started < 1.5
    holder.kill()
    holder.wait()
    assert not Tag.objects.filter(name="skipped").exists()


def test_threads_of_one_process_take_turns(transactional_db, workspace):
    """Two threads each hold a transaction a while: the second begins only once the first
    has committed (it waits on the process's lock, not by polling SQLite)."""
    spans: list[tuple[float, float]] = []

    def write(name: str) -> None:
        with transaction.atomic():
            began = time.monotonic()
            Tag.objects.create(workspace=workspace, name=name)
            time.sleep(0.3)
        spans.append((began, time.monotonic()))
        connection.close()

    threads = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (_, first_end), (second_start, _) = sorted(spans)
    assert second_start >= first_end - 0.01
    assert Tag.objects.filter(name__in=["t0", "t1"]).count() == 2
