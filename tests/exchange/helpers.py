"""Shared helpers of the import tests: records built by hand, and one call to the loader."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import strategies as st
from PIL import Image

from followthrough.exchange.formats.records import ParseError, PersonRecord, RowProblem
from followthrough.exchange.imports.loader import import_records
from followthrough.exchange.imports.result import ImportResult, ImportSource


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


def edits(tokens: list[bytes]) -> st.SearchStrategy[list[tuple[float, int, bytes]]]:
    """Up to 8 edits of a file for the parsers' fuzz tests: where (a fraction of its
    length), how many bytes to cut there (0 to 3) and which token to put in their place."""
    return st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 30), st.sampled_from(tokens)), max_size=8
    )


def mutated(data: bytes, changes: list[tuple[float, int, bytes]]) -> io.BytesIO:
    """`data` with the `edits` made, as a stream."""
    buffer = bytearray(data)
    for where, cut, token in changes:
        position = int(where * len(buffer))
        buffer[position : position + cut % 4] = token
    return io.BytesIO(bytes(buffer))


def strictly(records) -> list:
    """A parser's records as a list, its first bad row raised as the `ParseError` it is
    (parsers yield a `RowProblem` in its place and read on; the loader collects them)."""
    out = list(records)
    problem = next((r for r in out if isinstance(r, RowProblem)), None)
    if problem is not None:
        raise ParseError(problem.message, line=problem.line, field=problem.field)
    return out
