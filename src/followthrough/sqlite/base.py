"""Django's SQLite backend, with every writer taking its turn promptly.

SQLite lets one writer in at a time, and one that finds the lock taken sleeps and tries
again: after a quarter of a second only every 100 ms, in whatever order the tries happen
to land. With twenty members saving at once while an import runs (measured with
bench/bench_concurrency.py) that polling made unlucky writes wait many seconds while
others went by. So before `BEGIN` every writer takes two locks of ours:

- the threads of one process queue on a lock of their own, and a waiting thread is woken
  the moment the one before it commits;
- the processes (the web server, the worker, an import or restore command) take a POSIX
  record lock on a file beside the database, tried every 2 ms: the next one is in within
  milliseconds of the last commit, not within 100.

Both waits are bounded by the same busy timeout; past it the write fails as "database
is locked" (a 503 "busy" page). SQLite's own lock still guards against writers that do
not take ours (the `sqlite3` shell).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

from followthrough.sqlite import wait_limit

POLL = 0.002

# One per process: the threads of this process write one after another.
_thread_turn = threading.Lock()
_files: dict[str, tuple[int, int]] = {}  # lock file path -> (pid, fd)


def _fd(path: str) -> int:
    """This process's descriptor of the lock file (a forked child opens its own: record
    locks are not inherited)."""
    pid = os.getpid()
    known = _files.get(path)
    if known is None or known[0] != pid:
        _files[path] = (pid, os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    return _files[path][1]


def _take_file_lock(fd: int, deadline: float) -> bool:
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL)


class DatabaseWrapper(base.DatabaseWrapper):
    _turn_fd: int | None = None
    _holds_thread_turn = False

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if not name or name == ":memory:" or name.startswith("file:"):
            return None
        return f"{name}-writers.lock"

    def _start_transaction_under_autocommit(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        limit = wait_limit()
        timeout = timeout if limit is None else min(timeout, limit)
        deadline = time.monotonic() + timeout
        if not _thread_turn.acquire(timeout=timeout):
            raise OperationalError("database is locked (this process's other writers)")
        self._holds_thread_turn = True
        try:
            path = self._lock_path()
            if path is not None:
                fd = _fd(path)
                if not _take_file_lock(fd, deadline):
                    raise OperationalError("database is locked (another process writes)")
                self._turn_fd = fd
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        if self._turn_fd is not None:
            fcntl.lockf(self._turn_fd, fcntl.LOCK_UN)
            self._turn_fd = None
        if self._holds_thread_turn:
            self._holds_thread_turn = False
            _thread_turn.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._end_turn()
