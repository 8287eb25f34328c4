"""The views of traffic read what had traffic, not the workspace: on a SQLite store holding
many collections, the endpoint listing sorted by traffic, the analytics, the request log and
one logged request never read a row per collection or endpoint of the workspace (each
statement's plan is checked), and answer the same as before."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import ADMIN, SECRET, Api, pet_store  # type: ignore[import-not-found]
from sqlalchemy import event

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.store import open_store_url

#: collections nobody calls, written straight into the store
QUIET = 40
#: a plan step that reads every row of a workspace (a count on the covering index is fine)
WHOLE_WORKSPACE = (
    "SEARCH collections USING INDEX ix_collections_workspace_id",
    "SEARCH endpoints USING INDEX ix_endpoints_workspace_id",
    "SCAN collections",
    "SCAN endpoints",
)


@pytest.fixture
def traced(tmp_path: Path) -> Iterator[tuple[Api, list[str], Path, dict[str, Any]]]:
    """A server on a SQLite store of ``QUIET`` idle collections and a called pet store; a
    client; the SELECTs run from now on; the database file; the pet store collection."""
    db = tmp_path / "db.sqlite"
    store = open_store_url(f"sqlite:///{db}")
    engine = Engine()
    api = build_api(store, engine, SECRET, cache_dir=tmp_path / "cache")
    api.ensure_admin(ADMIN["email"], ADMIN["password"])
    with MockServer(engine, management=api) as server:
        admin = Api(server.url).login(ADMIN["email"], ADMIN["password"])
        me = admin.data("GET", "/api/auth/me")
        rows = [
            {"id": f"coll_idle{i:04d}", "workspace_id": me["workspace_id"], "slug": f"idle-{i}",
             "name": f"Idle {i}", "created_at": "2026-01-01T00:00:00Z"}
            for i in range(QUIET)
        ]  # fmt: skip
        store.collections.insert_many(rows)
        endpoints = [
            {"id": f"ep_idle{i:04d}_{k}", "collection_id": row["id"],
             "workspace_id": me["workspace_id"], "method": "GET", "path": f"/things/{k}",
             "operation": f"GET /things/{k}", "name": f"thing {k}",
             "created_at": "2026-01-01T00:00:00Z"}
            for i, row in enumerate(rows)
            for k in range(5)
        ]  # fmt: skip
        store.endpoints.insert_many(endpoints)
        coll = pet_store(admin)
        for path in ("/pets", "/pets", "/pets/1"):
            requests.get(coll["mock_url"] + path, timeout=5)
        seen: list[str] = []
        sql = store._engine  # type: ignore[attr-defined]
        store.reconnect()  # new connections, each tracing its statements

        @event.listens_for(sql, "connect")
        def _trace(dbapi: Any, record: Any) -> None:
            dbapi.set_trace_callback(seen.append)

        yield admin, seen, db, coll
    store.close()


def _whole_workspace_reads(db: Path, statements: list[str]) -> list[tuple[str, str]]:
    found = []
    with sqlite3.connect(db) as conn:
        for statement in statements:
            if not statement.lstrip().upper().startswith("SELECT") or "mm_lower" in statement:
                continue
            for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}"):
                step = str(row[-1])
                if step.startswith(WHOLE_WORKSPACE) and "COVERING" not in step:
                    found.append((statement, step))
    conn.close()
    return found


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/endpoints", {"sort": "-requests_count"}),
        ("/api/endpoints", {"sort": "last_request_at", "method": "GET"}),
        ("/api/analytics/requests", {}),
        ("/api/analytics/coverage", {}),
        ("/api/requests", {}),
    ],
)
def test_a_traffic_view_reads_what_had_traffic(
    traced: tuple[Api, list[str], Path, dict[str, Any]], path: str, params: dict[str, str]
) -> None:
    admin, seen, db, coll = traced
    seen.clear()
    answer = admin.data("GET", path, params=params)
    assert _whole_workspace_reads(db, seen) == []
    if path == "/api/endpoints":
        filters = {k: v for k, v in params.items() if k != "sort"}
        assert answer["total"] == admin.data("GET", path, params=filters)["total"]
        assert answer["total"] > QUIET * 5
        counts = [e["requests_count"] for e in answer["endpoints"]]
        if params["sort"] == "-requests_count":
            assert counts[:2] == [2, 1]
    elif path == "/api/analytics/requests":
        assert answer["total_requests"] == 3
        assert [t["requests_count"] for t in answer["top_endpoints"]] == [2, 1]
        assert answer["top_endpoints"][0]["endpoint_id"].startswith("ep_")
    elif path == "/api/analytics/coverage":
        assert [c["slug"] for c in answer["collections"]] == [coll["slug"]]
    else:
        assert answer["total"] == 3


def test_one_logged_request_reads_its_collection_alone(
    traced: tuple[Api, list[str], Path, dict[str, Any]],
) -> None:
    admin, seen, db, coll = traced
    logged = admin.data("GET", "/api/requests")["requests"][0]
    seen.clear()
    shown = admin.data("GET", f"/api/requests/{logged['id']}")
    assert shown["collection_id"] == coll["id"]
    assert _whole_workspace_reads(db, seen) == []
    assert admin.call("GET", "/api/requests/req_000000000000").status_code == 404


def test_an_endpoint_call_leaves_its_collections_document_unread(
    traced: tuple[Api, list[str], Path, dict[str, Any]],
) -> None:
    """Showing an endpoint or its rules needs its collection's slug, not the stored
    document (megabytes for large APIs)."""
    admin, seen, _, coll = traced
    endpoint = admin.data("GET", "/api/endpoints", params={"collection_id": coll["id"]})
    ep_id = endpoint["endpoints"][0]["id"]
    seen.clear()
    assert admin.data("GET", f"/api/endpoints/{ep_id}")["collection_id"] == coll["id"]
    assert admin.data("GET", f"/api/endpoints/{ep_id}/rules")["rules"] == []
    reads = [s for s in seen if "FROM collections" in s]
    assert reads
    assert not [s for s in reads if "heavy" in s]
