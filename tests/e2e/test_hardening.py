"""A team server under attack keeps serving: `mockamocha serve` on a TinyDB file, attacked
through real clients on 127.0.0.1, while `/api/health` keeps answering within 0.5 s.

Each attack is bounded in count and time. The 0.5 s liveness bound is the property under
test (a frozen server would not answer at all), not a performance figure.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

SPECS = Path(__file__).parents[1] / "data" / "specs"
CLI = [sys.executable, "-m", "pytest_mockamocha.cli"]
ADMIN = {"email": "ops@example.com", "password": "a long admin password"}
#: how fast /api/health must answer while an attack runs
ALIVE = 0.5


class Team:
    """A running `mockamocha serve` and an administrator's session on it."""

    def __init__(self, url: str, http: requests.Session, proc: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.http = http
        self.proc = proc

    def api(self, method: str, path: str, status: int | None = None, **kwargs: Any) -> Any:
        response = self.http.request(method, self.url + path, timeout=30, **kwargs)
        if status is not None:
            assert response.status_code == status, response.text
            return response.json()["data"] if response.content else None
        return response

    def assert_alive(self) -> None:
        """/api/health answers 200 within ``ALIVE`` seconds, and the server still runs."""
        began = time.monotonic()
        response = requests.get(self.url + "/api/health", timeout=10)
        took = time.monotonic() - began
        assert response.status_code == 200
        assert took < ALIVE, f"/api/health took {took:.2f} s during the attack"
        assert self.proc.poll() is None


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    folder = tmp_path_factory.mktemp("team")
    env = {
        **os.environ,
        "MOCKAMOCHA_CACHE_DIR": str(folder / "cache"),
        "MOCKAMOCHA_ADMIN_EMAIL": ADMIN["email"],
        "MOCKAMOCHA_ADMIN_PASSWORD": ADMIN["password"],
    }
    env.pop("MOCKAMOCHA_SECRET", None)
    log = folder / "serve.log"
    args = [*CLI, "serve", "--port", "0", "--db", str(folder / "db.json"),
            "--spec", f"shop={SPECS / 'petstore.yaml'}"]
    with log.open("wb") as sink:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=sink, env=env)
    try:
        url = _wait_for_url(log, proc)
        http = requests.Session()
        login = http.post(url + "/api/auth/login", json=ADMIN, timeout=10)
        http.headers["Authorization"] = "Bearer " + login.json()["data"]["access_token"]
        yield Team(url, http, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def _wait_for_url(log: Path, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"serving on (http://\S+)", log.read_text(errors="replace"))
        if found:
            return found.group(1)
        assert proc.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError("the server did not start")


def _endpoint(team: Team, method: str, path: str, slug: str = "shop") -> str:
    colls = team.api("GET", "/api/collections", 200)["collections"]
    coll = next(c for c in colls if c["slug"] == slug)
    eps = team.api("GET", "/api/endpoints", 200, params={"collection_id": coll["id"]})
    return str(
        next(e for e in eps["endpoints"] if e["method"] == method and e["path"] == path)["id"]
    )


def _while_attacking(
    team: Team,
    attack: Callable[[], Any],
    checks: int = 5,
    also: Callable[[], None] | None = None,
) -> Any:
    """Run ``attack`` in a thread and check the server's liveness (and ``also``) while it
    runs; the attack's result."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = attack()
        except BaseException as exc:  # re-raised below, in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.2)
    for _ in range(checks):
        team.assert_alive()
        if also is not None:
            also()
        time.sleep(0.1)
    thread.join(60)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


# -- 1. patterns ----------------------------------------------------------------------------
def test_a_catastrophic_regex_rule_cannot_freeze_the_server(team: Team) -> None:
    ep = _endpoint(team, "GET", "/pets/{petId}")
    rule = {"match": {"headers": {"X-T": {"regex": "(a+)+$"}}},
            "response": {"status": 200, "json": {"id": 1, "name": "matched"}}}
    team.api("POST", f"/api/endpoints/{ep}/rules", 201, json=rule)
    evil = {"X-T": "a" * 50_000 + "!"}

    def attack() -> list[int]:
        return [
            requests.get(team.url + "/mocks/shop/pets/1", headers=evil, timeout=30).status_code
            for _ in range(20)
        ]

    assert _while_attacking(team, attack) == [200] * 20  # the rule misses; the spec answers
    hit = requests.get(team.url + "/mocks/shop/pets/1", headers={"X-T": "aaa"}, timeout=10)
    assert hit.json()["name"] == "matched"


def test_a_pattern_linear_matching_cannot_run_is_refused_at_the_field(team: Team) -> None:
    ep = _endpoint(team, "GET", "/pets/{petId}")
    rule = {"match": {"query": {"q": {"regex": "(a)\\1"}}}, "response": {"status": 200}}
    response = team.api("POST", f"/api/endpoints/{ep}/rules", json=rule)
    assert response.status_code == 422
    details = " ".join(response.json()["error"]["details"])
    assert "match.query.q.regex" in details
    assert "linear-time" in details


def test_a_documents_backtracking_pattern_is_checked_in_bounded_time(team: Team) -> None:
    # RE2 cannot run the lookahead, so the backtracking engine does, with a time limit
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "evil", "version": "1"},
        "paths": {"/find": {"get": {
            "parameters": [{"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string", "pattern": "^(?=a)(a|aa)+$"}}],
            "responses": {"200": {"description": "ok"}},
        }}},
    }
    coll = team.api("POST", "/api/collections", 201, json={"name": "evil"})
    team.api("POST", f"/api/collections/{coll['id']}/import", 201, json=spec)
    url = f"{team.url}/mocks/{coll['slug']}/find"

    def attack() -> list[requests.Response]:
        return [requests.get(url, params={"q": "a" * 40 + "!"}, timeout=30) for _ in range(5)]

    for response in _while_attacking(team, attack):
        assert response.status_code == 400
        assert "took more than" in response.text
    assert requests.get(url, params={"q": "aaa"}, timeout=10).status_code == 200


# -- 2. answers that wait -------------------------------------------------------------------
def test_delayed_answers_never_starve_health_or_other_collections(team: Team) -> None:
    ep = _endpoint(team, "GET", "/pets")
    rule = team.api("POST", f"/api/endpoints/{ep}/rules", 201,
                    json={"response": {"status": 200, "json": [], "delay": 3}})
    other = team.api("POST", "/api/collections", 201, json={"name": "other"})
    team.api("POST", f"/api/collections/{other['id']}/import", 201,
             data=(SPECS / "petstore.yaml").read_bytes(),
             headers={"Content-Type": "application/yaml"})

    def attack() -> list[requests.Response]:
        with ThreadPoolExecutor(max_workers=24) as pool:
            return list(pool.map(
                lambda _: requests.get(team.url + "/mocks/shop/pets", timeout=20), range(24)
            ))

    def other_collection_answers() -> None:
        began = time.monotonic()
        answer = requests.get(f"{team.url}/mocks/{other['slug']}/pets/1", timeout=10)
        assert answer.status_code == 200
        assert time.monotonic() - began < ALIVE

    try:
        answers = _while_attacking(team, attack, also=other_collection_answers)
    finally:
        team.api("DELETE", f"/api/endpoints/{ep}/rules/{rule['id']}")
    waited = [a.status_code for a in answers].count(200)
    refused = [a for a in answers if a.status_code == 503]
    assert waited == 16  # a collection holds at most a third of the 48 seats
    assert len(refused) == 8
    assert all(a.headers["Retry-After"] == "1" for a in refused)
    assert "Too many waiting answers" in refused[0].json()["title"]


def test_a_delay_ends_when_its_client_leaves(team: Team) -> None:
    ep = _endpoint(team, "GET", "/pets/{petId}")
    rule = team.api("POST", f"/api/endpoints/{ep}/rules", 201,
                    json={"match": {"path": {"petId": 2}},
                          "response": {"status": 200, "json": {"id": 2, "name": "x"},
                                       "delay": 30}})
    try:
        for _ in range(3):  # three waves of a full collection's seats, each given up
            with ThreadPoolExecutor(max_workers=16) as pool:
                list(pool.map(lambda _: _give_up(team.url + "/mocks/shop/pets/2"), range(16)))
            time.sleep(0.3)  # the waits notice the departed clients within 0.05 s
        team.assert_alive()
    finally:
        team.api("DELETE", f"/api/endpoints/{ep}/rules/{rule['id']}")
    assert requests.get(team.url + "/mocks/shop/pets/2", timeout=10).status_code == 200


def _give_up(url: str) -> None:
    with pytest.raises(requests.ReadTimeout):
        requests.get(url, timeout=0.3)


# -- 3. slow headers --------------------------------------------------------------------------
def test_trickling_connections_do_not_lock_out_other_clients(team: Team) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2000
    if soft < wanted + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, wanted + 500), hard))
    count = min(wanted, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 200)
    host, port = team.url.split("//")[1].split(":")
    socks = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            socks.append(sock)
        time.sleep(0.5)
        for _ in range(7):  # a header byte every 2 s from every connection, for 14 s
            for sock in socks:
                with contextlib.suppress(OSError):  # dropped by the server already
                    sock.send(b"a")
            team.assert_alive()
            time.sleep(2)
        # headers must be complete 10 s after the request's first byte: all were dropped
        assert sum(_closed_by_peer(sock) for sock in socks) == count
    finally:
        for sock in socks:
            sock.close()
    assert count >= 1000  # the attack that locked the server out before: 1,010 connections


def _closed_by_peer(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False  # still open, nothing to read
    except OSError:
        return True  # reset


# -- 4. inputs that used to answer 500 --------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "where"),
    [
        pytest.param(b'{"name":' + b"[" * 10_000 + b"]" * 10_000 + b"}", "", id="10000-deep"),
        pytest.param(b'{"name":"\\ud800"}', "at /name", id="lone-surrogate"),
        # stored as it came, NaN would reach every client as text no JSON parser reads
        pytest.param(b'{"name":"n","description":NaN}', "NaN is not a JSON number", id="nan"),
        pytest.param(b'{"name":"n","tags":[1,-Infinity]}', "-Infinity is not a JSON number",
                     id="infinity"),
        pytest.param(b'{"name":"n","description":' + b"7" * 5000 + b"}", "at /description",
                     id="5000-digit-integer"),
    ],
)
def test_bad_api_bodies_are_400s_naming_where(team: Team, body: bytes, where: str) -> None:
    before = team.api("GET", "/api/collections", 200)["total"]
    response = team.api("POST", "/api/collections", data=body,
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert where in " ".join([error["message"], *error["details"]])
    assert team.api("GET", "/api/collections", 200)["total"] == before
    team.assert_alive()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"[" * 100_000 + b"]" * 100_000),
        ("application/yaml", b"openapi: " + b"[" * 100_000 + b"]" * 100_000),
    ],
    ids=["json", "yaml"],
)
def test_a_100000_deep_import_is_refused(team: Team, content_type: str, body: bytes) -> None:
    coll = team.api("POST", "/api/collections", 201, json={"name": f"deep {content_type}"})
    response = team.api("POST", f"/api/collections/{coll['id']}/import", data=body,
                        headers={"Content-Type": content_type})
    assert response.status_code in (400, 422), response.text
    assert "nest" in response.text
    team.assert_alive()


# -- 6. what an anonymous caller learns -------------------------------------------------------
def test_anonymous_callers_learn_no_collection_names(team: Team) -> None:
    for path in ("/mocks/nope/x", "/nothing-here"):
        anonymous = requests.get(team.url + path, timeout=10)
        assert anonymous.status_code == 404
        assert "shop" not in anonymous.text
        assert "GET /api/collections" in anonymous.json()["detail"]
    assert requests.get(team.url + "/api/health", timeout=10).json()["collections"] == []
    mine = team.api("GET", "/mocks/nope/x")
    assert "shop" in mine.json()["detail"]
    # another workspace's user learns only of its own (none)
    team.api("POST", "/api/users", 201,
             json={"email": "eve@example.com", "name": "Eve", "password": "eve's password"})
    token = requests.post(team.url + "/api/auth/login", timeout=10,
                          json={"email": "eve@example.com", "password": "eve's password"})
    eve = {"Authorization": "Bearer " + token.json()["data"]["access_token"]}
    theirs = requests.get(team.url + "/mocks/nope/x", headers=eve, timeout=10)
    assert "shop" not in theirs.text
    assert "known: none" in theirs.json()["detail"]


# -- 7. the server's own errors, long echoes, costly templates --------------------------------
def test_the_servers_own_413_and_431_speak_json(team: Team) -> None:
    big = b"x" * (11 * 1024 * 1024)
    api = requests.post(team.url + "/api/collections", data=big, timeout=30,
                        headers={"Content-Type": "application/json"})
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    mock = requests.post(team.url + "/mocks/shop/pets", data=big, timeout=30,
                         headers={"Content-Type": "application/json"})
    assert mock.status_code == 413
    assert mock.headers["Content-Type"] == "application/problem+json"
    huge_headers = {"X-Big": "a" * 300_000}
    api = requests.get(team.url + "/api/health", headers=huge_headers, timeout=30)
    assert (api.status_code, api.json()["error"]["code"]) == (431, "HEADERS_TOO_LARGE")
    mock = requests.get(team.url + "/mocks/shop/pets", headers=huge_headers, timeout=30)
    assert mock.status_code == 431
    assert mock.json()["status"] == 431
    team.assert_alive()


def test_an_invalid_10mb_body_gets_a_short_answer(team: Team) -> None:
    body = json.dumps({"name": 7, "tag": "x" * (10 * 1024 * 1024 - 100)})
    response = requests.post(team.url + "/mocks/shop/pets", data=body, timeout=30,
                             headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)
    assert len(response.content) < 4096
    assert "characters cut" in response.text


def test_a_costly_fake_call_in_a_template_is_refused_per_request(team: Team) -> None:
    ep = _endpoint(team, "GET", "/pets/{petId}")
    rule = {"match": {"path": {"petId": 99}},
            "response": {"template": {"rows": "{{ fake('json', num_rows=9999) }}"}}}
    team.api("POST", f"/api/endpoints/{ep}/rules", 201, json=rule)

    def attack() -> list[requests.Response]:
        return [requests.get(team.url + "/mocks/shop/pets/99", timeout=30) for _ in range(10)]

    for response in _while_attacking(team, attack):
        assert response.status_code == 500
        assert "above the template limit 100" in response.text
