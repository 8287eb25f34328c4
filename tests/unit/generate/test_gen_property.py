"""Property: for random satisfiable schemas, every generated value validates, deterministically.

The strategy builds small OpenAPI 3.0 or 3.1 schemas from leaves (numbers with bounds and
multipleOf, strings with lengths, patterns or formats, enums, consts, booleans, null) and
combinators (objects, arrays, allOf, oneOf over distinct types, anyOf, ``$ref`` to a
random leaf component), keeping each one satisfiable by construction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.generate.records import records

Validity = Callable[..., bool]
Schema = dict[str, Any]
NAMES = [
    "id", "name", "email", "count", "tags", "note", "createdAt", "x1", "price", "city",
    "firstName", "lastName", "username", "phone", "updatedAt", "countryCode", "postcode",
    "company", "currency", "title", "description", "website", "birthDate", "street",
]  # fmt: skip
EXAMPLES = ["ord_1A2b", "INV-2023-0001", "abc", "two words", "SKU:9", "Zoë_1"]
LOCALES = ["en_US", "de_DE", "fr_FR", "ja_JP"]
PATTERNS = [r"^[a-z]+$", r"^\d{3}-\d{2}$", r"^(red|green)-\w{2,4}$", r"[A-Z]{2}"]
FORMATS = ["date", "date-time", "email", "uuid", "uri", "ipv4", "ipv6", "byte", "hostname"]


def _nullable(version: str, schema: Schema) -> Schema:
    """``schema`` also admitting null, in the version's spelling."""
    if version == "3.1":
        return {**schema, "type": [schema["type"], "null"]}
    return {**schema, "nullable": True}


@st.composite
def integers(draw: st.DrawFn, version: str) -> Schema:
    """An integer schema whose range always holds a multiple of its multipleOf."""
    step = draw(st.sampled_from([None, 1, 2, 3, 5, 10]))
    schema: Schema = {"type": "integer"}
    if step:
        schema["multipleOf"] = step
    base = draw(st.integers(-1000, 1000))
    width = draw(st.integers(3, 300)) * (step or 1)
    for key, value in (("minimum", base), ("maximum", base + width)):
        if draw(st.booleans()):
            if draw(st.booleans()):
                schema[key] = value
            elif version == "3.1":
                schema["exclusiveM" + key[1:]] = value
            else:
                schema[key], schema["exclusiveM" + key[1:]] = value, True
    return schema


@st.composite
def numbers(draw: st.DrawFn, version: str) -> Schema:
    """A number schema with float bounds wide enough for its multipleOf."""
    schema: Schema = {"type": "number"}
    step = draw(st.sampled_from([None, 0.5, 0.25, 0.1, 2.5]))
    if step:
        schema["multipleOf"] = step
    base = draw(st.floats(-1000, 1000, allow_nan=False))
    schema["minimum"] = base
    if draw(st.booleans()):
        schema["maximum"] = base + draw(st.floats(12, 1000))
    if draw(st.booleans()):
        if version == "3.1":
            schema["exclusiveMinimum"] = schema.pop("minimum")
        else:
            schema["exclusiveMinimum"] = True
    return schema


@st.composite
def strings(draw: st.DrawFn) -> Schema:
    """A string schema with lengths, a pattern or a format (one of them)."""
    kind = draw(st.sampled_from(["lengths", "pattern", "format", "plain", "example"]))
    if kind == "example":
        schema: Schema = {"type": "string", "example": draw(st.sampled_from(EXAMPLES))}
        if draw(st.booleans()):
            schema["maxLength"] = draw(st.integers(2, 12))
        return schema
    if kind == "pattern":
        return {"type": "string", "pattern": draw(st.sampled_from(PATTERNS))}
    if kind == "format":
        return {"type": "string", "format": draw(st.sampled_from(FORMATS))}
    if kind == "plain":
        return {"type": "string"}
    low = draw(st.integers(0, 8))
    return {"type": "string", "minLength": low, "maxLength": low + draw(st.integers(0, 12))}


SCALARS = st.one_of(st.integers(-5, 5), st.text(max_size=3), st.booleans(), st.none())


def leaves(version: str) -> st.SearchStrategy[Schema]:
    """Schemas with no sub-schema."""
    options = [
        integers(version),
        numbers(version),
        strings(),
        st.just({"type": "boolean"}),
        st.lists(SCALARS, min_size=1, max_size=4).map(lambda v: {"enum": v}),
    ]
    if version == "3.1":
        options += [st.just({"type": "null"}), SCALARS.map(lambda v: {"const": v})]
    typed = st.one_of(integers(version), strings(), st.just({"type": "boolean"}))
    options.append(typed.map(lambda s: _nullable(version, s)))
    return st.one_of(options)


