"""The endpoint listings read an index rather than scan the table; counting a workspace's
endpoints (every page's total) reads its narrowest index, ``workspace_id`` alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from pytest_mockamocha.store import Query, open_store_url


def _endpoint(i: int, workspace: str = "ws_1") -> dict[str, Any]:
    return {
        "id": f"ep_{workspace}_{i:03d}",
        "collection_id": f"coll_{i % 3}",
        "workspace_id": workspace,
        "method": ("GET", "POST")[i % 2],
        "path": f"/p{i % 7}",
        "name": f"n{i}",
        "created_at": f"2026-01-01T00:00:{i % 60:02d}Z",
    }


@pytest.fixture
def statements(tmp_path: Path) -> Iterator[tuple[Any, list[str]]]:
    """A SQLite store of three workspaces' endpoints, and every statement it runs from now
    (no ``ANALYZE``, as a server never runs one)."""
    store = open_store_url(f"sqlite:///{tmp_path}/db.sqlite")
    for workspace in ("ws_0", "ws_1", "ws_2"):
        store.endpoints.insert_many([_endpoint(i, workspace) for i in range(200)])
    seen: list[str] = []
    engine = store._engine  # type: ignore[attr-defined]
    engine.dispose()  # new connections, each tracing its statements

    @event.listens_for(engine, "connect")
    def _trace(dbapi: Any, record: Any) -> None:
        dbapi.set_trace_callback(seen.append)

    yield store, seen
    store.close()


LISTINGS = [
    Query(equals={"workspace_id": "ws_1"}),  # sorted by traffic: all, in insertion order
    Query(equals={"workspace_id": "ws_1"}, order=(("path", False), ("method", False)), limit=20),
    Query(equals={"workspace_id": "ws_1"}, order=(("created_at", True), ("method", True))),
    Query(equals={"workspace_id": "ws_1", "method": "GET"}, limit=20),
    Query(equals={"workspace_id": "ws_1", "collection_id": "coll_1"}),
    Query(equals={"workspace_id": "ws_1"}, contains={"path": "p3"}),
]


@pytest.mark.parametrize("query", LISTINGS, ids=range(len(LISTINGS)))
def test_the_endpoint_listings_search_an_index_rather_than_scan_the_table(
    statements: tuple[Any, list[str]], tmp_path: Path, query: Query
) -> None:
    store, seen = statements
    found, total = store.endpoints.select(query), store.endpoints.total(query)
    assert found
    assert len(found) == min(total, query.limit or total)
    if not query.order:  # insertion order, which these ids follow
        assert [e["id"] for e in found] == sorted(e["id"] for e in found)
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        for statement in selects:
            plan = [str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
            assert plan[0].startswith("SEARCH endpoints USING"), (statement, plan)
            assert "INDEX" in plan[0], (statement, plan)
    conn.close()


def _plan(db: Path, statement: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        plan = [str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
    conn.close()
    return plan


def test_counting_a_workspaces_endpoints_reads_the_workspace_index(
    statements: tuple[Any, list[str]], tmp_path: Path
) -> None:
    store, seen = statements
    assert store.endpoints.total(Query(equals={"workspace_id": "ws_2"})) == 200
    (count,) = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert _plan(tmp_path / "db.sqlite", count) == [
        "SEARCH endpoints USING COVERING INDEX ix_endpoints_workspace_id (workspace_id=?)"
    ]
