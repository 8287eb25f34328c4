"""Two servers sharing one store behave as one: what a request or an API call changes on
one is what the next request on the other sees (rules, sequence positions, scenario
states, stateful records, the request log), on ``MemoryShared`` (the reference) and on a
real PostgreSQL database (``test_sql_serving`` runs two ``serve`` processes on one)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import ADMIN, SECRET, SPECS, Api  # type: ignore[import-not-found]

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.server.sharedlog import SharedRequestLog
from pytest_mockamocha.store import Store, memory_store, open_store_url
from pytest_mockamocha.store.shared import MemoryShared


@pytest.fixture(params=["memory", "postgresql"])
def replicas(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Api, Api]]:
    if request.param == "postgresql":
        store: Store = open_store_url(request.getfixturevalue("postgres_url"))
        assert store.shared is not None  # a PostgreSQL store is shared by its nature
    else:
        store = memory_store()
        store.shared = MemoryShared()
    assert store.shared is not None
    servers, logs = [], []
    for _ in range(2):
        engine = Engine()
        api = build_api(store, engine, SECRET, cache_dir=tmp_path / "cache")
        api.ensure_admin(ADMIN["email"], ADMIN["password"])
        api.state.catalog.restore(compiled=8)
        logs.append(SharedRequestLog(store.shared, engine.journal, f"r{len(logs)}", 0.02).start())
        servers.append(MockServer(engine, management=api).start())
    try:
        a = Api(servers[0].url).login(ADMIN["email"], ADMIN["password"])
        b = Api(servers[1].url, a.http.headers["Authorization"].split()[1])  # A's token
        yield a, b
    finally:
        for server, log in zip(servers, logs, strict=True):
            server.stop()
            log.close()
        store.close()


def _import(api: Api) -> dict[str, Any]:
    coll = api.data("POST", "/api/collections", 201, json={"name": "Shop"})
    api.data(
        "POST",
        f"/api/collections/{coll['id']}/import",
        201,
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    return dict(coll)


def _endpoint(api: Api, coll: dict[str, Any], operation: str) -> dict[str, Any]:
    found = api.data("GET", f"/api/endpoints?collection_id={coll['id']}&per_page=100")
    (ep,) = [e for e in found["endpoints"] if e["operation"] == operation]
    return dict(ep)


def _mock(api: Api, path: str) -> requests.Response:
    return requests.get(f"{api.base}/mocks/shop{path}", timeout=10)


def test_a_rule_made_on_one_server_answers_on_the_other_and_its_sequence_is_shared(
    replicas: tuple[Api, Api],
) -> None:
    a, b = replicas
    coll = _import(a)
    assert _mock(b, "/pets/1").status_code == 200  # B compiles it on first use
    ep = _endpoint(b, coll, "GET /pets/{petId}")
    body = {"response": {"status": 404}, "then": [{"status": 200, "json": {"id": 9, "name": "N"}}]}
    rule = a.data("POST", f"/api/endpoints/{ep['id']}/rules", 201, json=body)
    assert _mock(b, "/pets/1").status_code == 404  # A's rule, first step, on B
    assert _mock(a, "/pets/1").json() == {"id": 9, "name": "N"}  # second step, on A
    assert b.data("GET", f"/api/endpoints/{ep['id']}/rules/{rule['id']}")["hits"] == 2
    b.call("DELETE", f"/api/endpoints/{ep['id']}/rules/{rule['id']}")
    assert _mock(a, "/pets/1").status_code == 200
    assert _mock(a, "/pets/1").json() != {"id": 9, "name": "N"}  # gone on A too


def test_a_scenario_moved_on_one_server_is_in_that_state_on_the_other(
    replicas: tuple[Api, Api],
) -> None:
    a, b = replicas
    coll = _import(a)
    ep = _endpoint(a, coll, "GET /pets/{petId}")
    rules = f"/api/endpoints/{ep['id']}/rules"
    first = {"scenario": "adopt", "state": "started", "next_state": "adopted"}
    a.data("POST", rules, 201, json=first | {"response": {"status": 200}})
    after = {"scenario": "adopt", "state": "adopted"}
    a.data("POST", rules, 201, json=after | {"response": {"status": 404}})
    assert _mock(a, "/pets/1").status_code == 200
    assert _mock(b, "/pets/1").status_code == 404  # B sees the state A moved
    scenarios = b.data("GET", f"/api/collections/{coll['id']}/scenarios")["scenarios"]
    assert scenarios == [{"name": "adopt", "state": "adopted"}]
    b.data("POST", f"/api/collections/{coll['id']}/reset")
    assert _mock(a, "/pets/1").status_code == 200  # B's reset, seen on A


def test_a_collection_deleted_on_one_server_is_gone_on_the_other(
    replicas: tuple[Api, Api],
) -> None:
    a, b = replicas
    coll = _import(a)
    assert _mock(b, "/pets").status_code == 200
    a.call("DELETE", f"/api/collections/{coll['id']}")
    assert _mock(b, "/pets").status_code == 404
    again = _import(b)  # the slug is free again, and A serves B's new import
    assert again["slug"] == "shop"
    assert _mock(a, "/pets").status_code == 200


def test_requests_answered_by_either_server_are_logged_and_counted_on_both(
    replicas: tuple[Api, Api],
) -> None:
    a, b = replicas
    coll = _import(a)
    for api in (a, b, b):
        assert _mock(api, "/pets/1").status_code == 200
    ep = _endpoint(a, coll, "GET /pets/{petId}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        counts = [_endpoint(api, coll, "GET /pets/{petId}")["requests_count"] for api in (a, b)]
        if counts == [3, 3]:
            break
        time.sleep(0.02)
    assert counts == [3, 3]
    logged = a.data("GET", f"/api/requests?collection_id={coll['id']}")
    assert logged["total"] == 3
    assert {r["operation"] for r in logged["requests"]} == {ep["operation"]}
    report = b.data("GET", "/api/analytics/requests")
    assert report["total_requests"] == 3


def test_a_stateful_collection_keeps_one_set_of_records_for_both_servers(
    replicas: tuple[Api, Api],
) -> None:
    a, b = replicas
    coll = _import(a)
    a.data("PATCH", f"/api/collections/{coll['id']}", json={"stateful": True})
    made = requests.post(f"{a.base}/mocks/shop/pets", json={"name": "Zed"}, timeout=10)
    assert made.status_code == 201
    pet = made.json()
    assert _mock(b, f"/pets/{pet['id']}").json() == pet  # created on A, read on B
    listed = _mock(b, "/pets").json()
    assert pet in listed
    assert requests.delete(f"{b.base}/mocks/shop/pets/{pet['id']}", timeout=10).status_code == 204
    assert _mock(a, f"/pets/{pet['id']}").status_code == 404  # deleted on B, gone on A
    assert pet not in _mock(a, "/pets").json()


def test_creates_racing_on_both_servers_all_land_once(replicas: tuple[Api, Api]) -> None:
    a, b = replicas
    coll = _import(a)
    a.data("PATCH", f"/api/collections/{coll['id']}", json={"stateful": True})
    before = len(_mock(a, "/pets?limit=100").json())
    made: list[Any] = []

    def create(api: Api, k: int) -> None:
        for j in range(10):
            answer = requests.post(
                f"{api.base}/mocks/shop/pets", json={"name": f"p{k}-{j}"}, timeout=10
            )
            assert answer.status_code == 201
            made.append(answer.json()["id"])

    threads = [threading.Thread(target=create, args=(api, k)) for k, api in enumerate((a, b) * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 40
    names = [p["name"] for p in _mock(b, "/pets?limit=100").json()]
    assert len(names) == before + 40
    assert {f"p{k}-{j}" for k in range(4) for j in range(10)} <= set(names)