@st.composite
def objects(draw: st.DrawFn, children: st.SearchStrategy[Schema]) -> Schema:
    """An object schema; closed objects never need more keys than they declare."""
    names = draw(st.lists(st.sampled_from(NAMES), max_size=4, unique=True))
    props = {n: draw(children) for n in names}
    required = [n for n in names if draw(st.booleans())]
    schema: Schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from(["absent", "true", "false", "schema"]))
    if extra == "false":
        schema["additionalProperties"] = False
    elif extra == "true":
        schema["additionalProperties"] = True
    elif extra == "schema":
        schema["additionalProperties"] = draw(children)
    ceiling = len(names) if extra == "false" else len(names) + 2
    if draw(st.booleans()):
        schema["minProperties"] = draw(st.integers(0, ceiling))
    if draw(st.booleans()):
        floor = max(len(required), schema.get("minProperties", 0))
        schema["maxProperties"] = floor + draw(st.integers(0, 2))
    return schema


@st.composite
def arrays(draw: st.DrawFn, children: st.SearchStrategy[Schema]) -> Schema:
    """An array schema; unique arrays get items with many distinct values."""
    low = draw(st.integers(0, 3))
    schema: Schema = {"type": "array", "minItems": low}
    if draw(st.booleans()):
        schema["maxItems"] = low + draw(st.integers(0, 4))
    if draw(st.booleans()):
        schema["uniqueItems"] = True
        schema["items"] = draw(
            st.sampled_from([{"type": "integer"}, {"type": "string", "minLength": 2}])
        )
    else:
        schema["items"] = draw(children)
    return schema


def _distinct_types(version: str) -> st.SearchStrategy[list[Schema]]:
    """Branches of pairwise different types, so a value matches exactly one."""
    pool = [
        integers(version),
        strings(),
        st.just({"type": "boolean"}),
        st.just(
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
        ),
        st.just({"type": "array", "items": {"type": "integer"}}),
    ]
    return (
        st.lists(st.sampled_from(range(len(pool))), min_size=2, max_size=3, unique=True)
        .flatmap(lambda picks: st.tuples(*(pool[i] for i in picks)))
        .map(list)
    )


def schemas(version: str) -> st.SearchStrategy[Schema]:
    """Random small satisfiable schemas of one version."""

    def extend(children: st.SearchStrategy[Schema]) -> st.SearchStrategy[Schema]:
        disjoint = st.tuples(objects(children), objects(children)).filter(
            lambda pair: (
                not set(pair[0]["properties"]) & set(pair[1]["properties"])
                and "additionalProperties" not in pair[0]
                and "additionalProperties" not in pair[1]
                and "maxProperties" not in pair[0]
                and "maxProperties" not in pair[1]
            )
        )
        return st.one_of(
            objects(children),
            arrays(children),
            disjoint.map(lambda pair: {"allOf": list(pair)}),
            _distinct_types(version).map(lambda b: {"oneOf": b}),
            st.lists(children, min_size=1, max_size=3).map(lambda b: {"anyOf": b}),
            st.just({"$ref": "#/components/schemas/Shared"}),
        )

    return st.recursive(leaves(version), extend, max_leaves=8)


CASES = st.sampled_from(["3.0", "3.1"]).flatmap(
    lambda v: st.tuples(
        st.just(v), leaves(v), schemas(v), st.integers(0, 2**32), st.sampled_from(LOCALES)
    )
)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(CASES)
def test_every_generated_value_validates(
    oas_valid: Validity, case: tuple[str, Schema, Schema, int, str]
) -> None:
    version, shared, schema, seed, locale = case
    document = {
        "openapi": "3.1.0" if version == "3.1" else "3.0.3",
        "components": {"schemas": {"Shared": shared}},
    }
    gen = SchemaGenerator(document, version, locale=locale)
    value = gen.generate(schema, random.Random(seed))
    assert oas_valid(gen, schema, value), (schema, value)
    again = SchemaGenerator(document, version, locale=locale).generate(schema, random.Random(seed))
    assert again == value
    request = gen.generate(schema, random.Random(seed), direction="request")
    assert oas_valid(gen, schema, request, "request"), (schema, request)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(CASES)
def test_data_sets_validate_and_repeat_with_their_seed(
    oas_valid: Validity, case: tuple[str, Schema, Schema, int, str]
) -> None:
    version, shared, schema, seed, locale = case
    document = {
        "openapi": "3.1.0" if version == "3.1" else "3.0.3",
        "components": {"schemas": {"Shared": shared}},
    }
    gen = SchemaGenerator(document, version, locale=locale)
    made = records(gen, schema, 5, seed)
    assert all(oas_valid(gen, schema, record) for record in made), (schema, made)
    fresh = SchemaGenerator(document, version, locale=locale)
    assert records(fresh, schema, 5, seed) == made
    assert records(fresh, schema, 3, seed) == made[:3]
