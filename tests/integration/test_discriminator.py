"""Discriminators through the real server: the value picks the schema (mapping, implicit
names, allOf-based subtypes, anyOf) on the fast path and on openapi-core's, responses are
checked alike, and an empty multipart body says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.datastructures import Headers

from pytest_mockamocha.engine.validate.violations import ContractValidator
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec

REF = "#/components/schemas/"
OK = {
    "200": {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": REF + "Pets"}}},
    }
}


def pet(extra: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["petType", extra],
        "properties": {"petType": {"type": "string"}, extra: {"type": "boolean"}},
    }


def document(version: str) -> dict[str, Any]:
    cat, dog = {"$ref": REF + "Cat"}, {"$ref": REF + "Dog"}
    tag = {"propertyName": "petType"}
    schemas = {
        "Cat": pet("hunts"),
        "Dog": pet("barks"),
        "Pets": {
            "oneOf": [cat, dog],
            "discriminator": {**tag, "mapping": {"cat": REF + "Cat", "dog": "Dog"}},
        },
        "Named": {"anyOf": [cat, dog], "discriminator": tag},
        "Animal": {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string"}},
            "discriminator": {"propertyName": "kind"},
        },
        "Lion": {"allOf": [{"$ref": REF + "Animal"}, {"required": ["mane"]}]},
        "Wolf": {"allOf": [{"$ref": REF + "Animal"}, {"required": ["pack"]}]},
        "Either": {"oneOf": [{"$ref": REF + "Lion"}, {"$ref": REF + "Wolf"}]},
    }
    deep = {
        "name": "f",
        "in": "query",
        "style": "deepObject",
        "explode": True,
        "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
    }

    def post(schema: str, *params: Any) -> dict[str, Any]:
        body = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF + schema}}},
        }
        return {"post": {"parameters": list(params), "requestBody": body, "responses": OK}}

    form = {
        "type": "object",
        "required": ["a", "b"],
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
    }
    upload = {
        "post": {
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": form}}},
            "responses": OK,
        }
    }
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/pets": post("Pets"),
            "/core/pets": post("Pets", deep),  # deepObject: openapi-core validates it
            "/named": post("Named"),
            "/animals": post("Animal"),
            "/core/animals": post("Animal", deep),
            "/either": post("Either"),
            "/core/either": post("Either", deep),
            "/upload": upload,
        },
        "components": {"schemas": schemas},
    }


@pytest.fixture(params=["3.0.3", "3.1.0"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document(request.param)))
    server = MockServer().start()
    try:
        server.add_spec(load_spec(path, cache_dir=tmp_path / "cache"), "api")
        yield server.url_for("api")
    finally:
        server.stop()


def violations(response: requests.Response) -> list[str]:
    assert response.status_code in (400, 422), response.text
    return [
        f"{v['location']}.{v['name']}: {v['message']}"
        if v["name"]
        else f"{v['location']}: {v['message']}"
        for v in response.json()["violations"]
    ]


@pytest.mark.parametrize("route", ["/pets", "/core/pets"])
def test_the_mapping_picks_the_branch(url: str, route: str) -> None:
    both = {"petType": "cat", "hunts": True, "barks": True}
    assert requests.post(url + route, json=both, timeout=5).status_code == 200
    sent = requests.post(url + route, json={"petType": "dog", "hunts": True}, timeout=5)
    assert violations(sent) == ["body: 'barks' is a required property"]


@pytest.mark.parametrize("route", ["/pets", "/core/pets"])
def test_an_unknown_value_is_named(url: str, route: str) -> None:
    sent = requests.post(url + route, json={"petType": "mock"}, timeout=5)
    assert violations(sent) == [
        "body.petType: 'mock' is not one of the discriminator's values (cat, dog)"
    ]
    sent = requests.post(url + route, json={"hunts": True}, timeout=5)
    assert violations(sent) == ["body: the discriminator property 'petType' is missing"]


def test_implicit_names_with_any_of(url: str) -> None:
    ok = {"petType": "Dog", "barks": False}
    assert requests.post(url + "/named", json=ok, timeout=5).status_code == 200
    sent = requests.post(url + "/named", json={"petType": "dog", "barks": False}, timeout=5)
    assert violations(sent) == [
        "body.petType: 'dog' is not one of the discriminator's values (Cat, Dog)"
    ]


@pytest.mark.parametrize("prefix", ["", "/core"])
def test_all_of_subtypes(url: str, prefix: str) -> None:
    lion = {"kind": "Lion", "mane": True, "pack": 3}  # fits Lion and Wolf
    assert requests.post(url + prefix + "/either", json=lion, timeout=5).status_code == 200
    assert requests.post(url + prefix + "/animals", json=lion, timeout=5).status_code == 200
    sent = requests.post(url + prefix + "/animals", json={"kind": "Wolf"}, timeout=5)
    assert violations(sent) == ["body: 'pack' is a required property"]


def test_generated_responses_follow_the_discriminator(url: str) -> None:
    for _ in range(3):
        got = requests.post(url + "/pets", json={"petType": "cat", "hunts": True}, timeout=5)
        assert got.status_code == 200
        value = got.json()
        assert ("hunts" if value["petType"] == "cat" else "barks") in value


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_response_validation_honours_the_discriminator(tmp_path: Path, version: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document(version)))
    spec = load_spec(path, cache_dir=tmp_path / "cache")
    op = next(o for o in spec.operations if o.path == "/pets")
    check = ContractValidator(spec)

    def problems(value: Any) -> list[str]:
        body = json.dumps(value).encode()
        return [str(v) for v in check.response(op, 200, body, Headers(), "application/json")]

    assert problems({"petType": "cat", "hunts": True, "barks": True}) == []
    assert problems({"petType": "mock"}) == [
        "response.petType: 'mock' is not one of the discriminator's values (cat, dog)"
    ]


def test_an_empty_multipart_body_says_so(url: str) -> None:
    sent = requests.post(
        url + "/upload",
        data=b"--xyz--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        timeout=5,
    )
    assert violations(sent) == ["body: the multipart body has no parts; required fields: a, b"]
