"""Django's SQLite backend with writers taking turns (`base`), and a way for optional
writes to give up quickly instead of queueing (`waiting_at_most`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_limit: ContextVar[float | None] = ContextVar("followthrough_write_wait", default=None)


@contextmanager
def waiting_at_most(seconds: float) -> Iterator[None]:
    """Transactions begun inside wait at most `seconds` for other writers (SQLite; on
    PostgreSQL writers do not queue for one lock), then fail as "database is locked". For
    writes a page may skip: refreshing stored scores that others are refreshing already."""
    token = _limit.set(seconds)
    try:
        yield
    finally:
        _limit.reset(token)


def wait_limit() -> float | None:
    return _limit.get()
