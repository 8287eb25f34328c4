"""Path parameters in every style OpenAPI allows there, routed and validated; and the
header parameters OpenAPI says to ignore."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine.router import RouteMatch, RouteMiss, Router
from pytest_mockamocha.engine.validate.fastcheck import FastRequestCheck
from pytest_mockamocha.engine.validate.violations import ContractValidator
from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.spec.loader import load_text

SPEC = """
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pets:
    get: {responses: {"200": {description: ok}}}
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
  /p/{prim}/{arr}/{obj}:
    get:
      parameters:
        - {name: prim, in: path, required: true, schema: {type: integer}}
        - {name: arr, in: path, required: true, schema: {type: array, items: {type: integer}}}
        - name: obj
          in: path
          required: true
          schema: {type: object, properties: {R: {type: integer}, G: {type: integer}}}
      responses: {"200": {description: ok}}
  /p/label/{prim}/{arr}/{obj}:
    parameters:
      - {name: prim, in: path, required: true, style: label, schema: {type: integer}}
      - {name: arr, in: path, required: true, style: label, explode: true,
         schema: {type: array, items: {type: integer}}}
      - name: obj
        in: path
        required: true
        style: label
        schema: {type: object, properties: {R: {type: integer}, G: {type: integer}}}
    get: {responses: {"200": {description: ok}}}
    post: {responses: {"200": {description: ok}}}
  /p/matrix/{prim}/{arr}/{obj}:
    get:
      parameters:
        - {name: prim, in: path, required: true, style: matrix, schema: {type: integer}}
        - {name: arr, in: path, required: true, style: matrix,
           schema: {type: array, items: {type: integer}}}
        - name: obj
          in: path
          required: true
          style: matrix
          explode: true
          schema: {type: object, properties: {R: {type: integer}, G: {type: integer}}}
      responses: {"200": {description: ok}}
  /mixed/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, style: matrix, schema: {type: integer}}
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema: {type: object, properties: {q: {type: string}}}
        - name: accept
          in: header
          schema: {type: string, enum: [application/json]}
      responses: {"200": {description: ok}}
  /ask:
    post:
      parameters:
        - {name: accept, in: header, schema: {type: string, enum: [application/json]}}
      responses: {"200": {description: ok}}
"""


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_text(SPEC, slug="styles")


@pytest.fixture(scope="module")
def router(spec) -> Router:  # type: ignore[no-untyped-def]
    return Router(spec.operations)


@pytest.fixture(scope="module", params=["fast", "openapi-core"])
def validator(request, spec) -> ContractValidator:  # type: ignore[no-untyped-def]
    generator = SchemaGenerator(spec.document, spec.version)
    fast = FastRequestCheck(spec.document, lambda: generator)
    if request.param == "fast":
        return ContractValidator(spec, fast=fast)
    # the slow path still needs ours for the styles openapi-core cannot read
    validator = ContractValidator(spec, fast=fast)
    fast.plan_for = lambda op: None  # type: ignore[method-assign]
    return validator


def _check(router: Router, validator: ContractValidator, method: str, path: str, **kw):  # type: ignore[no-untyped-def]
    found = router.match(path, method)
    assert isinstance(found, RouteMatch), found
    op = found.operation
    return op.path, validator.request(
        op,
        method,
        found.path_params,
        MultiDict(kw.get("query", [])),
        Headers(kw.get("headers", {})),
        {},
        b"",
        "",
    )


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/p/5/3,4/R,1,G,2", "/p/{prim}/{arr}/{obj}"),
        ("/p/5/3/", "/p/{prim}/{arr}/{obj}"),  # an empty object is an empty segment
        ("/p/label/.5/.3.4/.R,1,G,2", "/p/label/{prim}/{arr}/{obj}"),
        ("/p/label/.5/.3/", "/p/label/{prim}/{arr}/{obj}"),
        ("/p/matrix/;prim=5/;arr=3,4/;R=1;G=2", "/p/matrix/{prim}/{arr}/{obj}"),
        ("/p/matrix/;prim=5/;arr=3/", "/p/matrix/{prim}/{arr}/{obj}"),
        ("/mixed/;id=7", "/mixed/{id}"),
    ],
)
def test_a_correctly_serialised_path_is_routed_and_accepted(
    router, validator, path, template
) -> None:  # type: ignore[no-untyped-def]
    got, violations = _check(router, validator, "GET", path)
    assert got == template
    assert violations == []


def test_the_static_segment_wins_also_with_an_empty_last_segment(router) -> None:  # type: ignore[no-untyped-def]
    found = router.match("/p/label/.5/.3/", "POST")
    assert isinstance(found, RouteMatch)
    assert found.operation.path == "/p/label/{prim}/{arr}/{obj}"
    assert found.path_params == {"prim": ".5", "arr": ".3", "obj": ""}


def test_a_trailing_slash_still_means_the_collection(router) -> None:  # type: ignore[no-untyped-def]
    found = router.match("/pets/", "GET")
    assert isinstance(found, RouteMatch)
    assert found.operation.path == "/pets"
    assert isinstance(router.match("/nowhere/", "GET"), RouteMiss)


@pytest.mark.parametrize(
    ("path", "name", "words"),
    [
        ("/p/label/5/.3/", "prim", "label style"),  # no leading dot
        ("/p/label/.x/.3/", "prim", "integer"),
        ("/p/label/.5/.3.x/", "arr", "integer"),
        ("/p/matrix/5/;arr=3/", "prim", "matrix style"),
        ("/p/matrix/;other=5/;arr=3/", "prim", "matrix style"),
        ("/p/matrix/;prim=5/;arr=3/;R=x", "obj", "integer"),
        ("/p/5/3/R,1,G", "obj", "key,value"),
        ("/mixed/7", "id", "matrix style"),
    ],
)
def test_a_wrongly_serialised_path_parameter_is_named(router, validator, path, name, words) -> None:  # type: ignore[no-untyped-def]
    _, violations = _check(router, validator, "GET", path)
    assert [(v.location, v.name) for v in violations] == [("path", name)]
    assert words in violations[0].message


def test_an_empty_label_primitive_is_a_missing_value(router, validator) -> None:  # type: ignore[no-untyped-def]
    _, violations = _check(router, validator, "GET", "/p/label//.3/")
    assert [(v.name, v.message) for v in violations] == [("prim", "required parameter is missing")]


@pytest.mark.parametrize("path", ["/ask", "/mixed/;id=1"])
def test_accept_header_parameters_are_ignored_as_openapi_says(router, validator, path) -> None:  # type: ignore[no-untyped-def]
    method = "POST" if path == "/ask" else "GET"
    _, violations = _check(
        router, validator, method, path, headers={"Accept": "application/json, */*;q=0.8"}
    )
    assert violations == []
