"""Attached data sets: a generated set of records the mock serves instead of fresh data.

A list operation pages through the records, honouring the page/limit parameters it
declares; a get-by-id operation finds the record whose id matches the path's last
parameter, and a missing id answers the operation's own 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from pytest_mockamocha.spec.model import Operation

#: query parameter names read as "which page" and "how many" (when the operation declares them)
PAGE_NAMES = ("page", "page_number", "pageNumber", "p")
SIZE_NAMES = ("limit", "per_page", "perPage", "page_size", "pageSize", "size", "count")
OFFSET_NAMES = ("offset", "skip", "start")


def page_of(op: Operation, records: Sequence[Any], query: MultiDict[str, str]) -> list[Any]:
    """The slice of ``records`` a list request asks for (all when it declares no paging)."""
    declared = {p.name for p in op.params_in("query")}
    size = _int(query, declared, SIZE_NAMES)
    offset = _int(query, declared, OFFSET_NAMES)
    page = _int(query, declared, PAGE_NAMES)
    if size is None:
        size = len(records) if page is None else 20
    start = offset if offset is not None else max((page or 1) - 1, 0) * size
    return list(records[start : start + max(size, 0)])


def find_by_id(op: Operation, records: Sequence[Any], path_params: Mapping[str, str]) -> Any | None:
    """The record whose id equals the last path parameter, or None."""
    names = [p.name for p in op.params_in("path")]
    if not names:
        return None
    name = names[-1]
    wanted = path_params.get(name)
    keys = (name, "id", name.removesuffix("Id"), name.removesuffix("_id"))
    for record in records:
        if isinstance(record, Mapping):
            for key in keys:
                if key in record and str(record[key]) == wanted:
                    return record
    return None


def _int(query: MultiDict[str, str], declared: set[str], names: Sequence[str]) -> int | None:
    for name in names:
        if name in declared and name in query:
            try:
                return int(query[name])
            except ValueError:
                return None
    return None
