"""Generated discriminator values are the mapping's keys, whether the mapping names a
schema by ``$ref`` or, as OpenAPI allows, by its bare name."""

from __future__ import annotations

import random

import pytest

from pytest_mockamocha.generate import SchemaGenerator

BRANCHES = {
    "Dog": {
        "type": "object",
        "required": ["kind", "bark"],
        "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}},
    },
    "Cat": {
        "type": "object",
        "required": ["kind", "meow"],
        "properties": {"kind": {"type": "string"}, "meow": {"type": "boolean"}},
    },
}


@pytest.mark.parametrize(
    "mapping",
    [
        {"dog": "Dog", "cat": "Cat"},
        {"dog": "#/components/schemas/Dog", "cat": "Cat"},
    ],
    ids=["bare-names", "mixed"],
)
def test_the_discriminator_value_is_a_mapping_key(mapping: dict[str, str]) -> None:
    pet = {
        "oneOf": [{"$ref": "#/components/schemas/Dog"}, {"$ref": "#/components/schemas/Cat"}],
        "discriminator": {"propertyName": "kind", "mapping": mapping},
    }
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Pet": pet, **BRANCHES}},
    }
    generator = SchemaGenerator(doc, "3.0.3")
    values = [
        generator.generate({"$ref": "#/components/schemas/Pet"}, random.Random(seed))
        for seed in range(30)
    ]
    assert {v["kind"] for v in values} == {"dog", "cat"}
    for value in values:
        assert ("bark" in value) == (value["kind"] == "dog")
