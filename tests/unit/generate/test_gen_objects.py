"""Objects (properties, required, extra keys, counts) and arrays (items, counts, uniqueness)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from pytest_mockamocha.generate import SchemaGenerator

Validity = Callable[..., bool]
Sampler = Callable[..., list[Any]]


def test_required_always_optional_sometimes(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
    }
    values = sample(gen30, schema, 40)
    assert all("a" in v for v in values)
    assert any("b" in v for v in values)
    assert any("b" not in v for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_required_without_property_schema(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"type": "object", "required": ["free"], "additionalProperties": {"type": "integer"}}
    values = sample(gen30, schema)
    assert all(isinstance(v["free"], int) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_additional_properties_false_adds_nothing(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "additionalProperties": False,
        "minProperties": 2,
    }
    values = sample(gen30, schema)
    assert all(set(v) == {"a", "b"} for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_additional_properties_schema_makes_a_map(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 5}}
    values = sample(gen30, schema)
    assert all(v and all(isinstance(x, int) and x >= 5 for x in v.values()) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_pattern_properties(gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    schema = {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "boolean"}},
        "additionalProperties": False,
        "minProperties": 2,
        "maxProperties": 3,
    }
    values = sample(gen31, schema)
    for value in values:
        assert 2 <= len(value) <= 3
        assert all(re.fullmatch("x-[a-z]+", k) for k in value)
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_properties_matching_a_pattern_satisfy_both(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "type": "object",
        "required": ["x_count"],
        "properties": {"x_count": {"type": "integer"}},
        "patternProperties": {"^x_": {"minimum": 100, "maximum": 200}},
    }
    assert all(oas_valid(gen31, schema, v) for v in sample(gen31, schema))


@pytest.mark.parametrize(("low", "high"), [(0, 0), (0, 1), (3, 3), (4, None), (None, 2)])
def test_min_and_max_properties(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler, low: int | None, high: int | None
) -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {n: {"type": "integer"} for n in "abcde"},
    }
    if low is not None:
        schema["minProperties"] = low
    if high is not None:
        schema["maxProperties"] = high
    values = sample(gen30, schema)
    assert all(oas_valid(gen30, schema, v) for v in values)


@pytest.mark.parametrize(
    ("low", "high", "lengths"),
    [(None, None, {1, 2, 3}), (0, 0, {0}), (5, None, {5}), (None, 1, {0, 1}), (2, 8, {2, 3})],
)
def test_array_lengths(
    gen30: SchemaGenerator,
    oas_valid: Validity,
    sample: Sampler,
    low: int | None,
    high: int | None,
    lengths: set[int],
) -> None:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "integer"}}
    if low is not None:
        schema["minItems"] = low
    if high is not None:
        schema["maxItems"] = high
    values = sample(gen30, schema, 40)
    assert {len(v) for v in values} <= lengths | {1}
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_unique_items(gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    for schema in (
        {"type": "array", "items": {"type": "boolean"}, "minItems": 2, "uniqueItems": True},
        {
            "type": "array",
            "items": {"enum": [1, 1.0, "1", True]},
            "minItems": 3,
            "uniqueItems": True,
        },
        {
            "type": "array",
            "items": {"type": "string", "maxLength": 1},
            "minItems": 5,
            "uniqueItems": True,
        },
    ):
        assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))


def test_prefix_items_31(gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    closed = {
        "type": "array",
        "prefixItems": [{"type": "string"}, {"type": "integer"}],
        "items": False,
    }
    for value in sample(gen31, closed):
        assert len(value) <= 2
        assert oas_valid(gen31, closed, value)
    rest = {
        "type": "array",
        "prefixItems": [{"type": "string"}],
        "items": {"type": "boolean"},
        "minItems": 4,
    }
    for value in sample(gen31, rest):
        assert isinstance(value[0], str)
        assert all(isinstance(x, bool) for x in value[1:])
        assert oas_valid(gen31, rest, value)


def test_contains_31(gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    schema = {
        "type": "array",
        "items": {"type": ["string", "integer"]},
        "contains": {"type": "integer", "minimum": 1000, "maximum": 1000},
    }
    values = sample(gen31, schema)
    assert all(1000 in v for v in values)
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_nested_object_and_array(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "type": "object",
        "required": ["owner", "pets"],
        "properties": {
            "owner": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "email": {"type": "string", "format": "email"},
                },
            },
            "pets": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Dog"}},
        },
    }
    values = sample(gen30, schema)
    assert all(v["pets"] and all(p["bark"] in ("woof", "yap") for p in v["pets"]) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_impossible_items_give_an_empty_array_and_impossible_options_are_left_out(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    impossible = {
        "allOf": [
            {"type": "object", "additionalProperties": False, "properties": {"a": {}}},
            {"type": "object", "required": ["b"]},
        ]
    }
    listing = {"type": "array", "items": impossible}
    assert sample(gen30, listing, 5) == [[]] * 5
    holder = {
        "type": "object",
        "required": ["ok"],
        "properties": {"ok": {"type": "boolean"}, "never": impossible},
    }
    values = sample(gen30, holder)
    assert all(set(v) == {"ok"} for v in values)
    assert all(oas_valid(gen30, holder, v) for v in values)
