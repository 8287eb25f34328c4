"""The router remembers answers per (path, method), boundedly, without changing them."""

from __future__ import annotations

from pytest_mockamocha.engine import router as router_module
from pytest_mockamocha.engine.router import RouteMatch, RouteMiss, Router
from pytest_mockamocha.spec.model import Operation, Parameter

OPS = [
    Operation("GET", "/pets/{petId}", parameters=(Parameter("petId", "path", True),)),
    Operation("GET", "/pets/mine"),
]


def test_a_remembered_answer_equals_a_fresh_one() -> None:
    router = Router(OPS)
    first = router.match("/pets/7", "GET")
    again = router.match("/pets/7", "GET")
    fresh = Router(OPS).match("/pets/7", "GET")
    assert isinstance(first, RouteMatch)
    assert first == again == fresh
    assert dict(first.path_params) == {"petId": "7"}
    assert isinstance(router.match("/pets/7", "DELETE"), RouteMiss)


def test_the_memory_is_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(router_module, "_SEEN_MAX", 50)
    router = Router(OPS)
    for i in range(500):
        assert isinstance(router.match(f"/pets/{i}", "GET"), RouteMatch)
    assert len(router._seen) <= 50
