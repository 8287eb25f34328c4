"""The hypothesis-jsonschema fallback: schemas the fast path cannot satisfy still get values.

Each schema below defeats the fast builder (checked: ``fallback_stats`` counts the values
the fallback supplied), every value is checked by the independent validator, the same
seed gives the same value in this process and in a fresh one, it works inside a running
``@given`` test, and a schema nothing satisfies still raises ``GenerationError``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mockamocha.generate import GenerationError, SchemaGenerator
from pytest_mockamocha.generate.convert import FORMAT_PREFIX, Converter
from pytest_mockamocha.generate.fallback import OWN_FORMATS
from pytest_mockamocha.generate.refs import Refs

Validity = Callable[..., bool]

IF_THEN_ELSE: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "n"],
    "properties": {"kind": {"enum": ["x", "y"]}, "n": {"type": "integer"}},
    "if": {"properties": {"kind": {"const": "x"}}},
    "then": {"properties": {"n": {"minimum": 100, "maximum": 101}}},
    "else": {"properties": {"n": {"minimum": -101, "maximum": -100}}},
}
PROPERTY_NAMES: dict[str, Any] = {
    "type": "object",
    "propertyNames": {"pattern": "^x_[0-9]+$"},
    "minProperties": 2,
}
MIN_CONTAINS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0, "maximum": 9},
    "contains": {"const": 7},
    "minContains": 3,
}
COMPONENTS: dict[str, Any] = {
    "Tree": {
        "type": "object",
        "required": ["label"],
        "properties": {
            "label": {"type": "string", "maxLength": 8},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
        },
    },
    "Ticket": {
        "type": "object",
        "required": ["id", "secret", "kind", "n", "when"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "secret": {"type": "string", "writeOnly": True, "minLength": 4},
            "kind": {"enum": ["x", "y"]},
            "n": {"type": "integer"},
            "when": {"type": "string", "format": "date-time"},
            "tree": {"$ref": "#/components/schemas/Tree"},
        },
        "if": {"properties": {"kind": {"const": "x"}}},
        "then": {"properties": {"n": {"minimum": 100, "maximum": 101}}},
        "else": {"properties": {"n": {"minimum": -101, "maximum": -100}}},
    },
}


def _document(version: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0" if version == "3.1" else "3.0.3",
        "info": {"title": "fallback", "version": "1"},
        "paths": {},
        "components": {"schemas": dict(COMPONENTS)},
    }


@pytest.fixture
def gen() -> SchemaGenerator:
    return SchemaGenerator(_document("3.1"), "3.1")


@pytest.mark.parametrize(
    "schema",
    [IF_THEN_ELSE, PROPERTY_NAMES, MIN_CONTAINS],
    ids=["if-then-else", "propertyNames", "minContains"],
)
def test_the_fallback_satisfies_what_the_fast_path_cannot(
    gen: SchemaGenerator, oas_valid: Validity, schema: dict[str, Any]
) -> None:
    values = [gen.generate(schema, random.Random(seed)) for seed in range(10)]
    assert all(oas_valid(gen, schema, v) for v in values)
    assert gen.fallback_stats["used"] >= 5  # the fast path failed on those seeds
    assert values == [gen.generate(schema, random.Random(seed)) for seed in range(10)]


def test_refs_recursion_and_directions(gen: SchemaGenerator) -> None:
    schema = {"$ref": "#/components/schemas/Ticket"}
    for seed in range(5):
        response = gen.generate(schema, random.Random(seed))
        request = gen.generate(schema, random.Random(seed), direction="request")
        assert gen.is_valid(schema, response)  # writeOnly 'secret' is required yet absent
        assert gen.is_valid(schema, request, direction="request")
        assert "id" in response
        assert "secret" not in response
        assert "id" not in request
        assert len(request["secret"]) >= 4
    assert gen.fallback_stats["used"] >= 10


def test_unused_on_the_common_path(gen: SchemaGenerator) -> None:
    gen.generate({"$ref": "#/components/schemas/Tree"}, random.Random(1))
    assert gen.fallback_stats == {"used": 0, "failed": 0}


def test_the_same_value_in_a_fresh_process(gen: SchemaGenerator) -> None:
    """Another process loads other modules: hypothesis's module constants must not leak in."""
    here = [gen.generate(PROPERTY_NAMES, random.Random(seed)) for seed in range(4)]
    code = (
        "import json, random; from pytest_mockamocha.generate import SchemaGenerator; "
        "doc = {'openapi': '3.1.0', 'paths': {}, 'components': {'schemas': {}}}; "
        f"schema = {PROPERTY_NAMES!r}; g = SchemaGenerator(doc, '3.1'); "
        "print(json.dumps([g.generate(schema, random.Random(s)) for s in range(4)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == here


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_works_inside_a_running_given_test(seed: int) -> None:
    gen = SchemaGenerator(_document("3.1"), "3.1")
    value = gen.generate(IF_THEN_ELSE, random.Random(seed))
    assert gen.is_valid(IF_THEN_ELSE, value)
    assert value == gen.generate(IF_THEN_ELSE, random.Random(seed))


@pytest.mark.parametrize(
    ("schema", "pointer"),
    [
        ({"type": "string", "format": "uuid", "pattern": "^[a-z]+$"}, "#/format"),
        ({**IF_THEN_ELSE, "then": {"properties": {"n": {"minimum": 5, "maximum": 4}}},
          "else": False}, "#"),
    ],
)  # fmt: skip
def test_unsatisfiable_still_raises_with_the_pointer(
    gen: SchemaGenerator, schema: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(GenerationError) as caught:
        gen.generate(schema, random.Random(0))
    assert caught.value.pointer.startswith(pointer)
    assert gen.fallback_stats["failed"] == 1


def _convert(version: str, schema: Any, direction: str = "response", tidy: bool = False) -> Any:
    refs = Refs(_document(version))
    return Converter(refs, version, direction, OWN_FORMATS, tidy=tidy).convert(schema)


def test_conversion_of_openapi_30() -> None:
    schema = {
        "type": "object",
        "required": ["a", "b", "c"],
        "example": {"a": 1},
        "x-extra": True,
        "properties": {
            "a": {"type": "integer", "nullable": True, "minimum": 0, "exclusiveMinimum": True},
            "b": {"type": "string", "readOnly": True, "format": "uuid"},
            "c": {"type": "string", "writeOnly": True},
            "d": {"type": "integer", "format": "int32"},
            "e": {"type": "number", "format": "double"},
        },
    }
    response = _convert("3.0", schema)
    assert response["required"] == ["a", "b"]
    assert response["properties"]["a"] == {"type": ["integer", "null"], "exclusiveMinimum": 0}
    assert response["properties"]["b"] == {"type": "string", "format": FORMAT_PREFIX + "uuid"}
    assert response["properties"]["c"] is False
    assert response["properties"]["d"] == {
        "allOf": [{"minimum": -(2**31), "maximum": 2**31 - 1}, {"type": "integer"}]
    }
    assert response["properties"]["e"] == {"type": "number"}
    assert "example" not in response
    assert "x-extra" not in response
    request = _convert("3.0", schema, "request")
    assert request["required"] == ["a", "c"]
    assert request["properties"]["b"] is False


def test_conversion_of_openapi_31_keywords() -> None:
    schema = {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": ["integer", "null"]}],
        "items": False,
    }
    assert _convert("3.1", schema) == {
        "type": "array",
        "items": [{"type": "string"}, {"type": ["integer", "null"]}],
        "additionalItems": False,
    }
    deps = {"type": "object", "dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {}}}
    assert _convert("3.1", deps)["dependencies"] == {"a": ["b"], "c": {}}
    assert _convert("3.1", {"exclusiveMaximum": 3}) == {"exclusiveMaximum": 3}


def test_refs_are_inlined_and_recursion_is_cut() -> None:
    tree = _convert("3.1", {"$ref": "#/components/schemas/Tree"})
    level = tree
    for _ in range(2):
        level = level["properties"]["children"]["items"]
    assert level is False
    assert "$ref" not in json.dumps(tree)


def test_discriminated_unions_are_pinned_per_value() -> None:
    schema = {
        "oneOf": [{"$ref": "#/components/schemas/Tree"}, {"$ref": "#/components/schemas/Ticket"}],
        "discriminator": {"propertyName": "kind", "mapping": {"t": "#/components/schemas/Tree"}},
    }
    branches = _convert("3.1", schema)["anyOf"]
    pins = [b["allOf"][1]["properties"]["kind"]["const"] for b in branches]
    assert pins == ["t", "Tree", "Ticket"]


def test_tidy_conversion_closes_whole_objects_only() -> None:
    tidy = _convert("3.1", IF_THEN_ELSE, tidy=True)
    assert tidy["additionalProperties"] is False
    assert "additionalProperties" not in tidy["then"]
    merged = _convert("3.1", {"allOf": [{"properties": {"a": {}}}]}, tidy=True)
    assert "additionalProperties" not in merged
