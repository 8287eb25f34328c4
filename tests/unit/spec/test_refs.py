"""Bundling a multi-file spec: refs resolve per file, nothing outside the folder is read."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.loader import deref, load_spec
from pytest_mockamocha.spec.refs import FILES_KEY


def _refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string in a JSON-like tree (literal example values included)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, dict):
            if isinstance(current.get("$ref"), str):
                yield current["$ref"]
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


@pytest.fixture
def multifile(specs_dir: Path, tmp_path: Path) -> Path:
    """A private copy of ``multifile/`` (tests may add files next to it)."""
    target = tmp_path / "root" / "multifile"
    shutil.copytree(specs_dir / "multifile", target)
    return target


def _schema(spec: Any, op_id: str, status: str) -> Any:
    op = next(o for o in spec.operations if o.operation_id == op_id)
    media = deref(spec.document, op.responses[status])["content"]["application/json"]
    return deref(spec.document, media["schema"])


def test_multifile_bundles_every_referenced_file(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "multifile" / "api.yaml")
    assert sorted(spec.document[FILES_KEY]) == [
        "components/errors.yaml",
        "paths/users.yaml",
        "schemas/address.yaml",
        "schemas/user.yaml",
    ]
    refs = list(_refs(spec.document))
    assert refs
    assert all(ref.startswith("#") for ref in refs), [r for r in refs if not r.startswith("#")]


def test_multifile_operations_come_from_the_nested_path_file(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "multifile" / "api.yaml")
    names = {op.operation_id: op.name for op in spec.operations}
    assert names == {
        "listUsers": "GET /users",
        "createUser": "POST /users",
        "getUser": "GET /users/{userId}",
        "deleteUser": "DELETE /users/{userId}",
        "getUserAddress": "GET /users/{userId}/address",
        "listCategories": "GET /categories",
    }
    ops = {op.operation_id: op for op in spec.operations}
    # `#/parameters/UserId` inside paths/users.yaml means that file's `parameters`
    assert [(p.name, p.location) for p in ops["getUser"].parameters] == [("userId", "path")]
    assert [(p.name, p.location) for p in ops["listUsers"].parameters] == [
        ("page", "query"),
        ("department", "query"),
    ]


def test_nested_relative_refs_resolve_against_their_own_file(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "multifile" / "api.yaml")
    doc = spec.document
    user = _schema(spec, "getUser", "200")
    assert user["required"] == ["id", "name", "email"]
    # ./address.yaml from schemas/user.yaml is schemas/address.yaml
    address = deref(doc, user["properties"]["address"])
    assert address["properties"]["country"]["pattern"] == "^[A-Z]{2}$"
    # `#/User` inside schemas/user.yaml: the legitimate recursion
    assert deref(doc, user["properties"]["manager"]) is user
    # ../schemas/user.yaml from paths/users.yaml
    listed = _schema(spec, "listUsers", "200")
    assert deref(doc, listed["items"]) is user
    # `#/Error` inside components/errors.yaml is that file's Error, not the root's
    error = _schema(spec, "createUser", "400")
    assert error["properties"]["code"]["enum"] == ["bad_request", "not_found", "internal"]
    # the root's component refs reach the same objects
    root_user = deref(doc, doc["components"]["schemas"]["User"])
    assert root_user is user


def test_multifile_reads_nothing_outside_its_folder(
    multifile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (multifile.parent / "secret.yaml").write_text("Secret: {type: string}\n")
    reads: list[Path] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        reads.append(self.resolve())
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    load_spec(multifile / "api.yaml")
    folder = multifile.resolve()
    assert reads
    outside = [p for p in reads if not p.is_relative_to(folder)]
    assert outside == []
    assert len(reads) == len(set(reads)) == 5  # each file read once


def test_nested_ref_leaving_the_folder_is_refused_unread(
    multifile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = multifile.parent / "secret.yaml"
    secret.write_text("Secret: {type: string}\n")
    users = multifile / "paths" / "users.yaml"
    users.write_text(
        users.read_text().replace("'../schemas/user.yaml#/NewUser'", "'../../secret.yaml#/Secret'")
    )
    reads: list[Path] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        reads.append(self.resolve())
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    with pytest.raises(SpecError, match="leaves the spec's folder") as info:
        load_spec(multifile / "api.yaml")
    assert "paths/users.yaml" in str(info.value)
    assert "../../secret.yaml#/Secret" in str(info.value)
    assert info.value.pointer.startswith("/users/post/requestBody")
    assert secret.resolve() not in reads


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks on this platform")
def test_symlink_leaving_the_folder_is_refused(multifile: Path) -> None:
    secret = multifile.parent / "secret.yaml"
    secret.write_text("Address: {type: string}\n")
    link = multifile / "schemas" / "address.yaml"
    link.unlink()
    link.symlink_to(secret)
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        load_spec(multifile / "api.yaml")


def test_missing_nested_file_is_named(multifile: Path) -> None:
    (multifile / "schemas" / "address.yaml").unlink()
    with pytest.raises(SpecError, match=r"cannot read address\.yaml") as info:
        load_spec(multifile / "api.yaml")
    # the first ref to it is the root's components/schemas/Address
    assert "./schemas/address.yaml#/Address" in str(info.value)
    assert info.value.pointer == "/components/schemas/Address"


def test_missing_file_referenced_only_by_a_nested_file_names_that_file(multifile: Path) -> None:
    user = multifile / "schemas" / "user.yaml"
    user.write_text(user.read_text().replace("'./address.yaml#/Address'", "'./gone.yaml#/Address'"))
    with pytest.raises(SpecError, match=r"gone\.yaml") as info:
        load_spec(multifile / "api.yaml")
    assert str(info.value).startswith("schemas/user.yaml")
    assert info.value.pointer.endswith("User/properties/address")


def test_broken_fragment_in_a_nested_file_is_named(multifile: Path) -> None:
    user = multifile / "schemas" / "user.yaml"
    user.write_text(user.read_text().replace("'#/User'", "'#/Usr'"))
    with pytest.raises(SpecError, match="points nowhere") as info:
        load_spec(multifile / "api.yaml")
    assert "schemas/user.yaml#/Usr" in str(info.value)


def test_ref_to_a_whole_file_without_fragment(tmp_path: Path) -> None:
    (tmp_path / "pet.yaml").write_text("type: object\nproperties:\n  name: {type: string}\n")
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /p:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: pet.yaml}\n"
    )
    spec = load_spec(tmp_path / "api.yaml")
    op = spec.operations[0]
    schema = deref(spec.document, op.responses["200"]["content"]["application/json"]["schema"])
    assert schema["properties"] == {"name": {"type": "string"}}


def test_ref_back_into_the_root_document(tmp_path: Path) -> None:
    (tmp_path / "paths.yaml").write_text(
        "pets:\n  get:\n    responses:\n      '200':\n        description: ok\n"
        "        content:\n          application/json:\n"
        "            schema: {$ref: 'api.yaml#/components/schemas/Pet'}\n"
    )
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /pets: {$ref: 'paths.yaml#/pets'}\n"
        "components:\n  schemas:\n    Pet: {type: object, required: [id]}\n"
    )
    spec = load_spec(tmp_path / "api.yaml")
    op = spec.operations[0]
    schema = deref(spec.document, op.responses["200"]["content"]["application/json"]["schema"])
    assert schema == {"type": "object", "required": ["id"]}
    assert sorted(spec.document[FILES_KEY]) == ["paths.yaml"]


PROPERTY_NAMED_LIKE_A_KEYWORD = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /settings:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  default: {$ref: './other.yaml#/Choice'}
                  example: {$ref: './other.yaml#/Choice'}
components: {}
"""


