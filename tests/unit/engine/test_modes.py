"""Collection modes change only through Engine methods, and each change comes with its undo."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from pytest_mockamocha.engine import Engine, MockRequest, MockResponse
from pytest_mockamocha.engine.stateful import StatefulStore
from pytest_mockamocha.engine.validate.violations import Violation
from pytest_mockamocha.errors import CollectionNotFoundError
from pytest_mockamocha.spec.model import Operation

PACKAGE = Path(__file__).resolve().parents[3] / "pytest_mockamocha"
MODES = frozenset({"state", "upstream", "delay", "datasets", "withdrawn"})
#: how the package names a collection it holds
COLLECTIONS = frozenset({"coll", "collection", "live", "mounted"})

MakeRequest = Callable[..., MockRequest]


class _Teapot:
    """An upstream that answers everything with 418."""

    def exchange(
        self, op: Operation, path_params: Mapping[str, str], request: MockRequest
    ) -> tuple[MockResponse, list[Violation]]:
        return MockResponse(418, b"{}", "application/json", source="proxy"), []

    def close(self) -> None:
        pass


def test_each_mode_change_is_undone_by_what_it_returns(engine: Engine, req: MakeRequest) -> None:
    coll = engine.collection("petstore")
    store = StatefulStore(coll)
    undos = [
        engine.set_state("petstore", store),
        engine.set_upstream("petstore", _Teapot()),
        engine.set_delay("petstore", (0.5, 1.0)),
        engine.attach("petstore", ["GET /pets"], [{"id": 9, "name": "Nine"}]),
        engine.withdraw("petstore", ["DELETE /pets/{petId}"]),
    ]
    assert coll.state is store
    assert coll.delay == (0.5, 1.0)
    assert coll.datasets == {"GET /pets": [{"id": 9, "name": "Nine"}]}
    assert coll.withdrawn == {"DELETE /pets/{petId}"}
    assert engine.handle("petstore", req("GET", "/pets/1")).status == 418
    assert engine.handle("petstore", req("DELETE", "/pets/1")).status == 404
    for undo in reversed(undos):
        undo()
    assert (coll.state, coll.upstream, coll.delay) == (None, None, (0.0, None))
    assert (coll.datasets, coll.withdrawn) == ({}, set())
    assert engine.handle("petstore", req("GET", "/pets/1")).status == 200


def test_an_undo_puts_back_the_earlier_value_not_the_default(engine: Engine) -> None:
    first = engine.set_delay("petstore", (0.1, None))
    second = engine.set_delay("petstore", (0.2, 0.3))
    second()
    assert engine.collection("petstore").delay == (0.1, None)
    first()
    assert engine.collection("petstore").delay == (0.0, None)


def test_attaching_and_withdrawing_add_to_what_is_there(engine: Engine) -> None:
    engine.attach("petstore", ["GET /pets"], [1])
    undo = engine.attach("petstore", ["GET /pets/{petId}"], [2])
    engine.withdraw("petstore", ["POST /pets"])
    engine.withdraw("petstore", ["DELETE /pets/{petId}"])
    coll = engine.collection("petstore")
    assert coll.datasets == {"GET /pets": [1], "GET /pets/{petId}": [2]}
    assert coll.withdrawn == {"POST /pets", "DELETE /pets/{petId}"}
    undo()
    assert coll.datasets == {"GET /pets": [1]}


def test_a_mode_for_an_unknown_collection_names_the_known_ones(engine: Engine) -> None:
    with pytest.raises(CollectionNotFoundError, match="petstore"):
        engine.set_delay("nope", (1.0, None))


def test_nothing_outside_the_engine_sets_a_mode_directly() -> None:
    """The fixture's per-test reset relies on every change having an undo: a direct
    assignment (``coll.state = ...``, ``coll.withdrawn.add(...)``) would bypass it."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix() == "engine/engine.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[ast.expr] = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("add", "update", "discard", "clear", "pop", "setdefault")
            ):
                targets = [node.func.value]
            for target in targets:
                if isinstance(target, ast.Subscript):
                    target = target.value
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in MODES
                    and _is_collection(target.value)
                ):
                    found.append(f"{path.name}:{node.lineno}")
    assert found == []


def _is_collection(node: ast.expr) -> bool:
    """``coll``, ``self.coll``, ``engine.collection(slug)`` and the like."""
    if isinstance(node, ast.Name):
        return node.id in COLLECTIONS
    if isinstance(node, ast.Attribute):
        return node.attr in COLLECTIONS
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "collection"
    )
