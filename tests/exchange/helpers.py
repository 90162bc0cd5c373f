"""Shared helpers of the import tests: records built by hand, and one call to the loader."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from followthrough.exchange.loader import import_records
from followthrough.exchange.records import PersonRecord
from followthrough.exchange.result import ImportResult, ImportSource


def load(workspace, records, **kwargs: Any) -> ImportResult:
    kwargs.setdefault("source", ImportSource("linkedin", "Connections.csv"))
    return import_records(workspace=workspace, records=list(records), **kwargs)


def person(line: int, first: str, last: str = "Example", **kwargs: Any) -> PersonRecord:
    return PersonRecord(line=line, first_name=first, last_name=last, **kwargs)


def people(count: int, *, start_line: int = 2, **kwargs: Any) -> list[PersonRecord]:
    return [
        person(start_line + i, f"Person{i}", emails=[f"person{i}@example.org"], **kwargs)
        for i in range(count)
    ]


def png(size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (10, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def totals(result: ImportResult) -> tuple[int, int, int, int, int, int]:
    """(read, created, updated, merged, skipped, ignored)"""
    return tuple(result.totals().values())  # type: ignore[return-value]