def test_refs_under_properties_named_default_or_example_are_bundled(tmp_path: Path) -> None:
    # `default` and `example` are literal data as schema keywords, but here they are
    # property names whose values are schemas: their refs must be made local too.
    (tmp_path / "other.yaml").write_text("Choice: {type: string, enum: [a, b]}\n")
    (tmp_path / "api.yaml").write_text(PROPERTY_NAMED_LIKE_A_KEYWORD)
    spec = load_spec(tmp_path / "api.yaml")
    refs = list(_refs(spec.document["paths"]))
    assert refs
    assert all(ref.startswith("#") for ref in refs), refs


def test_broken_ref_under_a_property_named_enum_is_reported(tmp_path: Path) -> None:
    text = PROPERTY_NAMED_LIKE_A_KEYWORD.replace(
        "default: {$ref: './other.yaml#/Choice'}", "enum: {$ref: '#/components/schemas/Nope'}"
    ).replace("example: {$ref: './other.yaml#/Choice'}", "name: {type: string}")
    (tmp_path / "api.yaml").write_text(text)
    with pytest.raises(SpecError, match="Nope"):
        load_spec(tmp_path / "api.yaml")


def test_literal_example_value_with_a_ref_key_is_not_a_reference(tmp_path: Path) -> None:
    # An Example Object's `value` is literal data: an API about JSON Schemas may well
    # show a `$ref` key in it. It must be served as written, not followed.
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /schemas/{name}:\n"
        "    get:\n      parameters:\n        - {name: name, in: path, required: true, "
        "schema: {type: string}}\n      responses:\n        '200':\n"
        "          description: a JSON Schema document\n          content:\n"
        "            application/json:\n              schema: {type: object}\n"
        "              examples:\n                pointer:\n"
        "                  value: {$ref: 'https://json-schema.org/draft/2020-12/schema'}\n"
    )
    spec = load_spec(tmp_path / "api.yaml")
    media = spec.operations[0].responses["200"]["content"]["application/json"]
    assert media["examples"]["pointer"]["value"] == {
        "$ref": "https://json-schema.org/draft/2020-12/schema"
    }


