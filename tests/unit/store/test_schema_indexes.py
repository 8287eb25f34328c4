"""The endpoint listings read an index rather than scan the table, and every sort by a
stored field, either way, reads its page in the index's order (no sort of the workspace);
counting a workspace's endpoints (every page's total) reads its narrowest index,
``workspace_id`` alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from pytest_mockamocha.api.routes.endpoints import SORTS, TRAFFIC, stored_order
from pytest_mockamocha.store import Query, open_store_url
from pytest_mockamocha.store.sqlschema import COLUMNS, LATEST


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
    store.reconnect()  # new connections, each tracing its statements

    @event.listens_for(engine, "connect")
    def _trace(dbapi: Any, record: Any) -> None:
        dbapi.set_trace_callback(seen.append)

    yield store, seen
    store.close()


MINE = {"workspace_id": "ws_1"}
#: a page of every sort the listing offers by a stored field, both ways
SORTED = [
    Query(equals=MINE, order=stored_order(field, reverse), offset=20, limit=20)
    for field in SORTS
    if field not in TRAFFIC
    for reverse in (False, True)
]
FILTERED = [
    Query(equals=MINE),  # sorted by traffic: all, in insertion order
    Query(equals=MINE | {"method": "GET"}, order=stored_order("path", False), limit=20),
    Query(equals=MINE | {"method": "POST"}, order=stored_order("path", True), limit=20),
    Query(  # the endpoints without traffic, sorted by traffic: the busy ones left out
        equals=MINE,
        without={"id": [f"ep_ws_1_{i:03d}" for i in range(0, 200, 3)]},
        order=stored_order("method", True),
        limit=20,
    ),
    Query(equals=MINE | {"collection_id": "coll_1"}),
    Query(equals=MINE, contains={"path": "p3"}),
]
LISTINGS = SORTED + FILTERED


@pytest.mark.parametrize("query", LISTINGS, ids=range(len(LISTINGS)))
def test_the_endpoint_listings_search_an_index_rather_than_scan_the_table(
    statements: tuple[Any, list[str]], tmp_path: Path, query: Query
) -> None:
    store, seen = statements
    found, total = store.endpoints.select(query), store.endpoints.total(query)
    assert found
    assert len(found) == min(total - query.offset, query.limit or total)
    if not query.order:  # insertion order, which these ids follow
        assert [e["id"] for e in found] == sorted(e["id"] for e in found)
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2
    with sqlite3.connect(tmp_path / "db.sqlite") as conn:
        for statement in selects:
            plan = [str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}")]
            assert plan[0].startswith("SEARCH endpoints USING"), (statement, plan)
            assert "INDEX" in plan[0], (statement, plan)
            if "ORDER BY" in statement.upper():
                assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
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


def _indexes(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        found = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    return {name for name in found if not name.startswith("sqlite_autoindex")}


def test_migration_5_drops_the_indexes_no_statement_reads_and_keeps_every_record(
    tmp_path: Path,
) -> None:
    """A database as schema 4 left it, one index per column and two composite ones, comes
    out with the indexes the listings read, and the same records."""
    db = tmp_path / "db.sqlite"
    store = open_store_url(f"sqlite:///{db}")
    store.endpoints.insert_many([_endpoint(i) for i in range(30)])
    store.collections.insert({"id": "coll_1", "workspace_id": "ws_1", "name": "c", "slug": "c"})
    store.close()
    now = _indexes(db)
    with sqlite3.connect(db) as conn:
        for table, columns in COLUMNS.items():
            for column in columns:
                index = f"ix_{table}_{column}"
                conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")
        for name in ("ix_endpoints_workspace_name", "ix_endpoints_workspace_method"):
            conn.execute(f"DROP INDEX {name}")
        conn.execute("UPDATE schema_version SET version = 4")
    conn.close()
    assert {"ix_endpoints_name", "ix_collections_created_at"} <= _indexes(db)

    again = open_store_url(f"sqlite:///{db}")
    assert again.migrated == (4, LATEST)  # type: ignore[attr-defined]
    assert _indexes(db) == now
    assert "ix_endpoints_name" not in now
    assert "ix_endpoints_workspace_name" in now
    by_name = Query(equals={"workspace_id": "ws_1"}, order=(("name", True),), limit=3)
    assert [e["name"] for e in again.endpoints.select(by_name)] == ["n9", "n8", "n7"]
    assert again.endpoints.total(Query()) == 30
    assert again.collections.get("coll_1")["name"] == "c"  # type: ignore[index]
    again.close()
