"""Every store backend (TinyDB file, SQLite, PostgreSQL) answers the same: round trips,
queries, transactions and threads; and the TinyDB file's own atomic writes."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.store import (
    Query,
    Store,
    open_store,
    open_store_url,
    parse_location,
    utc_now,
)

BACKENDS = ["tinydb", "sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store of each backend lives (PostgreSQL: a fresh database)."""
    if request.param == "tinydb":
        return str(tmp_path / "sub" / "db.json")
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/sub/db.sqlite"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store_url(db_url)
    yield opened
    opened.close()


def _coll(name: str) -> dict[str, object]:
    return {"id": new_id("coll"), "name": name, "workspace_id": "ws_1", "created_at": utc_now()}


def test_insert_many_keeps_its_order_and_one_transaction(store: Store) -> None:
    made = store.collections.insert_many([_coll(f"c{i}") for i in range(5)])
    assert store.collections.insert_many([]) == []
    found = store.collections.find(workspace_id="ws_1")
    assert [c["name"] for c in found] == ["c0", "c1", "c2", "c3", "c4"]
    assert [c["id"] for c in found] == [c["id"] for c in made]

    def failing() -> None:
        with store.transaction():
            store.collections.insert_many([_coll("gone"), _coll("gone too")])
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        failing()
    assert store.collections.count(name="gone") == 0


def test_update_many_changes_each_named_record_in_one_write(store: Store) -> None:
    made = store.collections.insert_many([_coll(f"c{i}") for i in range(4)])
    ids = [c["id"] for c in made]
    changed = store.collections.update_many(
        {ids[0]: {"name": "first"}, ids[2]: {"name": "third", "slug": "t"}, "coll_none": {}}
    )
    assert changed == 2
    assert store.collections.update_many({}) == 0
    by_id = {c["id"]: c for c in store.collections.find(workspace_id="ws_1")}
    assert [by_id[i]["name"] for i in ids] == ["first", "c1", "third", "c3"]
    assert by_id[ids[2]]["slug"] == "t"

    def failing() -> None:
        with store.transaction():
            store.collections.update_many({ids[1]: {"name": "gone"}})
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        failing()
    assert store.collections.get(ids[1])["name"] == "c1"  # type: ignore[index]


def test_update_many_on_a_file_keeps_what_it_changed(db_url: str) -> None:
    store = open_store_url(db_url)
    made = store.endpoints.insert_many([{"id": f"ep_{i}", "n": i} for i in range(50)])
    store.endpoints.update_many({r["id"]: {"n": -1} for r in made[::2]})
    store.close()
    again = open_store_url(db_url)
    values = sorted(r["n"] for r in again.endpoints.find())
    again.close()
    assert values == sorted([-1] * 25 + list(range(1, 50, 2)))


def test_records_round_trip_through_the_file(db_url: str) -> None:
    store = open_store_url(db_url)
    rec = store.collections.insert(_coll("shop"))
    store.collections.update(rec["id"], {"name": "store"})
    store.close()
    again = open_store_url(db_url)
    assert again.collections.get(rec["id"])["name"] == "store"  # type: ignore[index]
    assert again.collections.find(workspace_id="ws_1")[0]["id"] == rec["id"]
    assert again.collections.count(name="store") == 1
    assert again.collections.count(name="shop") == 0  # the column follows the update
    again.close()


def test_delete_and_delete_where(store: Store) -> None:
    a, b = store.rules.insert({"id": "rule_a", "endpoint_id": "ep_1"}), None
    b = store.rules.insert({"id": "rule_b", "endpoint_id": "ep_1"})
    store.rules.insert({"id": "rule_c", "endpoint_id": "ep_2"})
    assert store.rules.delete(a["id"]) is True
    assert store.rules.delete(a["id"]) is False
    assert store.rules.delete_where(endpoint_id="ep_1") == 1
    assert store.rules.get(b["id"]) is None
    assert [r["id"] for r in store.rules.find()] == ["rule_c"]
    assert store.rules.delete_where(endpoint_id="ep_9") == 0


