"""The management API end to end: `mockamocha serve` on a real TinyDB file, restarted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

SPECS = Path(__file__).parents[1] / "data" / "specs"
CLI = [sys.executable, "-m", "pytest_mockamocha.cli"]
ADMIN = {"email": "ops@example.com", "password": "a long admin password"}


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("MOCKAMOCHA_SECRET", None)
    env |= {
        "MOCKAMOCHA_CACHE_DIR": str(tmp_path / "cache"),
        "MOCKAMOCHA_ADMIN_EMAIL": ADMIN["email"],
        "MOCKAMOCHA_ADMIN_PASSWORD": ADMIN["password"],
    }
    return env


@contextmanager
def serving(tmp_path: Path, *extra: str) -> Iterator[str]:
    """`mockamocha serve --db tmp/db.json`; yields the server's root URL."""
    args = [*CLI, "serve", "--port", "0", "--db", str(tmp_path / "db.json"), *extra]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path)
    )
    assert proc.stderr is not None
    url = ""
    try:
        for line in proc.stderr:
            found = re.search(r"serving on (http://\S+)", line)
            if found:
                url = found.group(1)
                break
        assert url, "the server did not start"
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def _data(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def _login(url: str) -> requests.Session:
    http = requests.Session()
    token = _data(http.post(f"{url}/api/auth/login", json=ADMIN, timeout=10))["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def _pets_endpoint(http: requests.Session, url: str) -> dict[str, Any]:
    eps = _data(http.get(f"{url}/api/endpoints", params={"path": "/pets/"}, timeout=10))
    return dict(
        next(e for e in eps["endpoints"] if e["method"] == "GET" and e["path"] == "/pets/{petId}")
    )


def test_the_reference_flow_survives_a_restart(tmp_path: Path) -> None:
    with serving(tmp_path) as url:
        http = _login(url)
        coll = _data(http.post(f"{url}/api/collections", json={"name": "Shop"}, timeout=10), 201)
        imported = _data(
            http.post(
                f"{url}/api/collections/{coll['id']}/import",
                data=(SPECS / "petstore.yaml").read_bytes(),
                headers={"Content-Type": "application/yaml"},
                timeout=30,
            ),
            201,
        )
        assert imported["endpoints_created"] > 0
        endpoint = _pets_endpoint(http, url)
        rule = _data(
            http.post(
                f"{url}/api/endpoints/{endpoint['id']}/rules",
                json={
                    "match": {"path": {"petId": "42"}},
                    "response": {"status": 404, "json": {"message": "no pet 42"}},
                },
                timeout=10,
            ),
            201,
        )
        answer = requests.get(f"{url}/mocks/shop/pets/42", timeout=10)
        assert answer.status_code == 404
        assert answer.json() == {"message": "no pet 42"}
        assert requests.get(f"{url}/mocks/shop/pets/1", timeout=10).status_code == 200
        assert _pets_endpoint(http, url)["requests_count"] == 2
        key = _data(http.post(f"{url}/api/keys", json={"name": "ci"}, timeout=10), 201)["key"]

    db = tmp_path / "db.json"
    assert ADMIN["password"] not in db.read_text()
    assert key not in db.read_text()
    assert (tmp_path / "db.json.secret").stat().st_mode & 0o777 == 0o600

    with serving(tmp_path) as url:
        http = _login(url)
        listed = _data(http.get(f"{url}/api/collections", timeout=10))
        assert [c["id"] for c in listed["collections"]] == [coll["id"]]
        endpoint = _pets_endpoint(http, url)
        assert endpoint["response_rules_count"] == 1
        assert endpoint["requests_count"] == 2  # traffic counts come back from the log
        assert endpoint["last_request_at"] is not None
        rules = _data(http.get(f"{url}/api/endpoints/{endpoint['id']}/rules", timeout=10))
        assert [r["id"] for r in rules["rules"]] == [rule["id"]]
        again = requests.get(f"{url}/mocks/shop/pets/42", timeout=10)
        assert again.json() == {"message": "no pet 42"}
        by_key = requests.get(
            f"{url}/api/auth/me", timeout=10, headers={"Authorization": f"Bearer {key}"}
        )
        assert _data(by_key)["email"] == ADMIN["email"]


def test_spec_files_update_their_collection_instead_of_duplicating(tmp_path: Path) -> None:
    spec = f"shop={SPECS / 'petstore.yaml'}"
    for _ in range(2):
        with serving(tmp_path, "--spec", spec) as url:
            http = _login(url)
            listed = _data(http.get(f"{url}/api/collections", timeout=10))
            assert [c["slug"] for c in listed["collections"]] == ["shop"]
            assert listed["collections"][0]["endpoints_count"] > 0
            assert requests.get(f"{url}/mocks/shop/pets/1", timeout=10).status_code == 200


def test_first_start_prints_a_generated_password_once(tmp_path: Path) -> None:
    env = _env(tmp_path)
    del env["MOCKAMOCHA_ADMIN_PASSWORD"]
    db = str(tmp_path / "db.json")
    outputs = []
    for _ in range(2):
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", "0", "--db", db],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "serving on" in line:
                break
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
        outputs.append("".join(lines))
    found = re.search(r"password \(shown once\): (\S+)", outputs[0])
    assert found
    assert "shown once" not in outputs[1]
    url = re.search(r"serving on (http://\S+)", outputs[0])
    assert url


def test_users_create_adds_a_user_who_can_log_in(tmp_path: Path) -> None:
    db = str(tmp_path / "db.json")
    env = _env(tmp_path) | {"MOCKAMOCHA_PASSWORD": "bob's password"}
    made = subprocess.run(
        [*CLI, "users", "create", "--email", "bob@example.com", "--name", "Bob", "--db", db],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert made.returncode == 0, made.stderr
    assert "bob@example.com" in made.stdout
    assert "bob's password" not in made.stdout + made.stderr
    with serving(tmp_path) as url:
        login = {"email": "bob@example.com", "password": "bob's password"}
        token = _data(requests.post(f"{url}/api/auth/login", json=login, timeout=10))
        assert token["user"]["name"] == "Bob"
