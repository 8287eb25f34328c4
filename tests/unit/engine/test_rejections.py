"""How contract violations are answered when the spec declares its own error responses."""

from __future__ import annotations

import json

from werkzeug.datastructures import Headers

from pytest_mockamocha.engine import Engine, MockRequest
from pytest_mockamocha.spec.loader import load_text

SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
paths:
  /things:
    get:
      security: [{key: []}]
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 10}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {type: string}}}}
        4XX:
          description: any client error
          content:
            application/json:
              schema:
                type: object
                required: [message]
                properties: {message: {type: string}}
"""


def _engine() -> Engine:
    engine = Engine()
    engine.add(load_text(SPEC, slug="t"))
    return engine


def test_missing_credentials_stay_401_under_a_4xx_range() -> None:
    response = _engine().handle("t", MockRequest("GET", "/things"))
    assert response.status == 401
    assert "MockaMocha-Violations" in dict(response.headers)
    assert dict(response.headers)["MockaMocha-Violations"].startswith("security: missing")


def test_a_violation_under_a_4xx_range_serves_the_spec_shaped_body() -> None:
    request = MockRequest("GET", "/things", headers=Headers({"X-Key": "k"}))
    request.query.add("limit", "99")
    response = _engine().handle("t", request)
    assert response.status == 400
    assert "message" in json.loads(response.body)
    assert dict(response.headers)["MockaMocha-Violations"].startswith("query.limit:")
