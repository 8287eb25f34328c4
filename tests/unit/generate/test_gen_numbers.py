"""Numeric bounds in both spellings, multipleOf, and the numeric formats."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pytest_mockamocha.generate import SchemaGenerator

Validity = Callable[..., bool]
Sampler = Callable[..., list[Any]]


@pytest.mark.parametrize(
    ("schema", "allowed"),
    [
        ({"type": "integer", "minimum": 3, "maximum": 5}, {3, 4, 5}),
        ({"type": "integer", "minimum": 3, "maximum": 5, "exclusiveMinimum": True}, {4, 5}),
        ({"type": "integer", "minimum": 3, "maximum": 5, "exclusiveMaximum": True}, {3, 4}),
        (
            {
                "type": "integer",
                "minimum": 3,
                "maximum": 5,
                "exclusiveMinimum": True,
                "exclusiveMaximum": True,
            },
            {4},
        ),
        ({"type": "integer", "minimum": 2.5, "maximum": 4.5}, {3, 4}),
    ],
)
def test_integer_bounds_30(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler, schema: Any, allowed: set[int]
) -> None:
    values = sample(gen30, schema, 40)
    assert set(values) == allowed
    assert all(oas_valid(gen30, schema, v) for v in values)


@pytest.mark.parametrize(
    ("schema", "allowed"),
    [
        ({"type": "integer", "exclusiveMinimum": 3, "maximum": 5}, {4, 5}),
        ({"type": "integer", "minimum": 3, "exclusiveMaximum": 5}, {3, 4}),
        ({"type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 5}, {4}),
        ({"type": "integer", "minimum": 4, "exclusiveMinimum": 3, "maximum": 4}, {4}),
    ],
)
def test_integer_bounds_31(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler, schema: Any, allowed: set[int]
) -> None:
    values = sample(gen31, schema, 40)
    assert set(values) == allowed
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_number_exclusive_bounds(
    gen30: SchemaGenerator, gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    cases = [
        (
            gen30,
            {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "exclusiveMinimum": True,
                "exclusiveMaximum": True,
            },
        ),
        (gen31, {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}),
        (gen31, {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1e-9}),
    ]
    for gen, schema in cases:
        for value in sample(gen, schema, 30):
            assert 0 < value < 1
            assert oas_valid(gen, schema, value)


def test_one_sided_and_unbounded_numbers(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    for schema in (
        {"type": "integer", "minimum": 10**12},
        {"type": "integer", "maximum": -(10**12)},
        {"type": "number", "minimum": -5.5},
        {"type": "number", "maximum": -5.5},
        {"type": "number"},
    ):
        assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "multipleOf": 7},
        {"type": "integer", "multipleOf": 7, "minimum": -20, "maximum": 20},
        {"type": "integer", "multipleOf": 0.5},
        {"type": "integer", "multipleOf": 2.5, "minimum": 1, "maximum": 30},
        {"type": "number", "multipleOf": 0.01},
        {"type": "number", "multipleOf": 0.1, "minimum": 0, "maximum": 1},
        {"type": "number", "multipleOf": 0.25, "minimum": -3, "maximum": 3},
        {"allOf": [{"type": "integer", "multipleOf": 4}, {"multipleOf": 6}]},
    ],
)
def test_multiple_of(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler, schema: Any
) -> None:
    values = sample(gen30, schema)
    assert all(oas_valid(gen30, schema, v) for v in values)
    assert len({repr(v) for v in values}) > 1


def test_integer_formats_stay_in_range(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    for fmt, high in (("int32", 2**31 - 1), ("int64", 2**63 - 1)):
        schema = {"type": "integer", "format": fmt, "minimum": high - 3}
        values = sample(gen30, schema)
        assert all(high - 3 <= v <= high for v in values)
        assert all(oas_valid(gen30, schema, v) for v in values)


def test_float_and_double_formats(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    for fmt in ("float", "double"):
        schema = {"type": "number", "format": fmt}
        assert all(oas_valid(gen30, schema, v) for v in sample(gen30, schema))


def test_plausible_ranges_from_property_names(gen30: SchemaGenerator, sample: Sampler) -> None:
    schema = {
        "type": "object",
        "required": ["age", "year"],
        "properties": {"age": {"type": "integer"}, "year": {"type": "integer"}},
    }
    for value in sample(gen30, schema):
        assert 1 <= value["age"] <= 99
        assert 1990 <= value["year"] <= 2030