# -- JSON text: its refs are read from the text when they are all local and lead somewhere


def _json_api(tmp_path: Path, schema: dict[str, Any], **media: Any) -> Path:
    """A one-operation JSON document answering ``schema`` (with ``media``'s extra keys),
    with one component, ``Pet``."""
    import json

    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": schema, **media}},
        }}}}},
        "components": {"schemas": {"Pet": {"type": "object"}}},
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc))
    return path


def test_json_refs_all_local_are_checked_from_the_text_without_a_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_mockamocha.spec import refs

    def no_walk(*args: object) -> None:
        raise AssertionError("walked the document")

    monkeypatch.setattr(refs, "walk_refs", no_walk)
    spec = load_spec(_json_api(tmp_path, {"$ref": "#/components/schemas/Pet"}))
    schema = spec.operations[0].responses["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Pet"}


def test_json_broken_ref_is_named_where_it_stands(tmp_path: Path) -> None:
    path = _json_api(tmp_path, {"$ref": "#/components/schemas/Nope"})
    with pytest.raises(SpecError, match="Nope") as raised:
        load_spec(path)
    assert raised.value.pointer == (
        "/paths/~1pets/get/responses/200/content/application~1json/schema"
    )


def test_json_example_holding_a_ref_that_leads_nowhere_is_data(tmp_path: Path) -> None:
    # the text shows the example's "$ref" too; the walk tells it is data, not a reference
    value = {"$ref": "#/definitions/nowhere"}
    path = _json_api(tmp_path, {"$ref": "#/components/schemas/Pet"},
                     examples={"pointer": {"value": value}})
    spec = load_spec(path)
    media = spec.operations[0].responses["200"]["content"]["application/json"]
    assert media["examples"]["pointer"]["value"] == value


def test_json_ref_spelled_with_escapes_is_still_checked(tmp_path: Path) -> None:
    path = _json_api(tmp_path, {"$ref": "#/components/schemas/Nope"})
    path.write_text(path.read_text().replace('"$ref"', '"\\u0024ref"'))
    with pytest.raises(SpecError, match="Nope"):
        load_spec(path)


def test_json_root_referring_to_a_file_is_bundled(tmp_path: Path) -> None:
    (tmp_path / "pet.yaml").write_text("type: object\nproperties: {id: {type: integer}}\n")
    spec = load_spec(_json_api(tmp_path, {"$ref": "./pet.yaml"}))
    assert "pet.yaml" in spec.document[FILES_KEY]
    assert all(ref.startswith("#") for ref in _refs(spec.document["paths"]))
