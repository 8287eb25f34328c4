"""The SQL schema's indexes: none is a leftmost prefix of another (every row written would
update both for nothing), migration 5 drops the one that was, and the listings still read
an index rather than scanning a table."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, inspect, text

from pytest_mockamocha.store import Query, open_store_url
from pytest_mockamocha.store.sqlschema import LATEST


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/db.sqlite"
    return str(request.getfixturevalue("postgres_url"))


def _indexes(url: str) -> dict[str, dict[str, list[str]]]:
    """table -> index name -> its columns, as the database reports them."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            found = inspect(conn)
            return {
                table: {
                    str(index["name"]): [str(c) for c in index["column_names"]]
                    for index in found.get_indexes(table)
                }
                for table in found.get_table_names()
            }
    finally:
        engine.dispose()


def test_no_index_is_a_leftmost_prefix_of_another(sql_url: str) -> None:
    open_store_url(sql_url).close()
    indexes = _indexes(sql_url)
    assert "ix_endpoints_workspace_path" in indexes["endpoints"]
    for table, named in indexes.items():
        for name, columns in named.items():
            for other, longer in named.items():
                prefix = other != name and longer[: len(columns)] == columns
                assert not prefix, f"{table}.{name} {columns} leads {other} {longer}"


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


def test_migration_5_drops_the_workspace_index_of_an_older_database_and_keeps_its_data(
    sql_url: str,
) -> None:
    store = open_store_url(sql_url)
    store.endpoints.insert_many([_endpoint(i) for i in range(30)])
    store.close()
    engine = create_engine(sql_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:  # as schema 4 left it
        conn.execute(text("CREATE INDEX ix_endpoints_workspace_id ON endpoints (workspace_id)"))
        conn.execute(text("UPDATE schema_version SET version = 4"))
    engine.dispose()
    assert "ix_endpoints_workspace_id" in _indexes(sql_url)["endpoints"]
    again = open_store_url(sql_url)
    try:
        assert again.migrated == (4, LATEST)  # type: ignore[attr-defined]
        mine = Query(equals={"workspace_id": "ws_1"}, order=(("path", False),), limit=3)
        first = [e["id"] for e in again.endpoints.select(mine)]
        assert first == ["ep_ws_1_000", "ep_ws_1_007", "ep_ws_1_014"]
        assert again.endpoints.total(Query(equals={"workspace_id": "ws_1"})) == 30
        assert again.endpoints.get("ep_ws_1_029") == _endpoint(29)
    finally:
        again.close()
    assert "ix_endpoints_workspace_id" not in _indexes(sql_url)["endpoints"]


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
