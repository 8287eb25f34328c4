"""Proxy mode against a real upstream on 127.0.0.1: pass-through, drift, 502s, recording."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from _mock_specs import SPECS  # type: ignore[import-not-found]
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from pytest_mockamocha.engine import Collection, MockRequest, MockResponse
from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.server import ServerThread
from pytest_mockamocha.server.proxy import Drift, Proxy, Recorder, safe_url
from pytest_mockamocha.server.runtime import MockServer

PET = {"id": 7, "name": "Rex", "tag": "dog", "status": "available"}
TIMEOUT = 10


@pytest.fixture(scope="module")
def upstream_server() -> Iterator[HTTPServer]:
    """The "real" API: a threaded (keep-alive) werkzeug server on 127.0.0.1."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def upstream(upstream_server: HTTPServer) -> Iterator[HTTPServer]:
    yield upstream_server
    upstream_server.clear()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def mock(upstream: HTTPServer, recorder: Recorder) -> Iterator[MockServer]:
    """A mock server whose ``petstore`` and ``security`` collections proxy to ``upstream``."""
    server = MockServer()
    proxies = []
    for slug, name, base in (
        ("petstore", "petstore.yaml", "/"),
        ("security", "security.yaml", "/sec"),
    ):
        coll = server.add_spec(SPECS / name, slug=slug)
        proxy = Proxy(coll, upstream.url_for(base), recorder=recorder)
        server.engine.set_upstream(coll.slug, proxy)
        proxies.append(proxy)
    with server:
        yield server
    for proxy in proxies:
        proxy.close()


