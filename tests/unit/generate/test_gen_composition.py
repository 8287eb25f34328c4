"""allOf/oneOf/anyOf/not, discriminators, readOnly/writeOnly by direction, recursion."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.generate.tuning import MAX_DEPTH

Validity = Callable[..., bool]
Sampler = Callable[..., list[Any]]


def test_all_of_merges_every_branch(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}},
            {"properties": {"a": {"minimum": 10, "maximum": 12}}},
        ]
    }
    values = sample(gen30, schema)
    assert all(10 <= v["a"] <= 12 and isinstance(v["b"], str) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_all_of_with_a_closed_branch(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "allOf": [
            {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                "additionalProperties": False,
            },
            {"properties": {"b": {"maxLength": 2}, "c": {"type": "string"}}},
        ]
    }
    values = sample(gen31, schema)
    assert all("c" not in v for v in values)
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_ref_with_siblings(gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    schema = {"$ref": "#/components/schemas/Node", "required": ["value", "children", "note"]}
    values = sample(gen31, schema, 5)
    assert all("note" in v for v in values)
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_one_of_matches_exactly_one_branch(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0.5, "maximum": 9}]}
    values = sample(gen30, schema, 40)
    assert any(isinstance(v, int) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_one_of_overlapping_objects(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "oneOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}},
        ]
    }
    values = sample(gen31, schema, 30)
    assert any("a" in v for v in values)
    assert any("b" in v for v in values)
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_any_of_uses_several_branches(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "boolean"}]}
    values = sample(gen31, schema, 30)
    assert {type(v) for v in values} == {str, bool}
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_discriminator_with_mapping(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {
            "propertyName": "petType",
            "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
        },
    }
    values = sample(gen30, schema, 30)
    assert {v["petType"] for v in values} == {"cat", "dog"}
    assert all("bark" in v for v in values if v["petType"] == "dog")
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_discriminator_implicit_names(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "anyOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "petType"},
    }
    values = sample(gen31, schema, 30)
    assert {v["petType"] for v in values} == {"Cat", "Dog"}
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_variant_names_itself_through_its_parent(gen30: SchemaGenerator, sample: Sampler) -> None:
    values = sample(gen30, {"$ref": "#/components/schemas/Dog"}, 10)
    assert {v["petType"] for v in values} == {"Dog"}


def test_not(gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    for schema in (
        {"not": {"type": "string"}},
        {"type": "integer", "minimum": 1, "maximum": 4, "not": {"enum": [2, 3]}},
        {"type": "string", "not": {"pattern": "^a"}, "pattern": "^[ab]$"},
    ):
        assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))


def test_read_only_and_write_only_by_direction_30(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"$ref": "#/components/schemas/Account"}
    for value in sample(gen30, schema, 30, "response"):
        assert {"id", "login", "created"} <= set(value)
        assert "password" not in value
        assert "note" not in value
        assert gen30.is_valid(schema, value)
    for value in sample(gen30, schema, 30, "request"):
        assert {"login", "password"} <= set(value)
        assert "id" not in value
        assert "created" not in value
        assert gen30.is_valid(schema, value, direction="request")
    inline = {
        "type": "object",
        "required": ["id", "pw"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "pw": {"type": "string", "writeOnly": True},
        },
    }
    assert all(oas_valid(gen30, inline, v, "response") for v in sample(gen30, inline))
    assert all(oas_valid(gen30, inline, v, "request") for v in sample(gen30, inline, 20, "request"))


def test_read_only_and_write_only_by_direction_31(gen31: SchemaGenerator, sample: Sampler) -> None:
    schema = {"$ref": "#/components/schemas/Account"}
    responses = sample(gen31, schema, 30, "response")
    requests = sample(gen31, schema, 30, "request")
    assert all("password" not in v and "note" not in v and "id" in v for v in responses)
    assert all("id" not in v and "created" not in v and "password" in v for v in requests)
    assert gen31.is_valid(schema, responses[0])
    assert not gen31.is_valid(schema, requests[0])
    assert gen31.is_valid(schema, requests[0], direction="request")


def _depth(value: Any) -> int:
    """How deeply ``value`` nests containers."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def test_recursion_is_bounded(gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    schema = {"$ref": "#/components/schemas/Node"}
    values = sample(gen30, schema, 10)
    assert all(_depth(v) <= 2 * (MAX_DEPTH + 2) for v in values)
    assert max(_depth(v) for v in values) > 4
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_recursion_through_nullable_31_ends_in_null() -> None:
    doc = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {
                "Link": {
                    "type": "object",
                    "required": ["next"],
                    "properties": {
                        "next": {"anyOf": [{"$ref": "#/components/schemas/Link"}, {"type": "null"}]}
                    },
                }
            }
        },
    }
    gen = SchemaGenerator(doc, "3.1")
    value = gen.generate({"$ref": "#/components/schemas/Link"}, random.Random(1))
    depth = 0
    while value is not None:
        value, depth = value["next"], depth + 1
    assert depth <= MAX_DEPTH + 2


def test_an_optional_property_no_value_satisfies_is_left_out(
    gen30: SchemaGenerator, oas_valid: Validity
) -> None:
    """A oneOf of identical branches (readme's complex-nesting) has no valid value; where
    it is optional, the answer leaves it out instead of serving an invalid one."""
    flat = {"type": "object", "properties": {"s": {"type": "string"}}}
    schema = {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "meta": {"oneOf": [flat, flat, flat]},
                "extra": {"type": "object", "additionalProperties": {"oneOf": [flat, flat]}},
            },
        },
    }
    for seed in range(5):
        value = gen30.generate(schema, random.Random(seed))
        assert oas_valid(gen30, schema, value)
        assert all("meta" not in item and not item.get("extra") for item in value)
        assert all(isinstance(item["name"], str) for item in value)
