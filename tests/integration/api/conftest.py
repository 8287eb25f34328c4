"""A real server with the management API over an in-memory store, and a logged-in client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_mockamocha.api import ManagementApi, build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.store import Store, memory_store, open_store_url

SPECS = Path(__file__).parents[2] / "data" / "specs"
ADMIN = {"email": "admin@example.com", "password": "correct horse battery"}
SECRET = b"k" * 32


class Api:
    """A requests session bound to one server's ``/api``, with the envelope unwrapped."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, self.base + path, timeout=10, **kwargs)

    def data(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json()["data"]

    def login(self, email: str, password: str) -> Api:
        token = self.data("POST", "/api/auth/login", json={"email": email, "password": password})
        return Api(self.base, token["access_token"])


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """The API suite runs on every store backend: TinyDB in memory, a SQLite file and a
    real PostgreSQL database (skipped, saying why, where PostgreSQL cannot run)."""
    engine = Engine()
    if request.param == "sqlite":
        store: Store = open_store_url(f"sqlite:///{tmp_path / 'db.sqlite'}")
    elif request.param == "postgresql":
        store = open_store_url(request.getfixturevalue("postgres_url"))
    else:
        store = memory_store()
    api = build_api(store, engine, SECRET, cache_dir=tmp_path / "cache")
    api.ensure_admin(ADMIN["email"], ADMIN["password"])
    with MockServer(engine, management=api) as running:
        yield running
    assert api.state.imports.wait(10)  # no background import outlives the store
    store.close()


@pytest.fixture
def management(server: MockServer) -> ManagementApi:
    assert server.management is not None
    return server.management


@pytest.fixture
def anon(server: MockServer) -> Api:
    return Api(server.url)


@pytest.fixture
def admin(anon: Api) -> Api:
    return anon.login(ADMIN["email"], ADMIN["password"])


def pet_store(admin: Api, name: str = "Pet Store") -> dict[str, Any]:
    """A new collection ``name`` with petstore.yaml imported, as the API shows it."""
    coll = admin.data("POST", "/api/collections", 201, json={"name": name})
    admin.data(
        "POST",
        f"/api/collections/{coll['id']}/import",
        201,
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    return dict(admin.data("GET", f"/api/collections/{coll['id']}"))


@pytest.fixture
def petstore(admin: Api) -> dict[str, Any]:
    """A collection with petstore.yaml imported."""
    return pet_store(admin)
