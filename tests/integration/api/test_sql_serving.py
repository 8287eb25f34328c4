"""`mockamocha serve --db sqlite:///… | postgresql://…` as real processes: acknowledged
writes survive kill -9, and two replicas on one PostgreSQL database serve one client."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import ADMIN, Api  # type: ignore[import-not-found]

CLI = [sys.executable, "-m", "pytest_mockamocha.cli"]
_SERVING = re.compile(r"mockamocha serving on (http://127\.0\.0\.1:\d+)")


class Served:
    """One `mockamocha serve` process on a database; its URL once it answers."""

    def __init__(self, db: str, folder: Path) -> None:
        env = dict(os.environ)
        env.pop("MOCKAMOCHA_SECRET", None)  # the secret must come from the database
        env |= {"MOCKAMOCHA_ADMIN_EMAIL": ADMIN["email"]}
        env |= {"MOCKAMOCHA_ADMIN_PASSWORD": ADMIN["password"]}
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / f"serve-{time.monotonic_ns()}.log"
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [*CLI, "serve", "--port", "0", "--db", db],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=folder,
            )
        self.url = ""

    def wait(self) -> Served:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = _SERVING.search(self.log.read_text())
            if found:
                self.url = found.group(1)
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"serve did not start:\n{self.log.read_text()}")

    def admin(self) -> Api:
        return Api(self.url).login(ADMIN["email"], ADMIN["password"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[list[Served]]:
    """The servers a test starts, killed at its end whatever happens."""
    started: list[Served] = []
    yield started
    for served in started:
        served.stop()


def _database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path}/team.sqlite"
    return str(request.getfixturevalue("postgres_url"))


def _all_collection_ids(api: Api) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        data = api.data("GET", "/api/collections", params={"page": page, "per_page": 100})
        ids |= {c["id"] for c in data["collections"]}
        if page * 100 >= data["total"]:
            return ids
        page += 1


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_every_acknowledged_write_survives_kill_9(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, serving: list[Served]
) -> None:
    db = _database(kind, tmp_path, request)
    first = Served(db, tmp_path / "run")
    serving.append(first)
    token = first.wait().admin().http.headers["Authorization"]
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(n: int) -> None:
        http = requests.Session()
        http.headers["Authorization"] = token
        for i in range(10_000):
            if stop.is_set():
                return
            try:
                answer = http.post(
                    f"{first.url}/api/collections", json={"name": f"w{n}-{i}"}, timeout=10
                )
            except requests.RequestException:
                return  # the server died mid-request: that write was never acknowledged
            if answer.status_code == 201:
                acknowledged.append(answer.json()["data"]["id"])

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in writers:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.proc.kill()  # SIGKILL, mid-burst: no clean shutdown, no flush
    first.proc.wait(timeout=10)
    stop.set()
    for thread in writers:
        thread.join(timeout=20)
    assert len(acknowledged) >= 60
    again = Served(db, tmp_path / "run")
    serving.append(again)
    stored = _all_collection_ids(again.wait().admin())
    assert set(acknowledged) <= stored
    assert len(stored) - len(acknowledged) <= 4  # at most one unanswered write per writer


def test_two_replicas_on_one_postgresql_serve_one_client(
    postgres_url: str, tmp_path: Path, serving: list[Served]
) -> None:
    a = Served(postgres_url, tmp_path / "a")
    b = Served(postgres_url, tmp_path / "b")  # both start together: one admin, one secret
    serving += [a, b]
    a.wait()
    b.wait()
    on_a = a.admin()
    on_b = Api(b.url, on_a.http.headers["Authorization"].removeprefix("Bearer "))
    assert on_b.data("GET", "/api/auth/me")["email"] == ADMIN["email"]  # A's token on B
    made = on_a.data("POST", "/api/collections", 201, json={"name": "Made on A"})
    assert [c["id"] for c in on_b.data("GET", "/api/collections")["collections"]] == [made["id"]]
    second = on_b.data("POST", "/api/collections", 201, json={"name": "Made on A"})
    assert second["slug"] != made["slug"]  # B sees A's slug as taken
    listed = on_a.data("GET", "/api/collections")
    assert (listed["total"], {c["id"] for c in listed["collections"]}) == (
        2,
        {made["id"], second["id"]},
    )
    users = on_b.data("GET", "/api/users")
    assert [u["email"] for u in users["users"] if u["is_admin"]] == [ADMIN["email"]]


def test_two_replicas_on_one_postgresql_answer_mocks_as_one_server(
    postgres_url: str, tmp_path: Path, serving: list[Served]
) -> None:
    a = Served(postgres_url, tmp_path / "a")
    b = Served(postgres_url, tmp_path / "b")
    serving += [a, b]
    on_a = a.wait().admin()
    on_b = b.wait().admin()
    coll = on_a.data("POST", "/api/collections", 201, json={"name": "Shop"})
    spec = (Path(__file__).parents[2] / "data" / "specs" / "petstore.yaml").read_bytes()
    on_a.data(
        "POST",
        f"/api/collections/{coll['id']}/import",
        201,
        data=spec,
        headers={"Content-Type": "application/yaml"},
    )
    found = on_b.data("GET", f"/api/endpoints?collection_id={coll['id']}&per_page=100")
    (ep,) = [e for e in found["endpoints"] if e["operation"] == "GET /pets/{petId}"]
    sequence = {
        "response": {"status": 404},
        "then": [{"status": 200, "json": {"id": 5, "name": "F"}}],
    }
    on_b.data("POST", f"/api/endpoints/{ep['id']}/rules", 201, json=sequence)

    def mock(served: Served, path: str) -> requests.Response:
        return requests.get(f"{served.url}/mocks/{coll['slug']}{path}", timeout=10)

    assert mock(a, "/pets/1").status_code == 404  # B's rule, first step, answered by A
    assert mock(b, "/pets/1").json() == {"id": 5, "name": "F"}  # second step, by B
    on_b.data("PATCH", f"/api/collections/{coll['id']}", json={"stateful": True})
    made = requests.post(f"{a.url}/mocks/{coll['slug']}/pets", json={"name": "Zed"}, timeout=10)
    assert made.status_code == 201
    listed = requests.get(f"{b.url}/mocks/{coll['slug']}/pets?limit=100", timeout=10).json()
    assert made.json() in listed  # created through A, listed by B
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # each replica reads the other's log every 0.25 s
        totals = [
            api.data("GET", "/api/analytics/requests")["total_requests"] for api in (on_a, on_b)
        ]
        if totals == [4, 4]:
            break
        time.sleep(0.1)
    assert totals == [4, 4]


def test_a_dashboard_sign_out_on_one_replica_holds_on_the_other(
    postgres_url: str, tmp_path: Path, serving: list[Served]
) -> None:
    a = Served(postgres_url, tmp_path / "a")
    b = Served(postgres_url, tmp_path / "b")
    serving += [a, b]
    a.wait()
    b.wait()
    http = requests.Session()
    signed = http.post(
        f"{a.url}/api/auth/session",
        json={"email": ADMIN["email"], "password": ADMIN["password"]},
        timeout=10,
    )
    assert signed.status_code == 201
    kept = http.cookies["mm_session"]
    assert requests.get(f"{b.url}/api/auth/me", cookies={"mm_session": kept}, timeout=10).ok
    csrf = {"X-CSRF-Token": signed.json()["data"]["csrf_token"]}
    assert http.delete(f"{a.url}/api/auth/session", headers=csrf, timeout=10).status_code == 204
    replay = requests.get(f"{b.url}/api/auth/me", cookies={"mm_session": kept}, timeout=10)
    assert replay.status_code == 401
