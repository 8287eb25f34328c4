"""Fixtures for the value generator: documents, generators, and an independent validity check.

``oas_valid`` does not use the generator's own checker: it validates with the plain
``openapi_schema_validator`` classes (``OAS30ReadValidator``/``OAS30WriteValidator``/
``OAS31Validator``) and their format checkers (date, date-time, email, uuid, ipv4...), the
schema under test being placed inside a copy of the document registered in a
``referencing.Registry``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from pytest_mockamocha.generate import SchemaGenerator

UNDER_TEST = "__under_test__"
BASE = "urn:test:document"

PETS: dict[str, Any] = {
    "Pet": {
        "type": "object",
        "required": ["petType", "name"],
        "properties": {"petType": {"type": "string"}, "name": {"type": "string"}},
        "discriminator": {"propertyName": "petType"},
    },
    "Cat": {
        "allOf": [
            {"$ref": "#/components/schemas/Pet"},
            {"type": "object", "properties": {"indoor": {"type": "boolean"}}},
        ]
    },
    "Dog": {
        "allOf": [
            {"$ref": "#/components/schemas/Pet"},
            {
                "type": "object",
                "required": ["bark"],
                "properties": {"bark": {"type": "string", "enum": ["woof", "yap"]}},
            },
        ]
    },
    "Node": {
        "type": "object",
        "required": ["value", "children"],
        "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
    "Secret": {"type": "string", "writeOnly": True},
    "Stamp": {"type": "string", "format": "date-time", "readOnly": True},
    "Account": {
        "type": "object",
        "required": ["id", "login", "password", "created"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "login": {"type": "string"},
            "password": {"$ref": "#/components/schemas/Secret"},
            "created": {"$ref": "#/components/schemas/Stamp"},
            "note": {"type": "string", "writeOnly": True},
        },
    },
    "Odd name/with~chars": {"type": "integer", "minimum": 7, "maximum": 7},
    "With space": {"type": "string", "enum": ["spaced"]},
}


def document(version: str) -> dict[str, Any]:
    """A small document of the given version with the shared component schemas."""
    return {
        "openapi": "3.1.0" if version == "3.1" else "3.0.3",
        "info": {"title": "generator tests", "version": "1"},
        "paths": {},
        "components": {"schemas": dict(PETS)},
    }


@pytest.fixture
def gen30() -> SchemaGenerator:
    """A generator over the OpenAPI 3.0 test document."""
    return SchemaGenerator(document("3.0"), "3.0")


@pytest.fixture
def gen31() -> SchemaGenerator:
    """A generator over the OpenAPI 3.1 test document."""
    return SchemaGenerator(document("3.1"), "3.1")


def independent_valid(
    document: Mapping[str, Any], version: str, schema: Any, value: Any, direction: str
) -> bool:
    """Whether ``value`` satisfies ``schema`` per openapi_schema_validator alone."""
    if version == "3.1":
        cls: Any = OAS31Validator
    else:
        cls = OAS30ReadValidator if direction == "response" else OAS30WriteValidator
    components = dict(document.get("components") or {})
    components["schemas"] = {**(components.get("schemas") or {}), UNDER_TEST: schema}
    doc = {**document, "components": components}
    spec = DRAFT202012 if version == "3.1" else DRAFT4
    registry: Registry[Any] = Registry().with_resource(BASE, spec.create_resource(doc))
    root = {"$ref": f"{BASE}#/components/schemas/{UNDER_TEST}"}
    validator = cls(root, registry=registry, format_checker=cls.FORMAT_CHECKER)
    return bool(validator.is_valid(value))


Validity = Callable[..., bool]
Sampler = Callable[..., list[Any]]


@pytest.fixture(scope="session")
def oas_valid() -> Validity:
    """``oas_valid(gen, schema, value, direction="response")``: the independent verdict."""

    def check(gen: SchemaGenerator, schema: Any, value: Any, direction: str = "response") -> bool:
        return independent_valid(gen.document, gen.version, schema, value, direction)

    return check


@pytest.fixture(scope="session")
def sample() -> Sampler:
    """``sample(gen, schema, n=20, direction="response")``: values for seeds 0..n-1."""

    def draw(
        gen: SchemaGenerator, schema: Any, n: int = 20, direction: str = "response"
    ) -> list[Any]:
        return [gen.generate(schema, random.Random(seed), direction=direction) for seed in range(n)]

    return draw
