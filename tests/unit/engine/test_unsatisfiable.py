"""A schema no value satisfies is served best effort, flagged, and never answers 500."""

from __future__ import annotations

import json

from werkzeug.datastructures import Headers

from pytest_mockamocha.engine import Engine, MockRequest
from pytest_mockamocha.spec.loader import load_text

# Two oneOf branches that every object satisfies: no value matches exactly one of them.
SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
components:
  schemas:
    Sloppy:
      oneOf:
        - {type: object, properties: {a: {type: string}}}
        - {type: object, properties: {b: {type: string}}}
paths:
  /things:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Sloppy"}}}
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [n], properties: {n: {type: integer}}}
      responses:
        "201": {description: ok}
        "400":
          description: bad
          content: {application/json: {schema: {$ref: "#/components/schemas/Sloppy"}}}
"""


def _engine() -> Engine:
    engine = Engine()
    engine.add(load_text(SPEC, slug="t"))
    return engine


def test_unsatisfiable_response_is_served_and_flagged() -> None:
    engine = _engine()
    response = engine.handle("t", MockRequest("GET", "/things"))
    assert response.status == 200
    assert isinstance(json.loads(response.body), dict)
    assert engine.journal.records()[-1].source == "unsatisfiable"
    problems = engine.collection("t").responder.unsatisfiable
    assert problems
    assert all("no value satisfies" in p.message for p in problems.values())
    again = engine.handle("t", MockRequest("GET", "/things"))
    assert again.body == response.body
    assert engine.journal.records()[-1].source == "unsatisfiable"


def test_a_rejection_whose_declared_body_is_unsatisfiable_is_still_a_400() -> None:
    response = _engine().handle(
        "t", MockRequest("POST", "/things", headers=Headers({"Content-Type": "application/json"}))
    )
    assert response.status == 400
    assert "MockaMocha-Violations" in dict(response.headers)
