"""A real server on 127.0.0.1:0 over every shipped spec, for tests through real HTTP clients."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _mock_specs import (  # type: ignore[import-not-found]
    PARAMS_SPEC,
    SHIPPED,
    SMALL_BODY_LIMIT,
    SPECS,
    large_document,
)

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import SERVER_KINDS, MockServerApp, ServerThread
from pytest_mockamocha.spec.loader import load_spec


@pytest.fixture(scope="session")
def extra_specs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Specs written at test time: the large generated one and the parameters one."""
    folder = tmp_path_factory.mktemp("specs")
    large = folder / "large.json"
    large.write_text(json.dumps(large_document()))
    params = folder / "params.yaml"
    params.write_text(PARAMS_SPEC)
    return {"large": large, "params": params}


@pytest.fixture(scope="session")
def engine(extra_specs: dict[str, Path]) -> Engine:
    """One engine with every shipped spec, the large one and the parameters one."""
    eng = Engine(seed=0)
    for slug, name in SHIPPED.items():
        assert eng.add(load_spec(SPECS / name), slug).slug == slug
    for slug, path in extra_specs.items():
        assert eng.add(load_spec(path), slug).slug == slug
    for coll in eng:
        coll.warm()
    return eng


def _serve(engine: Engine, kind: str, max_body: int | None = None) -> ServerThread:
    if max_body is None:
        return ServerThread(MockServerApp(engine), kind=kind).start()
    return ServerThread(
        MockServerApp(engine, max_body=max_body), kind=kind, max_body=max_body
    ).start()


@pytest.fixture(scope="session")
def server(engine: Engine) -> Iterator[ServerThread]:
    """The waitress server every integration test may share."""
    thread = _serve(engine, "waitress")
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def base_url(server: ServerThread) -> str:
    return server.url


@pytest.fixture(scope="session", params=SERVER_KINDS)
def any_server(
    request: pytest.FixtureRequest, engine: Engine, server: ServerThread
) -> Iterator[ServerThread]:
    """Each server kind in turn (the shared waitress one, then a werkzeug one)."""
    if request.param == "waitress":
        yield server
        return
    thread = _serve(engine, request.param)
    yield thread
    thread.stop()


@pytest.fixture(scope="session", params=SERVER_KINDS)
def small_server(request: pytest.FixtureRequest, engine: Engine) -> Iterator[ServerThread]:
    """Each server kind with a 64 KiB body limit."""
    thread = _serve(engine, request.param, max_body=SMALL_BODY_LIMIT)
    yield thread
    thread.stop()


def health(url: str) -> dict[str, Any]:
    """GET /api/health through urllib; fails the test unless it answers 200 JSON."""
    with urllib.request.urlopen(f"{url}/api/health", timeout=10) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "application/json"
        data: dict[str, Any] = json.loads(response.read())
    assert data["status"] == "ok"
    return data


@pytest.fixture
def alive() -> Callable[[ServerThread], None]:
    """Assert that a server still answers its health check."""

    def check(thread: ServerThread) -> None:
        health(thread.url)

    return check
