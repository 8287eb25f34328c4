"""Types, null, enum/const, examples and the boolean and empty schemas."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from pytest_mockamocha.generate import GenerationError, SchemaGenerator

Validity = Callable[..., bool]
Sampler = Callable[..., list[Any]]

_PY_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


@pytest.mark.parametrize("kind", sorted(_PY_TYPES))
def test_each_type_gives_that_type(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler, kind: str
) -> None:
    schema = {"type": kind}
    for value in sample(gen30, schema):
        assert isinstance(value, _PY_TYPES[kind])
        assert not (kind in ("integer", "number") and isinstance(value, bool))
        assert oas_valid(gen30, schema, value)


def test_nullable_30_gives_null_sometimes_and_stays_valid(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"type": "string", "nullable": True}
    values = sample(gen30, schema, 80)
    assert None in values
    assert any(isinstance(v, str) for v in values)
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_type_array_31_with_null(
    gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {"type": ["integer", "string", "null"]}
    values = sample(gen31, schema, 80)
    assert {type(v) for v in values} == {int, str, type(None)}
    assert all(oas_valid(gen31, schema, v) for v in values)


def test_null_type_31(gen31: SchemaGenerator, sample: Sampler) -> None:
    assert sample(gen31, {"type": "null"}, 3) == [None, None, None]


def test_enum_picks_members(gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    schema = {"type": "string", "enum": ["red", "green", "blue"]}
    values = sample(gen30, schema, 40)
    assert set(values) == {"red", "green", "blue"}
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_enum_members_failing_other_keywords_are_skipped(
    gen30: SchemaGenerator, sample: Sampler
) -> None:
    schema = {"type": "string", "enum": ["a", "long enough", 3], "minLength": 2}
    assert set(sample(gen30, schema)) == {"long enough"}


def test_enum_with_null_and_nullable(gen30: SchemaGenerator, oas_valid: Validity) -> None:
    schema = {"type": "string", "nullable": True, "enum": ["x", None]}
    values = [gen30.generate(schema, random.Random(s)) for s in range(30)]
    assert set(values) == {"x", None}
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_const_31(gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler) -> None:
    schema = {"const": {"kind": "fixed", "n": [1, 2]}}
    values = sample(gen31, schema, 5)
    assert all(v == {"kind": "fixed", "n": [1, 2]} for v in values)
    values[0]["n"].append(3)  # callers get copies
    assert gen31.generate(schema, random.Random(0)) == {"kind": "fixed", "n": [1, 2]}
    assert all(oas_valid(gen31, schema, v) for v in sample(gen31, schema, 5))


def test_valid_example_and_default_are_used(gen30: SchemaGenerator, sample: Sampler) -> None:
    values = sample(gen30, {"type": "integer", "example": 424242, "default": 737373}, 60)
    assert 424242 in values
    assert 737373 in values


def test_invalid_example_and_default_are_ignored(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    schema = {
        "type": "string",
        "format": "date",
        "example": "not a date",
        "default": "2024-02-30",
    }
    values = sample(gen30, schema, 40)
    assert "not a date" not in values
    assert "2024-02-30" not in values
    assert all(oas_valid(gen30, schema, v) for v in values)


def test_examples_keyword_31(gen31: SchemaGenerator, sample: Sampler) -> None:
    values = sample(gen31, {"type": "string", "maxLength": 5, "examples": ["ok", "too long"]}, 60)
    assert "ok" in values
    assert "too long" not in values


def test_empty_schema_and_true_give_any_json(
    gen30: SchemaGenerator, gen31: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    for gen in (gen30, gen31):
        schemas: list[Any] = [{}, True]
        for schema in schemas:
            values = sample(gen, schema, 30)
            assert len({type(v) for v in values}) > 2
            assert all(oas_valid(gen, schema, v) for v in values)


def test_false_schema_raises(gen31: SchemaGenerator) -> None:
    with pytest.raises(GenerationError):
        gen31.generate(False, random.Random(0))


def test_untyped_schema_guesses_type_from_keywords(
    gen30: SchemaGenerator, oas_valid: Validity, sample: Sampler
) -> None:
    cases: list[tuple[Any, type | tuple[type, ...]]] = [
        ({"properties": {"a": {"type": "integer"}}, "required": ["a"]}, dict),
        ({"items": {"type": "string"}, "minItems": 1}, list),
        ({"minLength": 3}, str),
        ({"minimum": 3, "maximum": 4}, (int, float)),
    ]
    for schema, kind in cases:
        for value in sample(gen30, schema, 10):
            assert isinstance(value, kind)
            assert oas_valid(gen30, schema, value)
