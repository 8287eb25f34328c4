"""Fixtures for the engine's unit tests: loaded specs and engines over them, no server."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine import Engine, MockRequest
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.model import ApiSpec

SPECS = Path(__file__).resolve().parents[2] / "data" / "specs"

MakeRequest = Callable[..., MockRequest]


def make_request(
    method: str,
    path: str,
    *,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    body: bytes = b"",
    cookies: Mapping[str, str] | None = None,
) -> MockRequest:
    """A ``MockRequest`` as the server would build it."""
    hdrs = Headers(dict(headers or {}))
    if json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    multi: MultiDict[str, str] = MultiDict()
    for key, value in (query or {}).items():
        for item in value if isinstance(value, list) else [value]:
            multi.add(key, str(item))
    return MockRequest(
        method=method, path=path, query=multi, headers=hdrs, cookies=dict(cookies or {}), body=body
    )


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    return SPECS


@pytest.fixture(scope="session")
def load() -> Callable[[str], ApiSpec]:
    """Load a shipped spec by its path under tests/data/specs (cached per session)."""
    cache: dict[str, ApiSpec] = {}

    def _load(name: str) -> ApiSpec:
        if name not in cache:
            cache[name] = load_spec(SPECS / name)
        return cache[name]

    return _load


@pytest.fixture
def engine(load: Callable[[str], ApiSpec]) -> Engine:
    """A fresh engine with the pet store, security and media specs mounted."""
    eng = Engine(seed=0)
    eng.add(load("petstore.yaml"))
    eng.add(load("security.yaml"))
    eng.add(load("media.yaml"))
    return eng


@pytest.fixture
def req() -> MakeRequest:
    return make_request
