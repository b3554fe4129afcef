"""Keyset ("seek") pagination for the console's long lists (customers, orders, audit log).

``OFFSET n`` makes the database walk past n rows and a page count makes it count every
row, so both grow with the table: at a million customers the list took 10x as long as at
a thousand. Here a page starts from the sort key of the row before it (``WHERE (k1, k2) <
(v1, v2) ORDER BY k1 DESC, k2 DESC LIMIT n``), which an index on ``(k1, ...)`` answers in
the same time on page 1 and page 10,000, and nothing counts the rows.

The cursor is the boundary row's key, base64 JSON: not secret and not an authorization
(the query it narrows is already limited to what the viewer may see), but parsed
strictly: a malformed one is ``BadCursor`` (the view answers 400).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


class BadCursor(ValueError):
    """The ``cursor`` parameter is not one this paginator wrote."""


@dataclass(frozen=True)
class SeekPage:
    object_list: list[Any]
    older: str | None  # cursor of the next page (older rows), None on the last page
    newer: str | None  # cursor of the previous page (newer rows), None on the first page
    seek = True  # the pagination template tells the two kinds of page apart by this

    @property
    def is_first(self) -> bool:
        return self.newer is None


def _encode(direction: str, values: list[Any]) -> str:
    raw = json.dumps([direction, [str(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> tuple[str, list[str]]:
    if len(cursor) > 400:
        raise BadCursor("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        direction, values = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor("malformed cursor") from None
    if direction not in ("older", "newer") or not isinstance(values, list) \
            or len(values) != width or not all(isinstance(v, str) for v in values):
        raise BadCursor("malformed cursor")
    return direction, values


def _beyond(keys: tuple[str, str], values: list[str], op: str) -> Q:
    """Rows strictly past (v1, v2) in the ``op`` ("lt"/"gt") direction. The redundant
    ``k1 <= v1`` bound lets the planner use an index range scan on k1."""
    (k1, k2), (v1, v2) = keys, values
    inclusive = "lte" if op == "lt" else "gte"
    return Q(**{f"{k1}__{inclusive}": v1}) & (
        Q(**{f"{k1}__{op}": v1}) | Q(**{k1: v1, f"{k2}__{op}": v2}))


def seek_page(queryset: QuerySet, *, keys: tuple[str, str], cursor: str | None,
              size: int) -> SeekPage:
    """One page of ``queryset`` in descending ``keys`` order (the second key breaks ties
    and must be unique, usually the primary key)."""
    k1, k2 = keys
    descending = queryset.order_by(f"-{k1}", f"-{k2}")
    try:
        if not cursor:
            rows = list(descending[: size + 1])
            return _page(rows[:size], keys, older=len(rows) > size, newer=False)
        direction, values = _decode(cursor, 2)
        if direction == "older":
            rows = list(descending.filter(_beyond(keys, values, "lt"))[: size + 1])
            return _page(rows[:size], keys, older=len(rows) > size, newer=True)
        ascending = queryset.order_by(k1, k2).filter(_beyond(keys, values, "gt"))
        rows = list(ascending[: size + 1])
        page = list(reversed(rows[:size]))
        return _page(page, keys, older=True, newer=len(rows) > size)
    except BadCursor:
        raise
    except (ValidationError, ValueError, TypeError, OverflowError):
        raise BadCursor("cursor does not fit this list") from None


def _key(row: Any, keys: tuple[str, str]) -> list[Any]:
    return [getattr(row, k) for k in keys]


def _page(rows: list[Any], keys: tuple[str, str], *, older: bool, newer: bool) -> SeekPage:
    if not rows:
        return SeekPage(object_list=[], older=None, newer=None)
    return SeekPage(
        object_list=rows,
        older=_encode("older", _key(rows[-1], keys)) if older else None,
        newer=_encode("newer", _key(rows[0], keys)) if newer else None,
    )
