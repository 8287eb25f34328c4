"""The CORS policy through a real server and client: mocks permissive (every preflight 2xx,
so the real 404/405 reaches the page), the API open to tokens from any origin and to
cookies only from listed origins, headers exposed by name, request ids on every answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.store import memory_store

SPECS = Path(__file__).parents[1] / "data" / "specs"
PAGE = "http://127.0.0.1:5173"
LISTED = "https://app.example:8443"
ADMIN = ("cors@example.com", "a long cors password")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    engine = Engine()
    api = build_api(memory_store(), engine, b"c" * 32, cache_dir=None)
    api.ensure_admin(*ADMIN)
    with MockServer(engine, management=api, cors_origins=[LISTED]) as running:
        petstore = load_spec(SPECS / "petstore.yaml")
        running.add_spec(petstore, "petstore")
        own = tmp_path_factory.mktemp("own") / "own.json"
        own.write_text(json.dumps(OWN_OPTIONS))
        running.add_spec(load_spec(own), "own")
        yield running


OWN_OPTIONS = {
    "openapi": "3.0.3",
    "info": {"title": "own", "version": "1"},
    "paths": {
        "/things": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "options": {
                "responses": {
                    "200": {
                        "description": "the API's own CORS answer",
                        "headers": {"X-Own": {"schema": {"type": "string", "enum": ["yes"]}}},
                    }
                }
            },
        }
    },
}


def preflight(url: str, method: str, origin: str = PAGE, headers: str = "") -> requests.Response:
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers:
        asked["Access-Control-Request-Headers"] = headers
    return requests.options(url, headers=asked, timeout=10)


def token(server: MockServer) -> str:
    answer = requests.post(
        f"{server.url}/api/auth/login",
        json={"email": ADMIN[0], "password": ADMIN[1]},
        timeout=10,
    )
    return str(answer.json()["data"]["access_token"])


# -- mocks ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "method", "then"),
    [
        ("/mocks/petstore/pets", "PUT", 405),
        ("/mocks/petstore/nowhere", "POST", 404),
        ("/mocks/no-such-slug/pets", "POST", 404),
    ],
    ids=["undeclared-method", "unknown-path", "unknown-slug"],
)
def test_every_mock_preflight_is_answered_so_the_real_answer_reaches_the_page(
    server: MockServer, path: str, method: str, then: int
) -> None:
    answer = preflight(server.url + path, method, headers="content-type, x-trace")
    assert answer.status_code == 204
    assert answer.headers["Access-Control-Allow-Origin"] == PAGE
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert method in answer.headers["Access-Control-Allow-Methods"]
    assert answer.headers["Access-Control-Allow-Headers"] == "content-type, x-trace"
    real = requests.request(
        method, server.url + path, json={"name": "Rex"}, headers={"Origin": PAGE}, timeout=10
    )
    assert real.status_code == then
    assert real.headers["Content-Type"] == "application/problem+json"
    assert real.headers["Access-Control-Allow-Origin"] == PAGE
    assert "X-Request-Id" in real.headers["Access-Control-Expose-Headers"]
    assert real.headers["X-Request-Id"].startswith("req_")


def test_a_mock_answer_exposes_its_headers_by_name(server: MockServer) -> None:
    answer = requests.get(f"{server.url}/mocks/petstore/pets", headers={"Origin": PAGE}, timeout=10)
    assert answer.status_code == 200
    exposed = [h.strip() for h in answer.headers["Access-Control-Expose-Headers"].split(",")]
    assert "*" not in exposed
    assert {"X-Request-Id", "Location", "Retry-After", "X-Total-Count"} <= set(exposed)
    assert answer.headers["Vary"] == "Origin"


def test_the_request_id_of_a_mock_answer_is_the_journals(server: MockServer) -> None:
    answer = requests.get(f"{server.url}/mocks/petstore/pets/3", timeout=10)
    record = server.engine.journal.records(collection="petstore")[-1]
    assert answer.headers["X-Request-Id"] == record.id
    listed = requests.get(
        f"{server.url}/api/requests",
        headers={"Authorization": f"Bearer {token(server)}"},
        timeout=10,
    ).json()["data"]
    assert record.id in {r["id"] for r in listed["requests"]}


def test_a_spec_of_its_own_options_still_gets_plain_options(server: MockServer) -> None:
    plain = requests.options(f"{server.url}/mocks/own/things", timeout=10)
    assert plain.status_code == 200
    assert plain.headers["X-Own"] == "yes"
    asked = preflight(f"{server.url}/mocks/own/things", "GET")
    assert asked.status_code == 204  # a real preflight: the policy answers


def test_a_collection_can_leave_cors_to_its_own_document(server: MockServer) -> None:
    coll = server.engine.collection("own")
    coll.cors = False
    try:
        asked = preflight(f"{server.url}/mocks/own/things", "GET")
        assert asked.status_code == 200
        assert asked.headers["X-Own"] == "yes"
        assert "Access-Control-Allow-Origin" not in asked.headers
        plain = requests.get(f"{server.url}/mocks/own/things", headers={"Origin": PAGE}, timeout=10)
        assert "Access-Control-Allow-Origin" not in plain.headers
    finally:
        coll.cors = True


# -- the management API ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "method", "methods"),
    [
        ("/api/collections/coll_x/scenarios/checkout", "PUT", {"PUT"}),
        ("/api/health", "GET", {"GET", "HEAD"}),
        ("/api/collections", "POST", {"GET", "HEAD", "POST"}),
        ("/api/not-a-route", "DELETE", {"GET", "POST", "PUT", "PATCH", "DELETE"}),
    ],
    ids=["put-scenario", "health", "collections", "unknown-route"],
)
def test_api_preflights_name_the_routes_methods(
    server: MockServer, path: str, method: str, methods: set[str]
) -> None:
    answer = preflight(server.url + path, method, headers="authorization, content-type")
    assert answer.status_code == 204
    allowed = {m.strip() for m in answer.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods | {"OPTIONS"} == allowed
    assert answer.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    assert "Access-Control-Allow-Credentials" not in answer.headers  # an unlisted origin


def test_tokens_work_from_any_origin_and_cookies_only_from_listed_ones(server: MockServer) -> None:
    auth = {"Authorization": f"Bearer {token(server)}"}
    anyone = requests.get(f"{server.url}/api/collections", headers={**auth, "Origin": PAGE},
                          timeout=10)
    assert anyone.status_code == 200
    assert anyone.headers["Access-Control-Allow-Origin"] == PAGE
    assert "Access-Control-Allow-Credentials" not in anyone.headers
    listed = requests.get(f"{server.url}/api/collections", headers={**auth, "Origin": LISTED},
                          timeout=10)
    assert listed.headers["Access-Control-Allow-Credentials"] == "true"
    assert preflight(f"{server.url}/api/collections", "GET", origin=LISTED).headers[
        "Access-Control-Allow-Credentials"
    ] == "true"


def test_created_answers_carry_location_readable_across_origins(server: MockServer) -> None:
    auth = {"Authorization": f"Bearer {token(server)}", "Origin": LISTED}
    made = requests.post(f"{server.url}/api/collections", json={"name": "Located"},
                         headers=auth, timeout=10)
    assert made.status_code == 201
    coll: dict[str, Any] = made.json()["data"]
    assert made.headers["Location"] == f"/api/collections/{coll['id']}"
    exposed = made.headers["Access-Control-Expose-Headers"]
    assert "Location" in exposed
    assert "X-Request-Id" in exposed
    assert made.headers["X-Request-Id"] == made.json()["meta"]["request_id"]
    again = requests.get(server.url + made.headers["Location"], headers=auth, timeout=10)
    assert again.json()["data"]["id"] == coll["id"]


def test_pages_and_unknown_places_get_no_cors_headers(server: MockServer) -> None:
    answer = requests.get(f"{server.url}/somewhere", headers={"Origin": PAGE}, timeout=10)
    assert answer.status_code == 404
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_the_api_turns_a_collections_cors_off_and_a_restart_keeps_it(tmp_path: Path) -> None:
    from pytest_mockamocha.store import open_store

    db = tmp_path / "db.json"

    def started() -> tuple[MockServer, str]:
        engine = Engine()
        api = build_api(open_store(db), engine, b"c" * 32, cache_dir=tmp_path / "cache")
        api.ensure_admin(*ADMIN)
        api.state.catalog.restore()
        running = MockServer(engine, management=api).start()
        return running, token(running)

    first, bearer = started()
    auth = {"Authorization": f"Bearer {bearer}"}
    try:
        made = requests.post(f"{first.url}/api/collections", json={"name": "Own"},
                             headers=auth, timeout=10).json()["data"]
        imported = requests.post(f"{first.url}/api/collections/{made['id']}/import",
                                 json=OWN_OPTIONS, headers=auth, timeout=10)
        assert imported.status_code == 201, imported.text
        things = f"{first.url}/mocks/{made['slug']}/things"
        assert preflight(things, "GET").status_code == 204
        assert made["cors"] is True
        patched = requests.patch(f"{first.url}/api/collections/{made['id']}",
                                 json={"cors": False}, headers=auth, timeout=10)
        assert patched.json()["data"]["cors"] is False
        asked = preflight(things, "GET")
        assert (asked.status_code, asked.headers.get("X-Own")) == (200, "yes")
        assert "Access-Control-Allow-Origin" not in asked.headers
        wrong = requests.patch(f"{first.url}/api/collections/{made['id']}",
                               json={"cors": "no"}, headers=auth, timeout=10)
        assert wrong.status_code == 422
        assert "cors" in wrong.text
    finally:
        first.stop()
    again, _ = started()
    try:
        asked = preflight(f"{again.url}/mocks/{made['slug']}/things", "GET")
        assert (asked.status_code, asked.headers.get("X-Own")) == (200, "yes")
    finally:
        again.stop()


def test_the_fixture_turns_cors_off_for_one_test(pytester: pytest.Pytester) -> None:
    (pytester.path / "own.json").write_text(json.dumps(OWN_OPTIONS))
    pytester.makepyfile(
        f"""
        import requests

        def preflight(url):
            headers = {{"Origin": "{PAGE}", "Access-Control-Request-Method": "GET"}}
            return requests.options(url, headers=headers, timeout=10)

        def test_own_cors(mockamocha):
            mockamocha.cors(False)
            answer = preflight(mockamocha.base_url + "/things")
            assert answer.headers.get("X-Own") == "yes"
            assert "Access-Control-Allow-Origin" not in answer.headers

        def test_policy_again(mockamocha):
            assert preflight(mockamocha.base_url + "/things").status_code == 204
        """
    )
    pytester.runpytest("--mockamocha-spec", "own.json").assert_outcomes(passed=2)
