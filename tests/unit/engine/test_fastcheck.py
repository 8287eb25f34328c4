"""The compiled fast path agrees with openapi-core, and steps aside when it should."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine.validate.fastcheck import FastRequestCheck, _quick_check
from pytest_mockamocha.engine.validate.violations import ContractValidator
from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.spec.loader import load_text

SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 10}}
        - {name: flag, in: query, schema: {type: boolean}}
        - {name: tags, in: query, schema: {type: array, items: {type: string, enum: [a, b]}}}
        - {name: X-Trace, in: header, required: true, schema: {type: string, minLength: 3}}
        - {name: size, in: query, schema: {type: number, exclusiveMinimum: true, minimum: 0}}
      responses: {"200": {description: ok}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, minLength: 1}
                qty: {type: integer, minimum: 1}
      responses: {"201": {description: ok}}
  /search:
    get:
      parameters:
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema: {type: object, properties: {q: {type: string}}}
      responses: {"200": {description: ok}}
"""


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_text(SPEC, slug="t")


@pytest.fixture(scope="module")
def validators(spec):  # type: ignore[no-untyped-def]
    generator = SchemaGenerator(spec.document, spec.version)
    fast = FastRequestCheck(spec.document, lambda: generator)
    return ContractValidator(spec, fast=fast), ContractValidator(spec)


def _ops(spec):  # type: ignore[no-untyped-def]
    return {op.name: op for op in spec.operations}


CASES = [
    ("GET /items/{id}", {"id": "3"}, [("limit", "5"), ("flag", "true")], {"X-Trace": "abc"}, b""),
    ("GET /items/{id}", {"id": "0"}, [], {"X-Trace": "abc"}, b""),
    ("GET /items/{id}", {"id": "x"}, [], {"X-Trace": "abc"}, b""),
    ("GET /items/{id}", {"id": "3"}, [("limit", "50")], {"X-Trace": "abc"}, b""),
    ("GET /items/{id}", {"id": "3"}, [("flag", "maybe")], {"X-Trace": "abc"}, b""),
    ("GET /items/{id}", {"id": "3"}, [("tags", "a"), ("tags", "c")], {"X-Trace": "abc"}, b""),
    ("GET /items/{id}", {"id": "3"}, [], {}, b""),
    ("GET /items/{id}", {"id": "3"}, [], {"X-Trace": "a"}, b""),
    ("GET /items/{id}", {"id": "3"}, [("size", "0")], {"X-Trace": "abc"}, b""),
    ("POST /items/{id}", {"id": "3"}, [], {"Content-Type": "application/json"}, b'{"name": "x"}'),
    ("POST /items/{id}", {"id": "3"}, [], {"Content-Type": "application/json"}, b'{"qty": 0}'),
    ("POST /items/{id}", {"id": "3"}, [], {"Content-Type": "application/json"}, b""),
    ("POST /items/{id}", {"id": "3"}, [], {"Content-Type": "application/json"}, b"{bad"),
    ("POST /items/{id}", {"id": "3"}, [], {"Content-Type": "text/plain"}, b"hi"),
]


@pytest.mark.parametrize(("name", "path", "query", "headers", "body"), CASES,
                         ids=[f"case{i}" for i in range(len(CASES))])
def test_fast_path_finds_the_same_violations_as_openapi_core(  # type: ignore[no-untyped-def]
    spec, validators, name, path, query, headers, body
) -> None:
    fast, slow = validators
    op = _ops(spec)[name]
    args = (op, op.method, path, MultiDict(query), Headers(headers), {}, body,
            headers.get("Content-Type", ""))
    got = {(v.location, v.name.split(".")[0]) for v in fast.request(*args)}
    want = {(v.location, v.name.split(".")[0]) for v in slow.request(*args)}
    assert got == want


def test_plans_are_compiled_for_plain_operations_only(spec) -> None:  # type: ignore[no-untyped-def]
    generator = SchemaGenerator(spec.document, spec.version)
    fast = FastRequestCheck(spec.document, lambda: generator)
    ops = _ops(spec)
    assert fast.plan_for(ops["GET /items/{id}"]) is not None
    assert fast.plan_for(ops["POST /items/{id}"]) is not None
    assert fast.plan_for(ops["GET /search"]) is None  # deepObject: openapi-core handles it


# -- the compiled "surely valid" test of plain parameter schemas ---------------------------

_NUMBERS = st.one_of(st.integers(-(1 << 40), 1 << 40), st.floats(-1e12, 1e12, allow_nan=False))
_PLAIN = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "number", "boolean"])},
    optional={
        "format": st.sampled_from(["int32", "int64", "float", "double"]),
        "enum": st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3), st.booleans()),
                         min_size=1, max_size=4),
        "minimum": _NUMBERS,
        "maximum": _NUMBERS,
        "exclusiveMinimum": st.one_of(st.booleans(), _NUMBERS),
        "exclusiveMaximum": st.one_of(st.booleans(), _NUMBERS),
        "minLength": st.integers(0, 4),
        "maxLength": st.integers(0, 4),
    },
)
_VALUES = st.one_of(
    st.integers(-(1 << 64), 1 << 64), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6), st.booleans(),
)
_GENERATORS = {v: SchemaGenerator({"openapi": "3.0.3" if v == "3.0" else "3.1.0",
                                   "info": {"title": "t", "version": "1"}}, v)
               for v in ("3.0", "3.1")}


@settings(max_examples=400, deadline=None, database=None)
@given(_PLAIN, _VALUES, st.sampled_from(["3.0", "3.1"]))
def test_the_quick_check_never_passes_what_jsonschema_refuses(
    schema: dict, value: object, version: str
) -> None:
    if version == "3.0" and any(
        not isinstance(schema.get(k, True), bool) for k in ("exclusiveMinimum", "exclusiveMaximum")
    ):
        schema = {k: v for k, v in schema.items() if not k.startswith("exclusive")}
    if version == "3.1" and any(
        isinstance(schema.get(k), bool) for k in ("exclusiveMinimum", "exclusiveMaximum")
    ):
        schema = {k: v for k, v in schema.items() if not k.startswith("exclusive")}
    quick = _quick_check(schema)
    assert quick is not None
    if quick(value):
        assert _GENERATORS[version].errors(schema, value, direction="request") == []


def test_the_quick_check_leaves_what_it_cannot_judge_to_jsonschema() -> None:
    assert _quick_check({"type": "string", "pattern": "^a"}) is None
    assert _quick_check({"type": "string", "format": "date-time"}) is None
    assert _quick_check({"type": "integer", "multipleOf": 2}) is None
    assert _quick_check({"oneOf": [{"type": "string"}]}) is None
    check = _quick_check({"type": "integer", "minimum": 1, "maximum": 5})
    assert check is not None
    assert (check(1), check(5), check(0), check(6), check(True), check("3")) == (
        True, True, False, False, False, False)
