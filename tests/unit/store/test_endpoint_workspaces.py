"""Endpoints carry their workspace (listings filter and sort them from one index); stores
written before that get it from their collections when opened: TinyDB files at open, SQL
databases by migration 3."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pytest_mockamocha.store import Query, open_store, open_store_url
from pytest_mockamocha.store.sqlschema import LATEST


def _old_records() -> tuple[dict[str, object], list[dict[str, object]]]:
    coll = {"id": "coll_a", "workspace_id": "ws_1", "slug": "a", "name": "A", "created_at": "t"}
    endpoints = [
        {"id": f"ep_{i}", "collection_id": "coll_a", "method": "GET", "path": f"/p{i}",
         "name": f"n{i}", "created_at": "t"}
        for i in range(3)
    ]  # fmt: skip
    return coll, endpoints


def test_a_tinydb_file_from_before_gets_each_endpoints_workspace_at_open(tmp_path: Path) -> None:
    coll, endpoints = _old_records()
    db = tmp_path / "db.json"
    table = {str(i + 1): ep for i, ep in enumerate(endpoints)}
    db.write_text(json.dumps({"collections": {"1": coll}, "endpoints": table}))
    store = open_store(db)
    mine = store.endpoints.select(Query(equals={"workspace_id": "ws_1"}))
    assert [e["id"] for e in mine] == ["ep_0", "ep_1", "ep_2"]
    store.close()
    kept = json.loads(db.read_text())["endpoints"]
    assert {e["workspace_id"] for e in kept.values()} == {"ws_1"}  # written back once


def test_migration_3_gives_an_older_sqlite_databases_endpoints_their_workspace(
    tmp_path: Path,
) -> None:
    coll, endpoints = _old_records()
    db = tmp_path / "db.sqlite"
    store = open_store_url(f"sqlite:///{db}")
    store.collections.insert(coll)
    for endpoint in endpoints:
        store.endpoints.insert(endpoint)
    store.close()
    with sqlite3.connect(db) as conn:  # as schema 2 left it: no workspace on endpoints
        indexes = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")]
        for index in indexes:
            if "workspace" in index and "endpoints" in index:
                conn.execute(f"DROP INDEX {index}")
        conn.execute("ALTER TABLE endpoints DROP COLUMN workspace_id")
        conn.execute("UPDATE endpoints SET data = json_remove(data, '$.workspace_id')")
        conn.execute("UPDATE schema_version SET version = 2")
    conn.close()
    again = open_store_url(f"sqlite:///{db}")
    assert again.migrated == (2, LATEST)  # type: ignore[attr-defined]
    page = Query(equals={"workspace_id": "ws_1"}, order=(("path", False),), limit=2)
    assert [e["id"] for e in again.endpoints.select(page)] == ["ep_0", "ep_1"]
    assert again.endpoints.get("ep_2")["workspace_id"] == "ws_1"  # type: ignore[index]
    again.close()
    with sqlite3.connect(db) as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM endpoints WHERE workspace_id = 'ws_1'"
                " ORDER BY path, method, seq LIMIT 20"
            )
        )
    conn.close()
    assert "ix_endpoints_workspace_path" in plan
    assert "TEMP B-TREE" not in plan  # the page is read from the index, nothing is sorted
