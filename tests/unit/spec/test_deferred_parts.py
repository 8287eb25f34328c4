"""A loaded operation builds its parameters, request body and responses when first read:
nothing before, exactly what an eager read of the document gives, once however many
threads ask, and a load reports the same warnings from the cache as when it compiled."""

from __future__ import annotations

import dataclasses
import pickle
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.exchange import MockRequest
from pytest_mockamocha.spec import loader
from pytest_mockamocha.spec.loader import deref, load_spec, load_text
from pytest_mockamocha.spec.model import HTTP_METHODS, ApiSpec, Operation

SPECS = Path(__file__).parents[2] / "data" / "specs"
#: every loadable test document (``broken/`` holds the ones that must not load)
DOCUMENTS = sorted(
    p.relative_to(SPECS).as_posix()
    for p in SPECS.rglob("*")
    if p.suffix in (".yaml", ".json")
    and "broken" not in p.parts
    and p.parent.name not in ("components", "paths", "schemas")
)
PARTS = Operation.DEFERRED

UNDECLARED = """
openapi: 3.0.3
info: {title: Undeclared, version: "1"}
paths:
  /pets/{petId}/toys/{toyId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: integer}}
    get:
      responses: {"200": {description: ok}}
  /owners/{ownerId}:
    get:
      parameters:
        - $ref: "#/components/parameters/OwnerId"
      responses: {"200": {description: ok}}
components:
  parameters:
    OwnerId: {name: ownerId, in: path, required: true, schema: {type: string}}
"""


def built_parts(spec: ApiSpec) -> set[tuple[str, str]]:
    return {(op.name, part) for op in spec.operations for part in PARTS if op.built(part)}


def eager_parts(spec: ApiSpec, op: Operation) -> dict[str, Any]:
    """What the document says of ``op``, read directly: the reference a deferred part is
    held to."""
    doc = spec.document
    item = deref(doc, doc["paths"][op.path])
    raw = item[op.method.lower()]
    declared = [deref(doc, p) for p in [*item.get("parameters", []), *raw.get("parameters", [])]]
    merged = {(p["name"], p["in"]): p for p in declared}
    responses = deref(doc, raw.get("responses")) or {}
    return {
        "parameters": [(p["name"], p["in"], _schema(p)) for p in merged.values()],
        "request_body": deref(doc, raw.get("requestBody")),
        "responses": {code: deref(doc, r) for code, r in responses.items()},
    }


def _schema(param: dict[str, Any]) -> Any:
    """A parameter's schema, or its one media type's (declared with ``content``)."""
    if "schema" in param:
        return param["schema"]
    return next(iter(param.get("content", {}).values()), {}).get("schema")


def as_read(op: Operation) -> dict[str, Any]:
    return {
        "parameters": [(p.name, p.location, p.schema) for p in op.parameters],
        "request_body": op.request_body,
        "responses": dict(op.responses),
    }


def test_documents_are_found() -> None:
    assert "petstore.yaml" in DOCUMENTS
    assert "multifile/api.yaml" in DOCUMENTS
    assert "swagger2/petstore.yaml" in DOCUMENTS


def test_a_loaded_operation_builds_nothing_until_a_part_is_read() -> None:
    spec = load_spec(SPECS / "petstore.yaml")
    assert built_parts(spec) == set()
    op = next(op for op in spec.operations if op.name == "GET /pets/{petId}")
    assert [p.name for p in op.params_in("path")] == ["petId"]
    assert built_parts(spec) == {("GET /pets/{petId}", "parameters")}
    assert op.success_status() == "200"
    assert built_parts(spec) == {("GET /pets/{petId}", "parameters"), (op.name, "responses")}


def test_mounting_builds_no_operation_and_a_request_builds_only_its_own() -> None:
    spec = load_spec(SPECS / "petstore.yaml")
    engine = Engine(seed=1)
    engine.mount(spec, "pets")
    assert built_parts(spec) == set()
    response = engine.handle("pets", MockRequest(method="GET", path="/pets/1"))
    assert response.status == 200
    assert {name for name, _ in built_parts(spec)} == {"GET /pets/{petId}"}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_deferred_part_is_what_the_document_declares(document: str) -> None:
    spec = load_spec(SPECS / document)
    assert spec.operations
    for op in reversed(spec.operations):  # built out of order: each reads its own object
        assert as_read(op) == eager_parts(spec, op), op.name


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_spec_read_from_the_cache_builds_the_same_parts(document: str, tmp_path: Path) -> None:
    compiled = load_spec(SPECS / document, cache_dir=tmp_path)
    cached = load_spec(SPECS / document, cache_dir=tmp_path)
    assert cached.json_clean
    assert [as_read(op) for op in cached.operations] == [
        as_read(op) for op in compiled.operations
    ]
    assert [repr(op) for op in cached.operations] == [repr(op) for op in compiled.operations]


