"""The two ways cleaning (`clean`, `clean_card`) makes text fit its column, each with a
warning naming the record's line: display text is cut, a value that would mean
something else once cut is left out."""

from __future__ import annotations

from collections.abc import Callable

Warn = Callable[[int, str], None]


def cut(value: str, limit: int, line: int, name: str, warn: Warn) -> str:
    """`value` trimmed, and cut to `limit` characters with a warning when longer."""
    value = (value or "").strip()
    if len(value) > limit:
        warn(line, f"{name} cut to {limit} characters")
        return value[:limit].rstrip()
    return value


def fits(value: str, limit: int, line: int, name: str, warn: Warn) -> str:
    """`value` trimmed, or "" with a warning when longer than `limit` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        warn(line, f"{name} longer than {limit} characters left out")
        return ""
    return value
