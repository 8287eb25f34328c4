"""A component met in many places is folded once, and where a schema sits is answered
without indexing the whole document."""

from __future__ import annotations

import random
from typing import Any

from pytest_mockamocha.generate.refs import Refs
from pytest_mockamocha.generate.schema import SchemaGenerator
from pytest_mockamocha.generate.shape import Folder

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "User": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "Admin": {
                "allOf": [{"$ref": "#/components/schemas/User"}, {"type": "object"}],
            },
        }
    },
}


def test_two_refs_to_one_component_fold_into_one_shape() -> None:
    folder = Folder(Refs(DOC), "3.0", "response")
    here = folder.shape([{"$ref": "#/components/schemas/User"}], "$.owner")
    there = folder.shape([{"$ref": "#/components/schemas/User"}], "$.author")
    assert here is there
    assert here.where == "#/components/schemas/User"
    assert set(here.properties) == {"id", "name"}


def test_a_ref_with_siblings_folds_apart_from_the_plain_ref() -> None:
    folder = Folder(Refs(DOC), "3.1", "response")
    plain = folder.shape([{"$ref": "#/components/schemas/User"}], "$")
    narrowed = folder.shape([{"$ref": "#/components/schemas/User", "required": ["name"]}], "$")
    assert plain is not narrowed
    assert "name" in narrowed.required
    assert "name" not in plain.required


def test_an_inline_schema_keeps_the_place_it_was_met_at() -> None:
    folder = Folder(Refs(DOC), "3.0", "response")
    schema = {"type": "string", "minLength": 2}
    first = folder.shape([schema], "$.a")
    assert folder.shape([schema], "$.a") is first
    other = folder.shape([schema], "$.b")
    assert other is not first
    assert other.where == "$.b"


def test_a_folder_stays_bounded() -> None:
    from pytest_mockamocha.generate import shape as shape_module

    folder = Folder(Refs(DOC), "3.0", "response")
    for n in range(shape_module.MAX_SHAPES + 10):
        folder.shape([{"type": "integer", "minimum": n}], "$")
    assert len(folder._shapes) <= shape_module.MAX_SHAPES


def test_where_a_schema_sits_without_a_document_index() -> None:
    refs = Refs(DOC)
    schemas = DOC["components"]["schemas"]
    assert refs.component_name(schemas["User"]) == "User"
    assert refs.component_name(schemas["User"]["properties"]["id"]) == ""
    assert refs.in_components(schemas["User"]["properties"]["id"])
    assert refs.in_components(schemas["Admin"]["allOf"][1])
    assert not refs.in_components(schemas)
    assert not refs.in_components({"type": "object"})
    assert refs._places is None  # the whole-document index is for messages only


def test_generated_values_from_a_shared_component_stay_valid() -> None:
    generator, rng = SchemaGenerator(DOC, "3.0"), random.Random(3)
    schema = {
        "type": "object",
        "required": ["owner", "author", "admins"],
        "properties": {
            "owner": {"$ref": "#/components/schemas/User"},
            "author": {"$ref": "#/components/schemas/User"},
            "admins": {"type": "array", "items": {"$ref": "#/components/schemas/Admin"}},
        },
    }
    for _ in range(20):
        value = generator.generate(schema, rng)
        assert isinstance(value["owner"]["id"], int)
        assert isinstance(value["author"]["id"], int)
        assert all(isinstance(admin["id"], int) for admin in value["admins"])