def test_a_crash_mid_write_leaves_the_previous_file_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "db.json"
    store = open_store(db)
    kept = store.collections.insert(_coll("kept"))

    def crash(src: object, dst: object) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.collections.insert(_coll("lost"))
    monkeypatch.undo()
    json.loads(db.read_text())  # still valid JSON
    assert [c["name"] for c in store.collections.find()] == ["kept"]
    reopened = open_store(db)
    assert [c["id"] for c in reopened.collections.find()] == [kept["id"]]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_sixteen_threads_lose_nothing(db_url: str) -> None:
    store = open_store_url(db_url)
    made: list[str] = []

    def work(n: int) -> None:
        for i in range(5):
            made.append(store.collections.insert(_coll(f"c{n}-{i}"))["id"])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.close()
    again = open_store_url(db_url)
    ids = {c["id"] for c in again.collections.find()}
    again.close()
    assert ids == set(made)
    assert len(ids) == 80


def test_a_transaction_writes_once_and_rolls_back_on_error(db_url: str) -> None:
    store = open_store_url(db_url)
    with store.transaction():
        store.endpoints.insert({"id": "ep_1"})
        with store.transaction():  # nested, as ensure_admin -> create_user
            store.endpoints.insert({"id": "ep_2"})
        assert store.endpoints.count() == 2  # the transaction sees its own writes

    def failing() -> None:
        with store.transaction():
            store.endpoints.insert({"id": "ep_3"})
            with store.transaction():
                store.endpoints.update("ep_1", {"name": "changed"})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing()
    assert [e["id"] for e in store.endpoints.find()] == ["ep_1", "ep_2"]
    assert "name" not in store.endpoints.get("ep_1")  # type: ignore[operator]
    store.close()
    again = open_store_url(db_url)
    assert [e["id"] for e in again.endpoints.find()] == ["ep_1", "ep_2"]
    again.close()


def test_writes_of_every_kind_in_a_transaction_commit_or_roll_back_together(db_url: str) -> None:
    """On SQLite a transaction begins on the driver's connection; the statements that still
    go through SQLAlchemy (deletes, grouped counts) must join it, not begin their own."""
    store = open_store_url(db_url)
    store.endpoints.insert_many([{"id": "ep_1", "collection_id": "c"}, {"id": "ep_2"}])

    def failing() -> None:
        with store.transaction():
            store.endpoints.delete("ep_2")
            store.endpoints.delete_where(collection_id="c")
            store.endpoints.insert({"id": "ep_3", "collection_id": "c"})
            assert store.endpoints.count_by("collection_id", ["c"]) == {"c": 1}
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing()
    assert [e["id"] for e in store.endpoints.find()] == ["ep_1", "ep_2"]
    with store.transaction():
        store.endpoints.delete("ep_2")
        store.endpoints.insert({"id": "ep_3", "collection_id": "c"})
        assert store.endpoints.count_by("collection_id", ["c"]) == {"c": 2}
    store.endpoints.insert({"id": "ep_4"})  # the connection is usable after both
    store.close()
    again = open_store_url(db_url)
    assert [e["id"] for e in again.endpoints.find()] == ["ep_1", "ep_3", "ep_4"]
    again.close()


