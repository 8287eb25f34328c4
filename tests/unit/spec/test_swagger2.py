"""Swagger 2.0 documents are converted to OpenAPI 3.0.3 on load, and served like any other."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine import Engine, MockRequest
from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.loader import load_spec, load_text
from pytest_mockamocha.spec.parse import parse_text
from pytest_mockamocha.spec.swagger2 import convert

SWAGGER2 = Path(__file__).resolve().parents[2] / "data" / "specs" / "swagger2"
DOCUMENTS = ("petstore.yaml", "security.json", "inventory.yaml", "minimal.yaml")


def doc2(**extra: Any) -> dict[str, Any]:
    """A minimal 2.0 document, with ``extra`` root keys."""
    return {"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}, **extra}


def op2(**fields: Any) -> dict[str, Any]:
    """A 2.0 operation answering 200 without a body, with ``fields`` added."""
    return {"responses": {"200": {"description": "ok"}}, **fields}


def converted_op(
    operation: dict[str, Any], *, path: str = "/x", method: str = "post", **root: Any
) -> dict[str, Any]:
    out = convert(doc2(paths={path: {method: operation}}, **root), source="t")
    result: dict[str, Any] = out["paths"][path][method]
    return result


def param(operation: dict[str, Any], index: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = operation["parameters"][index]
    return result


# -- the document ---------------------------------------------------------------------------
def test_root_fields_are_mapped() -> None:
    out = convert(
        doc2(
            tags=[{"name": "pets"}],
            externalDocs={"url": "https://example.com"},
            security=[{"key": []}],
            **{"x-team": "blue"},
        ),
        source="t",
    )
    assert out["openapi"] == "3.0.3"
    assert out["info"] == {"title": "T", "version": "1"}
    assert out["tags"] == [{"name": "pets"}]
    assert out["externalDocs"] == {"url": "https://example.com"}
    assert out["security"] == [{"key": []}]
    assert out["x-team"] == "blue"
    assert "swagger" not in out


@pytest.mark.parametrize(
    ("root", "servers"),
    [
        ({"host": "api.example.com", "basePath": "/v1"}, [{"url": "https://api.example.com/v1"}]),
        (
            {"host": "h:8080", "schemes": ["http", "https"]},
            [{"url": "http://h:8080"}, {"url": "https://h:8080"}],
        ),
        ({"basePath": "/v1"}, [{"url": "/v1"}]),
        ({}, None),
    ],
    ids=["host-and-base-path", "schemes", "relative-base-path", "none"],
)
def test_host_base_path_and_schemes_become_servers(
    root: dict[str, Any], servers: list[dict[str, str]] | None
) -> None:
    assert convert(doc2(**root), source="t").get("servers") == servers


def test_other_swagger_versions_are_refused() -> None:
    with pytest.raises(SpecError, match=r"Swagger 1\.2") as info:
        convert({"swagger": "1.2", "paths": {}}, source="old.yaml")
    assert info.value.pointer == "/swagger"
    assert info.value.source == "old.yaml"


def test_yaml_float_version_is_accepted() -> None:
    assert convert({**doc2(), "swagger": 2.0}, source="t")["openapi"] == "3.0.3"


def test_convert_never_mutates_its_input() -> None:
    for name in DOCUMENTS:
        doc = parse_text((SWAGGER2 / name).read_bytes(), name)
        before = copy.deepcopy(doc)
        out = convert(doc, source=name)
        assert doc == before
        assert json.dumps(out)  # a plain JSON-like tree


# -- components -----------------------------------------------------------------------------
def test_components_and_refs_are_moved() -> None:
    out = convert(
        doc2(
            definitions={
                "Pet": {"type": "object"},
                "Pets": {"items": {"$ref": "#/definitions/Pet"}},
            },
            parameters={
                "Limit": {"name": "limit", "in": "query", "type": "integer"},
                "PetBody": {"name": "pet", "in": "body", "schema": {"$ref": "#/definitions/Pet"}},
            },
            responses={"Gone": {"description": "gone"}},
            paths={
                "/pets": {
                    "post": {
                        "parameters": [
                            {"$ref": "#/parameters/Limit"},
                            {"$ref": "#/parameters/PetBody"},
                        ],
                        "responses": {"410": {"$ref": "#/responses/Gone"}},
                    }
                }
            },
        ),
        source="t",
    )
    components = out["components"]
    assert components["schemas"]["Pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    assert components["parameters"]["Limit"]["schema"] == {"type": "integer"}
    assert components["requestBodies"]["PetBody"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
    }
    assert components["responses"] == {"Gone": {"description": "gone"}}
    operation = out["paths"]["/pets"]["post"]
    assert operation["parameters"] == [{"$ref": "#/components/parameters/Limit"}]
    assert operation["requestBody"] == {"$ref": "#/components/requestBodies/PetBody"}
    assert operation["responses"]["410"] == {"$ref": "#/components/responses/Gone"}


def test_shared_form_parameters_are_inlined_into_the_form() -> None:
    operation = converted_op(
        op2(
            parameters=[
                {"$ref": "#/parameters/Name"},
                {"name": "age", "in": "formData", "type": "integer"},
            ]
        ),
        parameters={"Name": {"name": "name", "in": "formData", "type": "string", "required": True}},
    )
    schema = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert schema == {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name"],
    }


def test_external_file_refs_are_left_for_the_bundler() -> None:
    out = convert(
        doc2(
            definitions={"Pet": {"$ref": "pet.yaml#/Pet"}}, paths={"/a": {"$ref": "paths.yaml#/a"}}
        ),
        source="t",
    )
    assert out["components"]["schemas"]["Pet"] == {"$ref": "pet.yaml#/Pet"}
    assert out["paths"]["/a"] == {"$ref": "paths.yaml#/a"}


@pytest.mark.parametrize(
    ("definition", "scheme"),
    [
        ({"type": "basic"}, {"type": "http", "scheme": "basic"}),
        (
            {"type": "apiKey", "name": "X-Key", "in": "header", "description": "d"},
            {"type": "apiKey", "name": "X-Key", "in": "header", "description": "d"},
        ),
        (
            {
                "type": "oauth2",
                "flow": "implicit",
                "authorizationUrl": "https://a",
                "scopes": {"r": "read"},
            },
            {
                "type": "oauth2",
                "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {"r": "read"}}},
            },
        ),
        (
            {"type": "oauth2", "flow": "password", "tokenUrl": "https://t"},
            {"type": "oauth2", "flows": {"password": {"tokenUrl": "https://t", "scopes": {}}}},
        ),
        (
            {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {}},
            {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}},
            },
        ),
        (
            {
                "type": "oauth2",
                "flow": "accessCode",
                "authorizationUrl": "https://a",
                "tokenUrl": "https://t",
                "scopes": {},
                "x-vendor": 1,
            },
            {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://a",
                        "tokenUrl": "https://t",
                        "scopes": {},
                    }
                },
                "x-vendor": 1,
            },
        ),
    ],
    ids=["basic", "api-key", "implicit", "password", "application", "access-code"],
)
def test_security_definitions_become_security_schemes(
    definition: dict[str, Any], scheme: dict[str, Any]
) -> None:
    out = convert(doc2(securityDefinitions={"s": definition}), source="t")
    assert out["components"]["securitySchemes"]["s"] == scheme


@pytest.mark.parametrize(
    ("definition", "pointer"),
    [
        ({"type": "magic"}, "/securityDefinitions/s/type"),
        ({"type": "oauth2", "flow": "device"}, "/securityDefinitions/s/flow"),
    ],
    ids=["unknown-type", "unknown-flow"],
)
def test_unconvertible_security_definitions_are_refused(
    definition: dict[str, Any], pointer: str
) -> None:
    with pytest.raises(SpecError) as info:
        convert(doc2(securityDefinitions={"s": definition}), source="t")
    assert info.value.pointer == pointer


# -- parameters and request bodies ----------------------------------------------------------
def test_non_body_parameter_keywords_move_into_schema() -> None:
    raw = {
        "name": "limit",
        "in": "query",
        "description": "how many",
        "type": "integer",
        "format": "int32",
        "minimum": 1,
        "maximum": 50,
        "default": 10,
        "enum": [10, 20, 50],
        "multipleOf": 10,
        "allowEmptyValue": True,
        "x-example": 20,
        "x-internal": True,
    }
    assert param(converted_op(op2(parameters=[raw]), method="get")) == {
        "name": "limit",
        "in": "query",
        "description": "how many",
        "allowEmptyValue": True,
        "schema": {
            "type": "integer",
            "format": "int32",
            "minimum": 1,
            "maximum": 50,
            "default": 10,
            "enum": [10, 20, 50],
            "multipleOf": 10,
        },
        "example": 20,
        "x-internal": True,
    }


def test_path_parameters_are_required_and_nullable_ones_say_so() -> None:
    raw = {"name": "id", "in": "path", "type": "string", "pattern": "^[a-z]+$", "x-nullable": True}
    converted = param(converted_op(op2(parameters=[raw]), path="/x/{id}", method="get"))
    assert converted["required"] is True
    assert converted["schema"] == {"type": "string", "pattern": "^[a-z]+$", "nullable": True}


@pytest.mark.parametrize(
    ("where", "fmt", "style"),
    [
        ("query", None, {"style": "form", "explode": False}),
        ("query", "csv", {"style": "form", "explode": False}),
        ("query", "multi", {"style": "form", "explode": True}),
        ("query", "ssv", {"style": "spaceDelimited", "explode": False}),
        ("query", "pipes", {"style": "pipeDelimited", "explode": False}),
        ("query", "tsv", {"style": "form", "explode": False, "x-collectionFormat": "tsv"}),
        ("header", "csv", {"style": "simple"}),
        ("path", "csv", {"style": "simple"}),
        ("path", "ssv", {"style": "simple"}),
    ],
    ids=lambda v: str(v) if not isinstance(v, dict) else "",
)
def test_collection_format_becomes_style_and_explode(
    where: str, fmt: str | None, style: dict[str, Any]
) -> None:
    raw: dict[str, Any] = {"name": "v", "in": where, "type": "array", "items": {"type": "string"}}
    if fmt is not None:
        raw["collectionFormat"] = fmt
    converted = param(converted_op(op2(parameters=[raw]), path="/x/{v}", method="get"))
    assert {k: converted[k] for k in style} == style
    assert converted["schema"] == {"type": "array", "items": {"type": "string"}}


def test_nested_items_lose_their_collection_format() -> None:
    raw = {
        "name": "grid",
        "in": "query",
        "type": "array",
        "items": {
            "type": "array",
            "collectionFormat": "pipes",
            "items": {"type": "integer", "minimum": 0},
        },
    }
    converted = param(converted_op(op2(parameters=[raw]), method="get"))
    assert converted["schema"] == {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer", "minimum": 0}},
    }


@pytest.mark.parametrize(
    ("root", "own", "media"),
    [
        ({}, None, ["application/json"]),
        ({"consumes": ["application/xml"]}, None, ["application/xml"]),
        (
            {"consumes": ["application/xml"]},
            ["text/plain", "application/json"],
            ["text/plain", "application/json"],
        ),
    ],
    ids=["default", "global", "operation-overrides-global"],
)
def test_body_parameter_becomes_request_body_per_consumes(
    root: dict[str, Any], own: list[str] | None, media: list[str]
) -> None:
    body = {
        "name": "pet",
        "in": "body",
        "required": True,
        "description": "the pet",
        "schema": {"type": "object"},
    }
    operation = op2(parameters=[body])
    if own is not None:
        operation["consumes"] = own
    converted = converted_op(operation, **root)
    assert converted["requestBody"] == {
        "description": "the pet",
        "required": True,
        "content": {m: {"schema": {"type": "object"}} for m in media},
    }
    assert "parameters" not in converted


def test_body_examples_become_media_type_examples() -> None:
    body = {
        "name": "b",
        "in": "body",
        "schema": {"type": "string"},
        "x-examples": {"application/json": "hi"},
    }
    converted = converted_op(op2(parameters=[body]))
    assert converted["requestBody"]["content"]["application/json"] == {
        "schema": {"type": "string"},
        "example": "hi",
    }


def test_form_data_becomes_an_urlencoded_form() -> None:
    params = [
        {"name": "name", "in": "formData", "type": "string", "required": True, "description": "d"},
        {
            "name": "ids",
            "in": "formData",
            "type": "array",
            "items": {"type": "integer"},
            "collectionFormat": "multi",
        },
    ]
    body = converted_op(op2(parameters=params))["requestBody"]
    assert body == {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "d"},
                        "ids": {"type": "array", "items": {"type": "integer"}},
                    },
                    "required": ["name"],
                },
                "encoding": {"ids": {"style": "form", "explode": True}},
            }
        },
    }


@pytest.mark.parametrize(
    ("consumes", "file"),
    [(["multipart/form-data"], False), (None, True)],
    ids=["consumes-says-so", "file-parameter"],
)
def test_form_data_becomes_multipart_when_asked_or_with_files(
    consumes: list[str] | None, file: bool
) -> None:
    params = [{"name": "f", "in": "formData", "type": "file" if file else "string"}]
    operation = op2(parameters=params)
    if consumes:
        operation["consumes"] = consumes
    content = converted_op(operation)["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    expected = {"type": "string", "format": "binary"} if file else {"type": "string"}
    assert content["multipart/form-data"]["schema"]["properties"]["f"] == expected
    assert "required" not in content["multipart/form-data"]["schema"]


def test_path_level_parameters_stay_and_path_level_bodies_reach_every_operation() -> None:
    item = {
        "parameters": [
            {"name": "id", "in": "path", "required": True, "type": "integer"},
            {"name": "doc", "in": "body", "schema": {"type": "object"}},
        ],
        "put": op2(),
        "patch": op2(consumes=["application/merge-patch+json"]),
        "post": op2(parameters=[{"name": "other", "in": "body", "schema": {"type": "string"}}]),
        "x-owner": "me",
    }
    out = convert(doc2(paths={"/d/{id}": item}), source="t")["paths"]["/d/{id}"]
    assert out["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    assert out["x-owner"] == "me"
    assert list(out["put"]["requestBody"]["content"]) == ["application/json"]
    assert list(out["patch"]["requestBody"]["content"]) == ["application/merge-patch+json"]
    assert out["post"]["requestBody"]["content"]["application/json"]["schema"] == {"type": "string"}


@pytest.mark.parametrize(
    ("parameters", "pointer", "says"),
    [
        ([{"name": "b", "in": "body"}], "/paths/~1x/post/parameters/0", "schema"),
        ([{"name": "q", "in": "query-string"}], "/paths/~1x/post/parameters/0/in", "location"),
        ([42], "/paths/~1x/post/parameters/0", "mapping"),
        (
            [
                {"name": "b", "in": "body", "schema": {}},
                {"name": "f", "in": "formData", "type": "string"},
            ],
            "/paths/~1x/post",
            "both body and formData",
        ),
    ],
    ids=["body-without-schema", "unknown-location", "not-a-mapping", "body-and-form"],
)
def test_unconvertible_parameters_are_refused_at_their_pointer(
    parameters: list[Any], pointer: str, says: str
) -> None:
    with pytest.raises(SpecError, match=says) as info:
        converted_op(op2(parameters=parameters))
    assert info.value.pointer == pointer


# -- responses ------------------------------------------------------------------------------
def test_response_schema_becomes_content_per_produces_with_examples() -> None:
    response = {
        "description": "pets",
        "schema": {"type": "array", "items": {"type": "string"}},
        "examples": {"application/json": ["rex"], "text/csv": "rex"},
        "headers": {
            "X-Rate": {"type": "integer", "minimum": 0, "description": "per hour"},
            "X-Ids": {"type": "array", "items": {"type": "integer"}, "collectionFormat": "csv"},
        },
        "x-cache": True,
    }
    operation = converted_op(
        op2(responses={200: response}), method="get", produces=["application/json"]
    )
    schema = {"type": "array", "items": {"type": "string"}}
    assert operation["responses"] == {
        "200": {
            "description": "pets",
            "headers": {
                "X-Rate": {"schema": {"type": "integer", "minimum": 0}, "description": "per hour"},
                "X-Ids": {
                    "schema": {"type": "array", "items": {"type": "integer"}},
                    "style": "simple",
                },
            },
            "content": {
                "application/json": {"schema": schema, "example": ["rex"]},
                "text/csv": {"schema": schema, "example": "rex"},
            },
            "x-cache": True,
        }
    }


def test_operation_produces_override_global_and_responses_without_schema_have_no_content() -> None:
    responses = {
        "200": {"description": "ok", "schema": {"type": "string"}},
        "204": {"description": "none"},
    }
    operation = converted_op(
        op2(responses=responses, produces=["text/plain"]),
        method="get",
        produces=["application/json"],
    )
    assert list(operation["responses"]["200"]["content"]) == ["text/plain"]
    assert operation["responses"]["204"] == {"description": "none"}


def test_shared_responses_are_inlined_when_the_operation_produces_differ() -> None:
    root = {
        "produces": ["application/json"],
        "responses": {"Err": {"description": "e", "schema": {"type": "string"}}},
    }
    same = converted_op(op2(responses={"400": {"$ref": "#/responses/Err"}}), method="get", **root)
    assert same["responses"]["400"] == {"$ref": "#/components/responses/Err"}
    own = op2(responses={"400": {"$ref": "#/responses/Err"}}, produces=["text/plain"])
    other = converted_op(own, method="get", **root)
    assert list(other["responses"]["400"]["content"]) == ["text/plain"]


def test_operation_fields_are_kept() -> None:
    fields = {
        "operationId": "getX",
        "summary": "s",
        "description": "d",
        "deprecated": True,
        "tags": ["x"],
        "security": [{"k": []}],
        "externalDocs": {"url": "https://example.com"},
        "x-rate-limit": 5,
    }
    operation = converted_op(op2(**fields, consumes=["a/b"], produces=["a/b"], schemes=["http"]))
    assert {k: operation[k] for k in fields} == fields
    assert not {"consumes", "produces", "schemes"} & set(operation)


# -- schemas --------------------------------------------------------------------------------
def test_schema_keywords_are_converted_everywhere() -> None:
    definitions = {
        "Animal": {
            "type": "object",
            "discriminator": "kind",
            "properties": {
                "kind": {"type": "string", "readOnly": True},
                "photo": {"type": "file"},
                "nick": {"type": "string", "x-nullable": True, "x-example": "rex"},
                "tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
                "extra": {"additionalProperties": {"$ref": "#/definitions/Tag"}},
                "default": {"type": "string", "default": {"$ref": "#/definitions/not-a-ref"}},
            },
            "x-tags": ["kept"],
        },
        "Dog": {"allOf": [{"$ref": "#/definitions/Animal"}, {"not": {"type": "file"}}]},
        "Tag": {"type": "string", "x-example": "a", "example": "b"},
    }
    schemas = convert(doc2(definitions=definitions), source="t")["components"]["schemas"]
    animal = schemas["Animal"]
    assert animal["discriminator"] == {"propertyName": "kind"}
    assert animal["x-tags"] == ["kept"]
    props = animal["properties"]
    assert props["kind"] == {"type": "string", "readOnly": True}
    assert props["photo"] == {"type": "string", "format": "binary"}
    assert props["nick"] == {"type": "string", "nullable": True, "example": "rex"}
    assert props["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert props["extra"]["additionalProperties"] == {"$ref": "#/components/schemas/Tag"}
    assert props["default"]["default"] == {"$ref": "#/definitions/not-a-ref"}  # data, not a ref
    assert schemas["Dog"]["allOf"] == [
        {"$ref": "#/components/schemas/Animal"},
        {"not": {"type": "string", "format": "binary"}},
    ]
    assert schemas["Tag"] == {"type": "string", "example": "b"}


# -- the loader -----------------------------------------------------------------------------
def test_the_loader_converts_swagger_2_text() -> None:
    text = json.dumps(
        doc2(
            basePath="/v1",
            paths={
                "/a": {
                    "get": {
                        "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}
                    }
                }
            },
        )
    )
    spec = load_text(text, slug="a")
    assert spec.version == "3.0"
    assert spec.server_path == "/v1"
    assert [op.name for op in spec.operations] == ["GET /a"]


def test_the_loader_still_refuses_other_swagger_versions() -> None:
    with pytest.raises(SpecError, match=r"Swagger 1\.2 documents are not supported") as info:
        load_text('{"swagger": "1.2", "paths": {}}')
    assert info.value.pointer == "/swagger"


def test_the_loader_reports_broken_refs_of_converted_documents() -> None:
    text = json.dumps(doc2(paths={"/a": {"get": op2(parameters=[{"$ref": "#/parameters/Nope"}])}}))
    with pytest.raises(SpecError, match="#/components/parameters/Nope"):
        load_text(text)


def test_the_loader_bundles_relative_files_after_converting(tmp_path: Path) -> None:
    (tmp_path / "pet.yaml").write_text(
        "Pet:\n  type: object\n  properties:\n    name: {type: string}\n"
    )
    response = {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}
    root = doc2(
        definitions={"Pet": {"$ref": "pet.yaml#/Pet"}},
        paths={"/pet": {"get": {"responses": {"200": response}}}},
    )
    (tmp_path / "api.json").write_text(json.dumps(root))
    spec = load_spec(tmp_path / "api.json")
    schema = spec.operations[0].responses["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Pet"}
    assert spec.document["components"]["schemas"]["Pet"]["$ref"].startswith(
        "#/x-mockamocha-files/pet.yaml"
    )


def test_media_types_do_not_share_schema_objects() -> None:
    response = {"description": "ok", "schema": {"type": "object"}}
    operation = converted_op(
        op2(responses={"200": response}), method="get", produces=["application/json", "text/json"]
    )
    content = operation["responses"]["200"]["content"]
    assert content["application/json"]["schema"] is not content["text/json"]["schema"]


# -- round trips ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    op: str
    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


BEARER = {"Authorization": "Bearer t0ken"}
BASIC = {"Authorization": "Basic dTpw"}
JSON_TYPE = {"Content-Type": "application/json"}
BOUNDARY = "b0undary"
UPLOAD = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="additionalMetadata"\r\n\r\n'
    "front\r\n"
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="file"; filename="rex.png"\r\n'
    "Content-Type: image/png\r\n\r\n"
    "PNGDATA\r\n"
    f"--{BOUNDARY}--\r\n"
).encode()
PET = b'{"name": "rex", "photoUrls": ["https://example.com/rex.png"], "tag": null}'

CALLS: dict[str, list[Call]] = {
    "minimal.yaml": [Call("listPets", "GET", "/pets", [("limit", "3")])],
    "petstore.yaml": [
        Call("addPet", "POST", "/pet", headers={**BEARER, **JSON_TYPE}, body=PET),
        Call(
            "findPetsByStatus",
            "GET",
            "/pet/findByStatus",
            [("status", "available"), ("status", "sold")],
            BEARER,
        ),
        Call("findPetsByTags", "GET", "/pet/findByTags", [("tags", "a,b")], BEARER),
        Call("getPetById", "GET", "/pet/10", headers={"api_key": "k"}),
        Call(
            "updatePetWithForm",
            "POST",
            "/pet/10",
            headers={**BEARER, "Content-Type": "application/x-www-form-urlencoded"},
            body=b"name=rex&status=sold",
        ),
        Call("deletePet", "DELETE", "/pet/10", headers={**BEARER, "api_key": "k"}),
        Call(
            "uploadFile",
            "POST",
            "/pet/10/uploadImage",
            headers={**BEARER, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            body=UPLOAD,
        ),
        Call("getInventory", "GET", "/store/inventory", headers={"api_key": "k"}),
        Call(
            "placeOrder",
            "POST",
            "/store/order",
            headers=JSON_TYPE,
            body=b'{"petId": 10, "quantity": 2}',
        ),
        Call("getOrderById", "GET", "/store/order/3"),
        Call(
            "createUsersWithListInput",
            "POST",
            "/user/createWithList",
            headers=JSON_TYPE,
            body=b'[{"username": "theUser"}]',
        ),
        Call("loginUser", "GET", "/user/login", [("username", "u"), ("password", "p")]),
    ],
    "security.json": [
        Call("listNotes", "GET", "/notes", [("limit", "5"), ("q", "milk")], {"X-API-Key": "k"}),
        Call(
            "createNote", "POST", "/notes", headers={**BASIC, **JSON_TYPE}, body=b'{"text": "hi"}'
        ),
        Call("getNote", "GET", "/notes/n1", [("api_key", "k")]),
        Call("deleteNote", "DELETE", "/notes/n1", headers=BEARER),
        Call("health", "GET", "/health"),
        Call("startJob", "POST", "/jobs", headers=BEARER),
    ],
    "inventory.yaml": [
        Call(
            "listItems",
            "GET",
            "/items",
            [
                ("pageSize", "10"),
                ("ids", "1,2"),
                ("colors", "red blue"),
                ("sizes", "s|m"),
                ("labels", "x"),
                ("warehouse", "north"),
                ("warehouse", "south"),
            ],
            {"X-Trace": "a,b"},
        ),
        Call("replaceItem", "PUT", "/items/abc", headers=JSON_TYPE, body=b'{"name": "chair"}'),
        Call(
            "patchItem",
            "PATCH",
            "/items/abc",
            headers={"Content-Type": "application/merge-patch+json"},
            body=b'{"name": "chair", "price": null}',
        ),
        Call("getBins", "GET", "/bins/a,1,2"),
        Call("downloadLabel", "GET", "/labels/abc.pdf"),
        Call(
            "addAnimal",
            "POST",
            "/animals",
            headers=JSON_TYPE,
            body=b'{"kind": "cat", "name": "tom"}',
        ),
    ],
}


def test_every_document_has_calls_for_every_operation() -> None:
    assert sorted(CALLS) == sorted(DOCUMENTS) == sorted(p.name for p in SWAGGER2.iterdir())
    for name, calls in CALLS.items():
        spec = load_spec(SWAGGER2 / name)
        assert sorted(c.op for c in calls) == sorted(str(o.operation_id) for o in spec.operations)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_converted_document_is_valid_openapi_3(name: str) -> None:
    doc = parse_text((SWAGGER2 / name).read_bytes(), name)
    validate(convert(doc, source=name))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_converted_document_loads(name: str) -> None:
    spec = load_spec(SWAGGER2 / name)
    assert spec.version == "3.0"
    assert spec.document["openapi"] == "3.0.3"
    assert spec.warnings == ()


@pytest.mark.parametrize(
    ("name", "call"),
    [(name, call) for name, calls in CALLS.items() for call in calls],
    ids=[f"{name.split('.')[0]}-{call.op}" for name, calls in CALLS.items() for call in calls],
)
def test_engine_answers_converted_operations_within_the_contract(name: str, call: Call) -> None:
    engine = Engine()
    collection = engine.add(load_spec(SWAGGER2 / name))
    request = MockRequest(
        call.method,
        call.path,
        query=MultiDict(call.query),
        headers=Headers(call.headers),
        body=call.body,
    )
    response = engine.handle(collection.slug, request)
    assert 200 <= response.status < 300, response.body
    op = collection.operation(call.op)
    problems = collection.validator.response(
        op, response.status, response.body, Headers(response.headers), response.content_type or ""
    )
    assert problems == []


def test_engine_enforces_converted_security() -> None:
    engine = Engine()
    collection = engine.add(load_spec(SWAGGER2 / "security.json"))
    assert engine.handle(collection.slug, MockRequest("DELETE", "/notes/n1")).status == 401
    assert engine.handle(collection.slug, MockRequest("GET", "/notes/n1")).status == 401


def test_engine_rejects_requests_breaking_converted_parameters() -> None:
    engine = Engine()
    collection = engine.add(load_spec(SWAGGER2 / "petstore.yaml"))
    bad = MockRequest(
        "GET", "/pet/findByStatus", query=MultiDict([("status", "lost")]), headers=Headers(BEARER)
    )
    assert engine.handle(collection.slug, bad).status in (400, 422)
    upload = MockRequest(
        "POST",
        "/pet/10/uploadImage",
        headers=Headers({**BEARER, "Content-Type": "application/json"}),
        body=b"{}",
    )
    assert 400 <= engine.handle(collection.slug, upload).status < 500


def test_response_examples_without_a_schema_become_content() -> None:
    doc = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/": {"get": {"responses": {"200": {
            "description": "versions",
            "examples": {"application/json": {"versions": ["v1"]}},
        }}}}},
    }
    converted = convert(doc, source="t.json")
    response = converted["paths"]["/"]["get"]["responses"]["200"]
    assert response["content"] == {"application/json": {"example": {"versions": ["v1"]}}}