def proxy_of(server: MockServer, slug: str = "petstore") -> Proxy:
    upstream = server.engine.collection(slug).upstream
    assert isinstance(upstream, Proxy)
    return upstream


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- pass-through -------------------------------------------------------------------------------
def test_answers_pass_through_with_status_body_and_headers(
    mock: MockServer, upstream: HTTPServer
) -> None:
    upstream.expect_request("/pets/7", method="GET").respond_with_json(
        PET, headers={"X-Rate-Limit": "10", "Keep-Alive": "timeout=99"}
    )
    response = requests.get(mock.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == PET
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Rate-Limit"] == "10"
    assert "timeout=99" not in response.headers.get("Keep-Alive", "")  # hop-by-hop: dropped
    assert proxy_of(mock).drift == []
    record = mock.engine.journal.records()[-1]
    assert (record.operation, record.status, record.source) == ("GET /pets/{petId}", 200, "proxy")
    upstream.check_assertions()


def test_head_requests_pass_through_without_drift(mock: MockServer, upstream: HTTPServer) -> None:
    upstream.expect_request("/pets/7", method="HEAD").respond_with_data(
        "", headers={"X-Rate-Limit": "10"}, content_type="application/json"
    )
    response = requests.head(mock.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["X-Rate-Limit"] == "10"
    assert proxy_of(mock).drift == []


def test_a_compressed_answer_is_decoded(mock: MockServer, upstream: HTTPServer) -> None:
    upstream.expect_request("/pets/7").respond_with_data(
        gzip.compress(json.dumps(PET).encode()),
        headers={"Content-Encoding": "gzip"},
        content_type="application/json",
    )
    response = requests.get(mock.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
    assert (response.status_code, response.json()) == (200, PET)
    assert "Content-Encoding" not in response.headers
    assert upstream.log[0][0].headers["Accept-Encoding"] == "identity"  # asked for none
    assert proxy_of(mock).drift == []


def test_query_headers_and_body_reach_the_upstream(mock: MockServer, upstream: HTTPServer) -> None:
    upstream.expect_request(
        "/pets", method="GET", query_string={"limit": "2", "status": "sold"}
    ).respond_with_json([PET], headers={"X-Total-Count": "1"})
    created = {**PET, "id": 9, "name": "Tom"}
    upstream.expect_request(
        "/pets", method="POST", json={"name": "Tom", "tag": None}
    ).respond_with_json(created, status=201, headers={"Location": "/pets/9"})

    listed = requests.get(
        mock.url_for("petstore", "/pets"),
        params={"limit": 2, "status": "sold"},
        headers={"X-Custom": "kept", "X-MockaMocha-Test": "tests/x.py::t"},
        timeout=TIMEOUT,
    )
    made = requests.post(
        mock.url_for("petstore", "/pets"), json={"name": "Tom", "tag": None}, timeout=TIMEOUT
    )

    assert (listed.status_code, listed.json(), listed.headers["X-Total-Count"]) == (200, [PET], "1")
    assert (made.status_code, made.json(), made.headers["Location"]) == (201, created, "/pets/9")
    (get, _), (post, _) = upstream.log
    assert get.headers["X-Custom"] == "kept"
    assert "X-MockaMocha-Test" not in get.headers  # the mock's own header stays with the mock
    assert get.headers["Host"] == f"127.0.0.1:{upstream.port}"
    assert post.headers["Content-Type"] == "application/json"
    assert json.loads(post.get_data()) == {"name": "Tom", "tag": None}
    upstream.check_assertions()


def test_a_rule_wins_over_the_proxy(mock: MockServer, upstream: HTTPServer) -> None:
    upstream.expect_request("/pets/7").respond_with_json(PET)
    upstream.expect_request("/pets/8").respond_with_json({**PET, "id": 8})
    with Mockamocha(mock, test="rule-wins", collection="petstore") as mm:
        mm.when("GET /pets/{petId}", path={"petId": 7}).respond(
            404, json={"code": 404, "message": "gone"}
        )
        ruled = requests.get(mm.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
        other = requests.get(mm.url_for("petstore", "/pets/8"), timeout=TIMEOUT)
    assert (ruled.status_code, ruled.json()["message"]) == (404, "gone")
    assert (other.status_code, other.json()["id"]) == (200, 8)
    assert [r.path for r, _ in upstream.log] == ["/pets/8"]  # the rule's request never left


def test_invalid_requests_are_not_forwarded(mock: MockServer, upstream: HTTPServer) -> None:
    response = requests.get(mock.url_for("petstore", "/pets/abc"), timeout=TIMEOUT)
    assert response.status_code == 400
    assert upstream.log == []


def test_concurrent_requests_share_kept_alive_connections(
    mock: MockServer, upstream: HTTPServer, recorder: Recorder
) -> None:
    upstream.expect_request("/pets/7").respond_with_json(PET)
    url = mock.url_for("petstore", "/pets/7")

    def fetch(_: int) -> tuple[int, Any]:
        response = requests.get(url, timeout=TIMEOUT)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(48)))
    assert results == [(200, PET)] * 48
    assert len(upstream.log) == 48
    assert (recorder.count, len(recorder)) == (48, 1)  # 48 identical exchanges: one rule


# -- drift ----------------------------------------------------------------------------------------
def test_drift_is_detected_and_still_passed_through(mock: MockServer, upstream: HTTPServer) -> None:
    upstream.expect_request("/pets/13").respond_with_json({"id": "thirteen", "name": "Rex"})
    upstream.expect_request("/pets/mine").respond_with_data("short and stout", status=418)
    upstream.expect_request("/stores/downtown/inventory").respond_with_json({"sold": 40})

    wrong_type = requests.get(mock.url_for("petstore", "/pets/13"), timeout=TIMEOUT)
    undeclared = requests.get(mock.url_for("petstore", "/pets/mine"), timeout=TIMEOUT)
    fine = requests.get(mock.url_for("petstore", "/stores/downtown/inventory"), timeout=TIMEOUT)

    assert (wrong_type.status_code, wrong_type.json()["id"]) == (200, "thirteen")
    assert (undeclared.status_code, undeclared.text) == (418, "short and stout")
    assert fine.status_code == 200
    drift = proxy_of(mock).drift
    assert drift == [
        Drift(
            "GET /pets/{petId}",
            "GET",
            "/pets/13",
            200,
            ("response.id: 'thirteen' is not of type 'integer'",),
        ),
        Drift(
            "GET /pets/mine",
            "GET",
            "/pets/mine",
            418,
            ("response.status: 418 is not declared for GET /pets/mine (declared: 200)",),
        ),
    ]
    assert str(drift[0]) == "GET /pets/13 -> 200: response.id: 'thirteen' is not of type 'integer'"
    _, violations = proxy_of(mock).exchange(
        mock.engine.collection("petstore").operation("getPet"),
        {"petId": "13"},
        MockRequest("GET", "/pets/13"),
    )
    assert [str(v) for v in violations] == ["response.id: 'thirteen' is not of type 'integer'"]
    journaled = [r for r in mock.engine.journal.records() if r.path == "/pets/13"]
    assert journaled[0].source == "proxy"
    assert journaled[0].violations == ("response.id: 'thirteen' is not of type 'integer'",)


def test_connections_to_the_upstream_are_kept_alive() -> None:
    """werkzeug closes every connection, so this upstream is waitress, which keeps them."""
    ports: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        ports.append(environ["REMOTE_PORT"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(PET).encode()]

    upstream = ServerThread(app, kind="waitress").start()
    server = MockServer()
    coll = server.add_spec(SPECS / "petstore.yaml", slug="petstore")
    proxy = Proxy(coll, upstream.url, timeout=5)
    server.engine.set_upstream(coll.slug, proxy)
    try:
        with server:
            answers = [
                proxy.forward(
                    coll.operation("getPet"), {"petId": "7"}, MockRequest("GET", "/pets/7")
                )
                for _ in range(5)
            ]
            url = server.url_for("petstore", "/pets/7")
            with ThreadPoolExecutor(max_workers=8) as pool:
                replies = list(pool.map(lambda _: requests.get(url, timeout=TIMEOUT), range(48)))
    finally:
        proxy.close()
        upstream.stop()
    assert [a.status for a in answers] == [200] * 5
    assert len(set(ports[:5])) == 1  # one at a time: one connection
    assert [r.status_code for r in replies] == [200] * 48
    assert len(set(ports[5:])) <= 8  # one connection per request in flight at most


def test_a_kept_alive_connection_the_upstream_closed_is_retried_once() -> None:
    """An upstream that answers one request per connection without saying so (no
    ``Connection: close``): the second request finds the idle connection dead and goes
    again on a new one."""
    body = json.dumps(PET).encode()
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    accepted: list[int] = []

    def serve(listener: socket.socket) -> None:
        for _ in range(2):
            conn, (_, port) = listener.accept()
            accepted.append(port)
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(4096)
                conn.sendall(reply % (len(body), body))

    coll = MockServer().add_spec(SPECS / "petstore.yaml", slug="petstore")
    op = coll.operation("getPet")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(TIMEOUT)
        thread = threading.Thread(target=serve, args=(listener,), daemon=True)
        thread.start()
        proxy = Proxy(coll, f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=5)
        try:
            first, _ = proxy.exchange(op, {"petId": "7"}, MockRequest("GET", "/pets/7"))
            time.sleep(0.1)  # the upstream has closed the connection by now
            second, _ = proxy.exchange(op, {"petId": "7"}, MockRequest("GET", "/pets/7"))
        finally:
            proxy.close()
        thread.join(TIMEOUT)
    assert (first.status, second.status) == (200, 200)
    assert json.loads(second.body) == PET
    assert len(set(accepted)) == 2


# -- an upstream that cannot answer --------------------------------------------------------------
def test_an_upstream_that_is_down_answers_502_and_the_server_keeps_serving(
    mock: MockServer,
) -> None:
    coll = mock.engine.collection("petstore")
    port = closed_port()
    down = Proxy(coll, f"http://admin:s3cret@127.0.0.1:{port}/v1", timeout=5)
    mock.engine.set_upstream(coll.slug, down)
    try:
        started = time.monotonic()
        first = requests.get(mock.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
        elapsed = time.monotonic() - started
        second = requests.get(mock.url_for("petstore", "/pets"), timeout=TIMEOUT)
    finally:
        down.close()
    assert elapsed < 2
    assert first.status_code == 502
    assert first.headers["Content-Type"] == "application/problem+json"
    problem = first.json()
    assert problem["title"] == "Bad Gateway"
    assert f"http://127.0.0.1:{port}/v1" in problem["detail"]
    assert "GET /v1/pets/7" in problem["detail"]
    assert "Connection" in problem["detail"]  # ConnectionRefusedError: ...
    assert "s3cret" not in first.text
    assert "admin" not in first.text
    assert second.status_code == 502
    health = requests.get(f"{mock.url}/api/health", timeout=TIMEOUT)
    assert health.status_code == 200
    assert down.drift == []


def test_an_upstream_that_hangs_times_out_with_502(mock: MockServer) -> None:
    coll = mock.engine.collection("petstore")
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        slow = Proxy(coll, f"http://127.0.0.1:{port}", timeout=0.5)
        mock.engine.set_upstream(coll.slug, slow)
        try:
            started = time.monotonic()
            response = requests.get(mock.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
            elapsed = time.monotonic() - started
        finally:
            slow.close()
    assert response.status_code == 502
    assert "timed out" in response.json()["detail"]
    assert 0.4 < elapsed < 3


def test_credentials_in_the_upstream_url_are_sent_but_never_shown(
    upstream: HTTPServer, recorder: Recorder
) -> None:
    upstream.expect_request("/v1/pets/7").respond_with_json(PET)
    server = MockServer()
    coll: Collection = server.add_spec(SPECS / "petstore.yaml", slug="petstore")
    url = upstream.url_for("/v1").replace("http://", "http://u-zed:pa%24%24w0rd@")
    proxy = Proxy(coll, url, recorder=recorder)
    server.engine.set_upstream(coll.slug, proxy)
    with server:
        response = requests.get(server.url_for("petstore", "/pets/7"), timeout=TIMEOUT)
    proxy.close()
    assert response.status_code == 200
    ((sent, _),) = upstream.log
    assert sent.authorization is not None
    assert (sent.authorization.username, sent.authorization.password) == ("u-zed", "pa$$w0rd")
    assert proxy.url == upstream.url_for("/v1")
    assert "u-zed" not in repr(proxy)
    recorded = recorder.dumps()
    assert f"from {upstream.url_for('/v1')} on" in recorded
    assert "u-zed" not in recorded
    assert "w0rd" not in recorded
    assert safe_url("https://u:p@h.example:8443/x?q=1") == "https://h.example:8443/x?q=1"


def test_a_base_url_that_is_not_http_is_refused() -> None:
    coll = MockServer().add_spec(SPECS / "petstore.yaml", slug="petstore")
    with pytest.raises(ValueError, match="http:// or https://"):
        Proxy(coll, "ftp://user:secret@files.example.com/")
    with pytest.raises(ValueError) as info:
        Proxy(coll, "ftp://user:secret@files.example.com/")
    assert "secret" not in str(info.value)


# -- recording ------------------------------------------------------------------------------------
def test_secrets_are_forwarded_but_not_recorded(
    mock: MockServer, upstream: HTTPServer, recorder: Recorder, tmp_path: Path
) -> None:
    order = {"id": 1, "item": "beans", "quantity": 2, "status": "paid"}
    upstream.expect_request(
        "/sec/exports/orders", query_string={"api_key": "QKEY-123", "page": "2"}
    ).respond_with_json(
        [order],
        headers={
            "Set-Cookie": "session_id=COOKIE-123; HttpOnly",
            "X-API-Key": "HDRKEY-123",
            "X-Rate-Limit": "10",
            "Date": "Mon, 01 Jan 2024 00:00:00 GMT",
        },
    )
    response = requests.get(
        mock.url_for("security", "/exports/orders"),
        params={"api_key": "QKEY-123", "page": "2"},
        headers={"Authorization": "Bearer BEARER-123", "Cookie": "session_id=COOKIE-OUT"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json() == [order]
    ((sent, _),) = upstream.log
    assert sent.headers["Authorization"] == "Bearer BEARER-123"  # forwarded...
    assert sent.cookies["session_id"] == "COOKIE-OUT"

    text = recorder.write(tmp_path / "rules.yaml").read_text(encoding="utf-8")
    for secret in ("QKEY", "COOKIE", "HDRKEY", "BEARER"):
        assert secret not in text  # ... never recorded
    (rule,) = yaml.safe_load(text)["rules"]
    assert rule["match"] == {"query": {"page": "2"}}
    assert rule["response"]["headers"] == {"X-Rate-Limit": "10"}  # no Date, no secrets


def test_the_recording_is_a_rule_file(
    mock: MockServer, upstream: HTTPServer, recorder: Recorder, tmp_path: Path
) -> None:
    upstream.expect_request("/pets/7").respond_with_json(PET, headers={"X-Rate-Limit": "10"})
    flaky = iter([500, 500, 200])

    def sometimes(request: Request) -> Response:
        status = next(flaky, 200)
        body = {"code": 500, "message": "boom"} if status == 500 else [PET]
        return Response(json.dumps(body), status, content_type="application/json")

    upstream.expect_request(
        "/pets", method="GET", query_string={"status": "sold"}
    ).respond_with_handler(sometimes)
    upstream.expect_request("/pets", method="POST").respond_with_json(
        {**PET, "id": 9, "name": "Tom"}, status=201
    )
    upstream.expect_request("/pets/9", method="DELETE").respond_with_data("", status=204)
    upstream.expect_request("/pets/mine").respond_with_data(
        b"\x89PNG\r\n\x1a\n\x00\xff", content_type="image/png"
    )
    upstream.expect_request("/stores/a-1/inventory").respond_with_data(
        "sold: 40 ✓", content_type="text/plain; charset=utf-8"
    )
    get = requests.Session()
    pets = mock.url_for("petstore", "/pets")
    for _ in range(2):
        assert get.get(f"{pets}/7", timeout=TIMEOUT).status_code == 200
    statuses = [
        get.get(pets, params={"status": "sold"}, timeout=TIMEOUT).status_code for _ in "1234"
    ]
    assert statuses == [500, 500, 200, 200]
    assert get.post(pets, json={"name": "Tom"}, timeout=TIMEOUT).status_code == 201
    assert get.delete(f"{pets}/9", timeout=TIMEOUT).status_code == 204
    assert get.get(f"{pets}/mine", timeout=TIMEOUT).status_code == 200
    inventory = get.get(mock.url_for("petstore", "/stores/a-1/inventory"), timeout=TIMEOUT)
    assert inventory.status_code == 200  # text where JSON is declared: drift, still recorded
    get.close()

    target = recorder.write(tmp_path / "recorded" / "petstore.yaml")
    text = target.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith(f"# Recorded by mockamocha from {upstream.url_for('/').rstrip('/')}")
    assert lines[0].split(" on ")[1][:4].isdigit()  # an ISO date
    assert any("GET /pets/mine" in line and "image/png" in line for line in lines if line[0] == "#")
    assert [p.name for p in target.parent.iterdir()] == ["petstore.yaml"]  # no temp file left

    document = yaml.safe_load(text)
    assert list(document) == ["version", "rules"]
    assert document["version"] == 1
    rules = {(r["operation"], json.dumps(r.get("match"))): r for r in document["rules"]}
    assert len(rules) == len(document["rules"]) == 6
    for rule in document["rules"]:
        assert rule["collection"] == "petstore"
        assert set(rule) <= {"collection", "operation", "match", "response", "then"}

    get_pet = rules["GET /pets/{petId}", json.dumps({"path": {"petId": "7"}})]
    assert get_pet["response"] == {
        "status": 200,
        "headers": {"X-Rate-Limit": "10"},
        "content_type": "application/json",
        "json": PET,
    }
    assert "then" not in get_pet  # two identical answers: one rule, one response

    sequence = rules["GET /pets", json.dumps({"query": {"status": "sold"}})]
    error = {"code": 500, "message": "boom"}
    assert sequence["response"] == {
        "status": 500,
        "content_type": "application/json",
        "json": error,
        "times": 2,
    }
    assert sequence["then"] == [{"status": 200, "content_type": "application/json", "json": [PET]}]

    created = rules["POST /pets", json.dumps({"json": {"name": "Tom"}})]
    assert created["response"]["status"] == 201
    assert created["response"]["json"]["id"] == 9
    deleted = rules["DELETE /pets/{petId}", json.dumps({"path": {"petId": "9"}})]
    assert deleted["response"] == {"status": 204, "content_type": "text/plain; charset=utf-8"}
    mine = rules["GET /pets/mine", "null"]
    assert mine == {
        "collection": "petstore",
        "operation": "GET /pets/mine",
        "response": {"status": 200},
    }
    text_rule = rules["GET /stores/{store-id}/inventory", json.dumps({"path": {"store-id": "a-1"}})]
    assert text_rule["response"]["body"] == "sold: 40 ✓"
    assert text_rule["response"]["content_type"] == "text/plain; charset=utf-8"


def test_specific_rules_come_after_the_ones_that_would_shadow_them(
    mock: MockServer, upstream: HTTPServer, recorder: Recorder
) -> None:
    upstream.expect_request("/pets").respond_with_json([PET])
    for params in ({}, {"limit": "2"}, {"limit": "2", "status": "sold"}):
        response = requests.get(mock.url_for("petstore", "/pets"), params=params, timeout=TIMEOUT)
        assert response.status_code == 200
    rules = recorder.document()[0]["rules"]
    assert [r.get("match") for r in rules] == [  # of the rules that fit, the last one wins
        None,
        {"query": {"limit": "2"}},
        {"query": {"limit": "2", "status": "sold"}},
    ]


def test_repeated_query_names_are_recorded_as_lists(
    mock: MockServer, upstream: HTTPServer, recorder: Recorder
) -> None:
    upstream.expect_request("/pets").respond_with_json([])
    response = requests.get(
        mock.url_for("petstore", "/pets") + "?limit=2&status=sold&status=pending", timeout=TIMEOUT
    )
    assert response.status_code == 200
    assert upstream.log[0][0].args.getlist("status") == ["sold", "pending"]
    (rule,) = recorder.document()[0]["rules"]
    assert rule["match"] == {"query": {"limit": "2", "status": ["sold", "pending"]}}


def test_answers_that_alternate_become_a_sequence_in_order(recorder: Recorder) -> None:
    coll = MockServer().add_spec(SPECS / "petstore.yaml", slug="petstore")
    op = coll.operation("getPet")
    for status in (200, 404, 404, 200):
        answer = MockResponse(status, b'{"code": 1, "message": "m"}', "application/json")
        recorder.record(coll, op, {"petId": "1"}, MockRequest("GET", "/pets/1"), answer, "http://u")
    (rule,) = recorder.document()[0]["rules"]
    assert rule["response"]["times"] == 1
    assert [(s["status"], s.get("times")) for s in rule["then"]] == [(404, 2), (200, None)]


# -- replay ---------------------------------------------------------------------------------------
def test_a_recording_replays_offline(
    mock: MockServer, upstream: HTTPServer, recorder: Recorder, tmp_path: Path
) -> None:
    """Record through the proxy, then serve the file from a server whose upstream is down:
    every answer comes from the recorded rules, in the recorded order."""
    from pytest_mockamocha.engine.rules.files import load_rule_file

    flaky = iter([500, 200])

    def sometimes(request: Request) -> Response:
        status = next(flaky, 200)
        body = {"code": 500, "message": "boom"} if status == 500 else [PET]
        return Response(json.dumps(body), status, content_type="application/json")

    upstream.expect_request(
        "/pets", method="GET", query_string={"status": "sold"}
    ).respond_with_handler(sometimes)
    upstream.expect_request("/pets", method="GET", query_string="").respond_with_json(
        [PET, {**PET, "id": 8}], headers={"X-Total-Count": "2"}
    )
    upstream.expect_request("/pets/7").respond_with_json(PET, headers={"X-Rate-Limit": "10"})
    upstream.expect_request("/pets", method="POST").respond_with_json(
        {**PET, "id": 9, "name": "Tom"}, status=201
    )
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/pets", {"params": {"status": "sold"}}),
        ("GET", "/pets", {"params": {"status": "sold"}}),
        ("GET", "/pets", {}),
        ("GET", "/pets/7", {}),
        ("POST", "/pets", {"json": {"name": "Tom"}}),
    ]

    def run(server: MockServer) -> list[tuple[int, Any, str | None]]:
        out = []
        for method, path, extra in calls:
            url = server.url_for("petstore", path)
            response = requests.request(method, url, timeout=TIMEOUT, **extra)
            out.append(
                (response.status_code, response.json(), response.headers.get("X-Rate-Limit"))
            )
        return out

    live = run(mock)
    assert [status for status, _, _ in live] == [500, 200, 200, 200, 201]
    assert proxy_of(mock).drift == []
    target = recorder.write(tmp_path / "recorded.yaml")

    offline = MockServer()
    coll = offline.add_spec(SPECS / "petstore.yaml", slug="petstore")
    down = Proxy(coll, f"http://127.0.0.1:{closed_port()}")  # a request no rule answers: 502
    offline.engine.set_upstream(coll.slug, down)
    loaded = load_rule_file(target, offline.engine, warn=False)
    assert len(loaded.rules) == 4
    assert loaded.warnings == ()  # the upstream kept the contract, so does the recording
    with offline:
        replayed = run(offline)
        missing = requests.get(offline.url_for("petstore", "/pets/8"), timeout=TIMEOUT)
    down.close()
    assert replayed == live
    assert missing.status_code == 502
