"""Pages of long lists that stay quick at any depth and on any sort.

A page is read in two steps: the ids of its rows, from an index that matches the sort
(for a deep page the database skips index entries, never joined rows), then the rows
themselves with what they show. The total is counted only up to `COUNT_CAP` (counting
100,000 people costs more than the whole rest of the page); beyond it a page says "more
than 10,000" and knows only whether a next page exists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

COUNT_CAP = 10_000


@dataclass(frozen=True)
class TimelinePage:
    """One page of a newest-first timeline (its total never counted); iterates like a
    paginator's `Page`."""

    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


@dataclass(frozen=True)
class ListPage(TimelinePage):
    """One page of a list, with its total: `count` is exact unless `count_capped` (then
    there are more than `count` rows)."""

    count: int
    count_capped: bool
    per_page: int

    @property
    def num_pages(self) -> int | None:
        """None when the count is capped."""
        return None if self.count_capped else max(1, math.ceil(self.count / self.per_page))


def page_number(value: Any) -> int:
    """A page number from a query string: 1 for anything that is not a positive number."""
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def capped_count(ids: QuerySet | Sequence[int]) -> tuple[int, bool]:
    """(count, capped): the number of rows up to `COUNT_CAP`, read from an index."""
    if not isinstance(ids, QuerySet):
        return len(ids), False
    count = ids.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def page_of_ids(
    ids: QuerySet | Sequence[int], *, number: int, per_page: int
) -> tuple[list[int], int, bool, int, bool]:
    """(ids on page `number`, the page number, has_next, count, count_capped). A page
    past the end of an exactly counted list is its last page."""
    count, capped = capped_count(ids)
    if not capped:
        number = min(number, max(1, math.ceil(count / per_page)))
    offset = (number - 1) * per_page
    window = list(ids[offset : offset + per_page + 1])
    return window[:per_page], number, len(window) > per_page, count, capped


def in_order(rows: QuerySet, ids: list[int], *, workspace_id: int) -> list[Any]:
    """The rows with these ids (one query), in the order of `ids`, those of the workspace
    only. `rows` must not filter by workspace itself: SQLite, without statistics, would
    walk the workspace's whole index rather than look up the few ids (27 ms for 50 of
    100,000 people); the workspace is checked on the rows read instead."""
    by_id = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id and by_id[pk].workspace_id == workspace_id]


def id_in(ids: Sequence[int], field: str = "pk") -> Q:
    """`field` is one of `ids`, as one SQL parameter however many ids there are."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])})
    return Q(**{f"{field}__in": RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])})