def test_threads_reading_a_part_first_at_once_get_one_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = load_spec(SPECS / "petstore.yaml")
    op = spec.operations[0]
    build = loader._Parts.build

    def slow(parts: loader._Parts, op: Operation, part: str) -> Any:
        time.sleep(0.02)  # every thread has missed by now: only the lock keeps one
        return build(parts, op, part)

    monkeypatch.setattr(loader._Parts, "build", slow)
    start = threading.Barrier(8)
    seen: list[object] = []

    def read() -> None:
        start.wait()
        seen.append(op.parameters)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(found is seen[0] for found in seen)


def test_a_deferred_operation_is_replaced_compared_and_pickled_whole() -> None:
    spec = load_spec(SPECS / "petstore.yaml")
    op = next(op for op in spec.operations if op.name == "POST /pets")
    assert op == Operation(method="POST", path="/pets", operation_id=op.operation_id,
                           summary=op.summary)
    assert built_parts(spec) == set()  # equality and hashing read no deferred part
    assert hash(op) == hash(dataclasses.replace(op))
    moved = dataclasses.replace(op, path="/dogs")
    assert moved.name == "POST /dogs"
    assert as_read(moved) == as_read(op)
    copy = pickle.loads(pickle.dumps(spec.operations[0]))
    assert copy == spec.operations[0]
    assert as_read(copy) == as_read(spec.operations[0])
    assert "parameters=(Parameter(" in repr(spec.operations[0])


class _Parts:
    """A parts builder that says which part it was asked for."""

    lock = threading.Lock()

    def build(self, op: Operation, part: str) -> Any:
        return {"parameters": (), "request_body": None, "responses": {"200": part}}[part]


def test_a_deferred_operation_holds_every_other_field_as_one_made_directly() -> None:
    given: dict[str, Any] = {
        "method": "PUT", "path": "/pets/{id}", "operation_id": "put", "summary": "s",
        "deprecated": True, "pointer": "/paths/~1pets~1{id}/put", "tags": ("pets",),
        "security": ({"key": []},),
    }  # fmt: skip
    made = Operation.deferred(_Parts(), **given)
    direct = Operation(**given)
    eager = [f.name for f in dataclasses.fields(Operation) if f.name not in PARTS]
    assert [getattr(made, name) for name in eager if name != "_parts"] == [
        getattr(direct, name) for name in eager if name != "_parts"
    ]
    assert made.name == "PUT /pets/{id}"
    assert not any(made.built(part) for part in PARTS)
    assert made.responses == {"200": "responses"}
    assert made.success_status() == "200"
    least = Operation.deferred(_Parts(), method="GET", path="/")
    assert (least.operation_id, least.summary, least.tags, least.security) == (None, "", (), None)
    with pytest.raises(TypeError, match="needs 'path'"):
        Operation.deferred(_Parts(), method="GET")
    with pytest.raises(TypeError, match="no field 'colour'"):
        Operation.deferred(_Parts(), method="GET", path="/", colour="red")


def test_an_operation_made_directly_has_every_part_at_once() -> None:
    op = Operation(method="GET", path="/pets", responses={"200": {}})
    assert all(op.built(part) for part in PARTS)
    assert op.parameters == ()
    with pytest.raises(AttributeError):
        op.not_a_field  # type: ignore[attr-defined]  # noqa: B018


def test_undeclared_path_parameters_warn_alike_compiled_and_from_the_cache(
    tmp_path: Path,
) -> None:
    compiled = load_text(UNDECLARED, cache_dir=tmp_path)
    cached = load_text(UNDECLARED, cache_dir=tmp_path)
    assert cached.json_clean
    assert [str(w) for w in cached.warnings] == [str(w) for w in compiled.warnings]
    assert [(w.pointer, w.message) for w in compiled.warnings] == [
        (
            "/paths/~1pets~1{petId}~1toys~1{toyId}/get",
            "path parameter 'toyId' is not declared; it is served as a string",
        )
    ]
    assert built_parts(cached) == set()


def test_only_declared_methods_are_operations() -> None:
    spec = load_spec(SPECS / "petstore.yaml")
    for op in spec.operations:
        assert op.method.lower() in HTTP_METHODS
