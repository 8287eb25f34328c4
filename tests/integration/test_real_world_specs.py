"""Looseness real documents have, served as OpenAPI means it: header parameters OpenAPI
says to ignore (Accept, Content-Type, Authorization), mutualTLS, 3.1 binary bodies, unknown
$schema dialects."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec

OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}


def document(version: str, paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[MockServer] = []

    def start(doc: dict[str, Any]) -> str:
        path = tmp_path / f"spec{len(servers)}.json"
        path.write_text(json.dumps(doc))
        server = MockServer().start()
        servers.append(server)
        server.add_spec(load_spec(path, cache_dir=tmp_path / "cache"), "api")
        return server.url_for("api")

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("name", ["Accept", "content-type"])
def test_accept_and_content_type_header_parameters_are_ignored(serve: Any, name: str) -> None:
    param = {"name": name, "in": "header", "required": True, "schema": {"enum": ["x/y"]}}
    url = serve(document("3.0.3", {"/a": {"get": {"parameters": [param], "responses": OK}}}))
    assert requests.get(url + "/a", timeout=5).status_code == 200


def test_an_authorization_header_parameter_is_ignored_as_openapi_says(serve: Any) -> None:
    param = {
        "name": "Authorization",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^Token "},
    }
    url = serve(document("3.0.3", {"/a": {"get": {"parameters": [param], "responses": OK}}}))
    assert requests.get(url + "/a", timeout=5).status_code == 200
    assert requests.get(url + "/a", headers={"Authorization": "x"}, timeout=5).status_code == 200


def test_mutual_tls_counts_as_satisfied(serve: Any) -> None:
    doc = document(
        "3.1.0",
        {"/a": {"get": {"security": [{"mtls": []}], "responses": OK}}},
        components={"securitySchemes": {"mtls": {"type": "mutualTLS"}}},
    )
    assert requests.get(serve(doc) + "/a", timeout=5).status_code == 200


def test_a_31_binary_body_is_accepted(serve: Any) -> None:
    body = {
        "required": True,
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
            }
        },
    }
    url = serve(document("3.1.0", {"/upload": {"post": {"requestBody": body, "responses": OK}}}))
    sent = requests.post(
        url + "/upload",
        data=bytes(range(256)),
        headers={"Content-Type": "application/octet-stream"},
        timeout=5,
    )
    assert sent.status_code == 200, sent.text


def test_an_unknown_schema_dialect_is_dropped_with_a_warning(serve: Any, tmp_path: Path) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-05/schema#",
        "type": "object",
        "properties": {"n": {"type": "integer"}},
    }
    body = {"content": {"application/json": {"schema": schema}}}
    doc = document("3.1.0", {"/a": {"post": {"requestBody": body, "responses": OK}}})
    path = tmp_path / "dialect.json"
    path.write_text(json.dumps(doc))
    spec = load_spec(path, cache_dir=tmp_path / "cache")
    assert any("$schema" in str(w) and "draft-05" in str(w) for w in spec.warnings)
    url = serve(doc)
    assert requests.post(url + "/a", json={"n": 1}, timeout=5).status_code == 200
    assert requests.post(url + "/a", json={"n": "x"}, timeout=5).status_code == 400


def test_prices_on_a_cent_grid_are_valid_everywhere(serve: Any) -> None:
    """19.99 is a multiple of 0.01 to anyone reading the schema; binary floats say it is
    not. Bodies (the fast path), deepObject queries (openapi-core's path) and answers agree."""
    price = {"type": "number", "multipleOf": 0.01, "minimum": 0}
    item = {"type": "object", "required": ["price"], "properties": {"price": price}}
    body = {"required": True, "content": {"application/json": {"schema": item}}}
    deep = {
        "name": "filter",
        "in": "query",
        "style": "deepObject",
        "explode": True,
        "schema": {"type": "object", "properties": {"max": price}},
    }
    answer = {"200": {"description": "ok", "content": {"application/json": {"schema": item}}}}
    url = serve(
        document(
            "3.0.3",
            {
                "/items": {
                    "post": {"requestBody": body, "responses": answer},
                    "get": {"parameters": [deep], "responses": answer},
                }
            },
        )
    )
    for value in (19.99, 78.54, 0.07, 4.35, 1234.56):
        sent = requests.post(url + "/items", json={"price": value}, timeout=5)
        assert sent.status_code == 200, (value, sent.text)
        got = requests.get(url + "/items", params={"filter[max]": str(value)}, timeout=5)
        assert got.status_code == 200, (value, got.text)
    off_grid = requests.post(url + "/items", json={"price": 19.995}, timeout=5)
    assert off_grid.status_code == 400
    assert "19.995 is not a multiple of 0.01" in off_grid.text


def test_an_example_price_on_the_cent_grid_is_served(serve: Any) -> None:
    item = {"type": "object", "properties": {"price": {"type": "number", "multipleOf": 0.01}}}
    media = {"schema": item, "example": {"price": 19.99}}
    ok = {"200": {"description": "ok", "content": {"application/json": media}}}
    url = serve(document("3.0.3", {"/i": {"get": {"responses": ok}}}))
    assert requests.get(url + "/i", timeout=5).json() == {"price": 19.99}


# -- schemas no value satisfies: answered with the closest value, never a 5xx --------------
NODE = {
    "type": "object",
    "required": ["name", "child"],
    "properties": {"name": {"type": "string"}, "child": {"$ref": "#/components/schemas/Node"}},
}


def _with_schema(schema: dict[str, Any], components: dict[str, Any] | None = None) -> Any:
    body = {"application/json": {"schema": schema}}
    paths = {"/thing": {"get": {"responses": {"200": {"description": "ok", "content": body}}}}}
    return document("3.0.3", paths, components={"schemas": components or {}})


def test_a_required_property_that_recurses_for_ever_is_answered_cut_short(serve: Any) -> None:
    url = serve(_with_schema({"$ref": "#/components/schemas/Node"}, {"Node": NODE}))
    response = requests.get(url + "/thing", timeout=10)
    assert response.status_code == 200, response.text
    depth, node = 0, response.json()
    while node.get("child"):
        depth, node = depth + 1, node["child"]
    assert 3 <= depth <= 12  # nested a few levels, then ended


def test_the_best_effort_answer_is_journaled_and_lint_agrees(tmp_path: Path) -> None:
    path = tmp_path / "rec.json"
    path.write_text(json.dumps(_with_schema({"$ref": "#/components/schemas/Node"}, {"Node": NODE})))
    with MockServer() as server:
        server.add_spec(load_spec(path, cache_dir=tmp_path / "cache"), "rec")
        assert requests.get(server.url_for("rec", "/thing"), timeout=10).status_code == 200
        (record,) = server.engine.journal.records(collection="rec")
    assert record.source == "unsatisfiable"
    lint = subprocess.run(
        [sys.executable, "-m", "pytest_mockamocha.cli", "lint", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert "served best effort" in lint.stdout


def test_paths_declared_with_a_trailing_slash_answer_and_never_redirect(serve: Any) -> None:
    item = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    paths = {
        "/circuits/circuit-types/": {"get": {"responses": OK}},
        "/circuits/circuit-types/{id}/": {"get": {"parameters": [item], "responses": OK}},
    }
    url = serve(document("3.0.3", paths))
    for path in ("/circuits/circuit-types/", "/circuits/circuit-types/3/"):
        response = requests.get(url + path, timeout=10, allow_redirects=False)
        assert response.status_code == 200, (path, response.status_code, response.text)
