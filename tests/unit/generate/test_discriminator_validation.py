"""The Checker honours OpenAPI's discriminator: oneOf/anyOf mappings, implicit names,
allOf-based subtypes; and the generator's values pass it."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pytest_mockamocha.generate import SchemaGenerator

REF = "#/components/schemas/"


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def pet(extra: str, kind: str = "boolean") -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["petType", extra],
        "properties": {"petType": {"type": "string"}, extra: {"type": kind}},
    }


def document() -> dict[str, Any]:
    tag = {"propertyName": "petType"}
    schemas = {
        "Cat": pet("hunts"),
        "Dog": pet("barks"),
        "Mapped": {
            "oneOf": [ref("Cat"), ref("Dog")],
            "discriminator": {**tag, "mapping": {"cat": REF + "Cat", "dog": "Dog"}},
        },
        "Implicit": {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": tag},
        # GitHub's private-user / public-user: the property is declared, not required
        "Quiet": {"type": "object", "properties": {"petType": {"type": "string"}}},
        "Loud": {"type": "object", "required": ["noise"], "properties": {"petType": {}}},
        "Untagged": {
            "oneOf": [ref("Quiet"), ref("Loud")],
            "discriminator": {**tag, "mapping": {"quiet": REF + "Quiet", "loud": REF + "Loud"}},
        },
        "Loose": {"anyOf": [ref("Cat"), ref("Dog")], "discriminator": tag},
        "Optional": {
            "oneOf": [
                {"type": "object", "properties": {"petType": {"type": "string"}}},
                {"type": "object", "required": ["id"]},
            ],
            "discriminator": tag,
        },
        # allOf-based subtypes of a base schema carrying the discriminator
        "Animal": {
            "type": "object",
            "required": ["kind", "name"],
            "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
            "discriminator": {"propertyName": "kind"},
        },
        "Lion": {
            "allOf": [
                ref("Animal"),
                {
                    "type": "object",
                    "required": ["mane"],
                    "properties": {"mane": {"type": "boolean"}},
                },
            ]
        },
        "Wolf": {
            "allOf": [
                ref("Animal"),
                {
                    "type": "object",
                    "required": ["pack"],
                    "properties": {"pack": {"type": "integer"}},
                },
            ]
        },
        "Either": {"oneOf": [ref("Lion"), ref("Wolf")]},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


@pytest.fixture(params=["3.0", "3.1"])
def gen(request: pytest.FixtureRequest) -> SchemaGenerator:
    return SchemaGenerator(document(), request.param)


def errors(gen: SchemaGenerator, name: str, value: Any) -> list[tuple[str, str]]:
    return gen.errors(ref(name), value, direction="request")


BOTH = {"petType": "cat", "hunts": True, "barks": False}


def test_the_mapped_branch_alone_is_checked(gen: SchemaGenerator) -> None:
    # fits both branches: plain oneOf would say "valid under each of"
    assert errors(gen, "Mapped", BOTH) == []
    assert errors(gen, "Mapped", {"petType": "dog", "barks": 3}) == [
        ("barks", "3 is not of type 'boolean'")
    ]
    assert errors(gen, "Mapped", {"petType": "cat"}) == [("", "'hunts' is a required property")]


def test_a_value_outside_the_mapping_is_one_clear_error(gen: SchemaGenerator) -> None:
    assert errors(gen, "Mapped", {"petType": "mock"}) == [
        ("petType", "'mock' is not one of the discriminator's values (cat, dog)")
    ]
    assert errors(gen, "Mapped", {"petType": 5}) == [
        ("petType", "5 is not one of the discriminator's values (cat, dog)")
    ]


def test_implicit_mapping_uses_component_names(gen: SchemaGenerator) -> None:
    assert errors(gen, "Implicit", {**BOTH, "petType": "Cat"}) == []
    assert errors(gen, "Implicit", {"petType": "cat"}) == [
        ("petType", "'cat' is not one of the discriminator's values (Cat, Dog)")
    ]


def test_any_of_dispatches_too(gen: SchemaGenerator) -> None:
    assert errors(gen, "Loose", {"petType": "Dog", "barks": True}) == []
    assert errors(gen, "Loose", {"petType": "Dog", "hunts": True}) == [
        ("", "'barks' is a required property")
    ]


def test_a_missing_required_discriminator_is_named(gen: SchemaGenerator) -> None:
    assert errors(gen, "Mapped", {"hunts": True}) == [
        ("", "the discriminator property 'petType' is missing")
    ]


def test_a_missing_optional_discriminator_falls_back_to_one_of(gen: SchemaGenerator) -> None:
    assert errors(gen, "Optional", {"name": "x"}) == []
    assert "is valid under each of" in errors(gen, "Optional", {"id": 1})[0][1]


def test_an_answer_without_its_discriminator_property_is_refused(gen: SchemaGenerator) -> None:
    """OpenAPI: the property MUST be present in the payload (openapi-core refuses an answer
    without it), so a mock's answer, an example it would serve included, must carry it;
    a request may leave it out where no branch requires it."""
    assert gen.errors(ref("Untagged"), {"name": "x"}, direction="response") == [
        ("", "the discriminator property 'petType' is missing")
    ]
    assert gen.is_valid(ref("Untagged"), {"name": "x"}, direction="request")
    assert gen.is_valid(ref("Untagged"), {"petType": "quiet", "name": "x"})
    made = gen.generate(ref("Untagged"), random.Random(3), direction="response")
    assert made["petType"] in ("quiet", "loud")
    assert gen.is_valid(ref("Untagged"), made, direction="response")
    # inline branches give no value to carry: the answer is judged as plain oneOf
    assert gen.errors(ref("Optional"), {"name": "x"}, direction="response") == []


def test_non_objects_keep_plain_semantics(gen: SchemaGenerator) -> None:
    assert errors(gen, "Mapped", 5) == [("", "5 is not valid under any of the given schemas")]


def test_a_base_schema_dispatches_to_its_subtype(gen: SchemaGenerator) -> None:
    assert errors(gen, "Animal", {"kind": "Lion", "name": "x", "mane": True}) == []
    assert errors(gen, "Animal", {"kind": "Lion", "name": "x"}) == [
        ("", "'mane' is a required property")
    ]
    assert errors(gen, "Animal", {"kind": "Animal", "name": "x"}) == []


def test_subtypes_refuse_a_sibling_s_value(gen: SchemaGenerator) -> None:
    value = {"kind": "Lion", "name": "x", "mane": True, "pack": 3}
    assert errors(gen, "Either", value) == []  # fits both; the value says Lion
    assert errors(gen, "Wolf", value) == [("kind", "'Lion' selects Lion, not Wolf")]
    assert errors(gen, "Lion", {"kind": "Animal", "name": "x", "mane": True}) == []


@pytest.mark.parametrize("name", ["Mapped", "Implicit", "Loose", "Animal", "Lion", "Either"])
@pytest.mark.parametrize("direction", ["request", "response"])
def test_generated_values_pass(gen: SchemaGenerator, name: str, direction: str) -> None:
    schemas = gen.document["components"]["schemas"]
    rng = random.Random(7)
    for schema in (ref(name), schemas[name]):
        for _ in range(10):
            value = gen.generate(schema, rng, direction=direction)
            assert gen.is_valid(schema, value, direction=direction)
            if name == "Mapped":
                # a bare-name mapping value ("dog": "Dog") gets the component name from
                # the generator, accepted as implicit mapping
                assert value["petType"] in ("cat", "dog", "Dog")
                wanted = "hunts" if value["petType"] == "cat" else "barks"
                assert wanted in value


def test_without_discriminator_behaviour_is_unchanged(gen: SchemaGenerator) -> None:
    plain = {"oneOf": [ref("Cat"), ref("Dog")]}
    assert "is valid under each of" in gen.errors(plain, BOTH)[0][1]