def test_a_damaged_file_fails_at_open(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    db.write_text('{"users": {"1": ')
    with pytest.raises(ValueError, match="line 1"):
        open_store(db)


def _endpoints(store: object) -> None:
    rows = [
        ("ep_1", "coll_a", "GET", "/pets", "List pets"),
        ("ep_2", "coll_a", "POST", "/pets", "Create a pet"),
        ("ep_3", "coll_b", "GET", "/pets/{id}", "Show pet"),
        ("ep_4", "coll_b", "DELETE", "/stores/{id}", "Delete a store"),
        ("ep_5", "coll_c", "GET", "/Users", "Users"),
    ]
    for ep_id, coll, method, path, name in rows:
        record = {"id": ep_id, "collection_id": coll, "method": method, "path": path}
        store.endpoints.insert(record | ({} if name is None else {"name": name}))  # type: ignore[attr-defined]


def test_a_query_filters_orders_and_cuts_one_page(store: Store) -> None:
    _endpoints(store)
    ids = lambda q: [r["id"] for r in store.endpoints.select(q)]  # noqa: E731
    assert ids(Query()) == ["ep_1", "ep_2", "ep_3", "ep_4", "ep_5"]  # insertion order
    assert ids(Query(equals={"method": "GET"})) == ["ep_1", "ep_3", "ep_5"]
    assert ids(Query(within={"collection_id": ["coll_b", "coll_c"]})) == ["ep_3", "ep_4", "ep_5"]
    assert ids(Query(within={"collection_id": []})) == []
    assert ids(Query(without={"id": ["ep_2", "ep_4"]})) == ["ep_1", "ep_3", "ep_5"]
    assert ids(Query(without={"collection_id": []})) == ["ep_1", "ep_2", "ep_3", "ep_4", "ep_5"]
    assert ids(Query(without={"operation_id": ["x"]})) == ["ep_1", "ep_2", "ep_3", "ep_4", "ep_5"]
    many = Query(without={"id": [f"ep_{i}" for i in range(3, 900)]}, order=(("path", True),))
    assert ids(many) == ["ep_2", "ep_1"]  # past 500 values: one JSON parameter
    assert ids(Query(contains={"path": "pets"})) == ["ep_1", "ep_2", "ep_3"]
    assert ids(Query(contains={"path": "users"})) == []  # case-sensitive
    assert ids(Query(search=(("name", "path"), "USERS"))) == ["ep_5"]  # either field, any case
    assert ids(Query(search=(("name",), "pet"))) == ["ep_1", "ep_2", "ep_3"]
    assert ids(Query(order=(("name", False),))) == ["ep_2", "ep_4", "ep_1", "ep_3", "ep_5"]
    assert ids(Query(order=(("name", True),))) == ["ep_5", "ep_3", "ep_1", "ep_4", "ep_2"]
    # ties keep insertion order, reversed when the first key is descending: a descending
    # order is the exact reverse of the ascending one (an index read backwards serves it)
    assert ids(Query(order=(("method", False),))) == ["ep_4", "ep_1", "ep_3", "ep_5", "ep_2"]
    assert ids(Query(order=(("method", True),))) == ["ep_2", "ep_5", "ep_3", "ep_1", "ep_4"]
    by_path = Query(order=(("path", False), ("method", False)))
    assert ids(by_path) == ["ep_5", "ep_1", "ep_2", "ep_3", "ep_4"]
    assert ids(replace(by_path, offset=1, limit=2)) == ["ep_1", "ep_2"]
    assert ids(replace(by_path, offset=4, limit=2)) == ["ep_4"]
    assert store.endpoints.total(replace(by_path, equals={"method": "GET"}, limit=1)) == 3


def test_a_missing_value_sorts_last_ascending_and_first_descending(store: Store) -> None:
    """On a column the API may leave empty (a collection's ``name`` here) and in the JSON."""
    for coll_id, name in (("coll_1", "b"), ("coll_2", None), ("coll_3", "a"), ("coll_4", "b")):
        store.collections.insert({"id": coll_id} | ({} if name is None else {"name": name}))
    ids = lambda q: [r["id"] for r in store.collections.select(q)]  # noqa: E731
    assert ids(Query(order=(("name", False),))) == ["coll_3", "coll_1", "coll_4", "coll_2"]
    assert ids(Query(order=(("name", True),))) == ["coll_2", "coll_4", "coll_1", "coll_3"]
    assert ids(Query(order=(("description", False),))) == ["coll_1", "coll_2", "coll_3", "coll_4"]
    assert ids(Query(order=(("description", True),))) == ["coll_4", "coll_3", "coll_2", "coll_1"]


def test_omitted_fields_stay_out_and_grouped_counts_cover_every_value_asked(
    store: Store,
) -> None:
    _endpoints(store)
    store.collections.insert({"id": "coll_a", "name": "a", "spec": {"openapi": "3.0.3"}})
    (row,) = store.collections.select(Query(omit=("spec",)))
    assert row == {"id": "coll_a", "name": "a"}
    assert store.collections.get("coll_a")["spec"] == {"openapi": "3.0.3"}  # type: ignore[index]
    counts = store.endpoints.count_by("collection_id", ["coll_a", "coll_b", "coll_z"])
    assert counts == {"coll_a": 2, "coll_b": 2, "coll_z": 0}


def test_fields_without_a_column_filter_sort_and_count_the_same(store: Store) -> None:
    """Fields the SQL stores keep only in the JSON (``operation``, ``enabled``, ``priority``)
    and values of another type than a column's answer as the TinyDB store does."""
    rows = [
        {"id": "rule_1", "endpoint_id": "ep_1", "operation": "GET /a", "enabled": True},
        {"id": "rule_2", "endpoint_id": "ep_1", "operation": "get /b", "priority": 2},
        {"id": "rule_3", "endpoint_id": "ep_2", "operation": "GET /Äb", "enabled": False},
        {"id": "rule_4", "endpoint_id": None, "operation": None, "priority": 2.0},
    ]
    for row in rows:
        store.rules.insert(row)
    ids = lambda q: [r["id"] for r in store.rules.select(q)]  # noqa: E731
    assert [r["id"] for r in store.rules.find(enabled=True)] == ["rule_1"]
    assert [r["id"] for r in store.rules.find(enabled=False)] == ["rule_3"]
    assert [r["id"] for r in store.rules.find(priority=2)] == ["rule_2", "rule_4"]
    assert [r["id"] for r in store.rules.find(operation=None)] == ["rule_4"]
    assert [r["id"] for r in store.rules.find(endpoint_id=None)] == ["rule_4"]
    assert ids(Query(within={"operation": ["get /b", "GET /a"]})) == ["rule_1", "rule_2"]
    assert ids(Query(contains={"operation": "GET"})) == ["rule_1", "rule_3"]
    assert ids(Query(search=(("operation",), "äB"))) == ["rule_3"]  # beyond ASCII
    assert ids(Query(order=(("operation", False),))) == ["rule_1", "rule_3", "rule_2", "rule_4"]
    assert ids(Query(order=(("operation", True),))) == ["rule_4", "rule_2", "rule_3", "rule_1"]
    assert store.rules.count_by("operation", ["GET /a", "nothing"]) == {"GET /a": 1, "nothing": 0}
    assert store.rules.delete_where(enabled=False) == 1
    assert store.rules.count(endpoint_id="ep_2") == 0


def test_heavy_fields_filter_and_update_like_any_other(store: Store) -> None:
    store.collections.insert({"id": "coll_a", "name": "a", "spec": None})
    store.collections.insert({"id": "coll_b", "name": "b", "spec": {"openapi": "3.1.0"}})
    assert [c["id"] for c in store.collections.find(spec=None)] == ["coll_a"]
    updated = store.collections.update("coll_a", {"spec": {"openapi": "3.0.3"}, "name": "A"})
    assert updated == {"id": "coll_a", "name": "A", "spec": {"openapi": "3.0.3"}}
    assert store.collections.find(spec=None) == []
    assert store.collections.update("coll_z", {"name": "z"}) is None
    assert store.collections.select(Query(equals={"name": "A"}, omit=("spec",))) == [
        {"id": "coll_a", "name": "A"}
    ]


def test_an_update_that_replaces_the_document_keeps_everything_else(store: Store) -> None:
    """A SQL store does not read the stored document to replace it: the rest of the record
    is still merged, the new document stored, and one set to null stays null."""
    big = {"openapi": "3.0.3", "paths": {f"/p{n}": {"get": {}} for n in range(500)}}
    store.collections.insert({"id": "coll_a", "name": "a", "slug": "a", "spec": big})
    updated = store.collections.update("coll_a", {"spec": {"openapi": "3.1.0"}, "tag": 1})
    assert updated == {
        "id": "coll_a",
        "name": "a",
        "slug": "a",
        "spec": {"openapi": "3.1.0"},
        "tag": 1,
    }
    assert store.collections.get("coll_a") == updated
    assert store.collections.update("coll_a", {"spec": None}) == {**updated, "spec": None}
    assert store.collections.get("coll_a") == {**updated, "spec": None}
    assert [c["id"] for c in store.collections.find(spec=None)] == ["coll_a"]
    assert store.collections.update("coll_a", {"name": "b"})["spec"] is None  # type: ignore[index]
    assert store.collections.update("coll_z", {"spec": big}) is None
    assert store.collections.find(slug="a") == [{**updated, "spec": None, "name": "b"}]


def test_a_record_read_without_its_heavy_fields(store: Store) -> None:
    store.collections.insert({"id": "coll_a", "name": "a", "spec": {"openapi": "3.0.3"}})
    assert store.collections.get("coll_a", ("spec",)) == {"id": "coll_a", "name": "a"}
    assert store.collections.get("coll_a", ("name",)) == {
        "id": "coll_a",
        "spec": {"openapi": "3.0.3"},
    }
    assert store.collections.get("coll_a")["spec"] == {"openapi": "3.0.3"}  # type: ignore[index]
    assert store.collections.get("coll_z", ("spec",)) is None
    store.endpoints.insert({"id": "ep_1", "method": "GET"})  # a table without heavy fields
    assert store.endpoints.get("ep_1", ("method",)) == {"id": "ep_1"}


def test_transactions_serialise_a_check_then_insert(store: Store) -> None:
    """As create_user relies on: eight threads each insert the user unless it exists,
    inside a transaction; exactly one succeeds, on every backend."""
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        barrier.wait()
        with store.transaction():
            if not store.users.find(email_key="same@example.com"):
                time.sleep(0.02)  # widen the window another writer would slip through
                store.users.insert({"id": f"user_{n}", "email_key": "same@example.com"})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.users.count(email_key="same@example.com") == 1


@pytest.mark.parametrize(
    ("value", "backend", "file"),
    [
        ("db.json", "tinydb", "db.json"),
        ("tinydb:///data/db.json", "tinydb", "data/db.json"),
        ("sqlite:///db.sqlite", "sqlite", "db.sqlite"),
        ("sqlite:////srv/db.sqlite", "sqlite", "/srv/db.sqlite"),
        ("postgres://mm@db/x", "postgresql", None),
        ("postgresql+psycopg://mm@db/x", "postgresql", None),
    ],
)
def test_a_db_value_names_its_backend_and_file(value: str, backend: str, file: str | None) -> None:
    location = parse_location(value)
    assert (location.backend, location.file) == (backend, None if file is None else Path(file))
    expected = None if file is None else Path(file + ".requests.jsonl")
    assert location.beside(".requests.jsonl") == expected


def test_a_db_url_hides_its_password_and_unknown_schemes_are_refused() -> None:
    assert (
        parse_location("postgresql://mm:s3cret@db:5432/x").shown == "postgresql://mm:***@db:5432/x"
    )
    with pytest.raises(ValueError, match="unknown database scheme 'mysql://'"):
        parse_location("mysql://db/x")
    with pytest.raises(ValueError, match="sqlite:///relative"):
        parse_location("sqlite://db.sqlite")


def test_a_within_of_more_values_than_a_statement_may_bind(store: Store) -> None:
    """A workspace of 70,000 collections lists its endpoints by their collection ids."""
    store.endpoints.insert({"id": "ep_1", "collection_id": "coll_69999", "path": "/a"})
    store.endpoints.insert({"id": "ep_2", "collection_id": "coll_other", "path": "/b"})
    many = [f"coll_{n}" for n in range(70_000)]
    assert [e["id"] for e in store.endpoints.select(Query(within={"collection_id": many}))] == [
        "ep_1"
    ]
    assert store.endpoints.count_by("collection_id", many)["coll_69999"] == 1


def test_many_records_go_in_one_write_and_survive_a_reopen(db_url: str) -> None:
    store = open_store_url(db_url)
    endpoints = [
        {
            "id": f"ep_{n:04d}",
            "collection_id": "coll_1",
            "workspace_id": "ws_1",
            "method": "GET",
            "path": f"/items/{n}",
            "operation": f"GET /items/{n}",
            "created_at": utc_now(),
        }
        for n in range(300)
    ]
    store.endpoints.insert_many([])
    with store.transaction():
        store.endpoints.insert_many(endpoints)
    store.close()
    again = open_store_url(db_url)
    found = again.endpoints.find(collection_id="coll_1")
    assert [e["id"] for e in found] == [e["id"] for e in endpoints]
    assert again.endpoints.get("ep_0299") == endpoints[-1]
    assert again.endpoints.count(workspace_id="ws_1") == 300
    again.close()


def test_sqlite_writers_queue_in_process_and_fall_back_to_sqlites_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_mockamocha.store import sql

    store = open_store_url(f"sqlite:///{tmp_path}/db.sqlite")

    def write(k: int) -> None:
        for j in range(20):
            store.collections.insert(_coll(f"{k}-{j}"))

    writers = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    assert store.collections.count(workspace_id="ws_1") == 80
    # a writer held up past the busy timeout goes on to SQLite's own lock (free here)
    monkeypatch.setattr(sql, "_BUSY_TIMEOUT", 0.05)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store._writing():  # type: ignore[attr-defined]
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    store.collections.insert(_coll("after the wait"))
    release.set()
    holder.join()
    assert store.collections.count(name="after the wait") == 1
    store.close()
