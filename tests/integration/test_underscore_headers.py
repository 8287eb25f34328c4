"""Header names with underscores (``api_key``) reach the mock on both servers."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from pytest_mockamocha.server.runtime import MockServer

SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: api_key}
security: [{key: []}]
paths:
  /things:
    get:
      parameters:
        - {name: trace_id, in: header, required: true, schema: {type: string, minLength: 3}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {type: string}}}}
        "401": {description: no key}
"""


@pytest.mark.parametrize("kind", ["waitress", "werkzeug"])
def test_underscore_header_names_are_not_dropped(tmp_path: Path, kind: str) -> None:
    (tmp_path / "t.yaml").write_text(SPEC)
    with MockServer(kind=kind) as server:
        server.add_spec(tmp_path / "t.yaml")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/mocks/t/things", headers={"api_key": "k", "trace_id": "abc"})
        ok = conn.getresponse()
        assert ok.status == 200, ok.read()
        ok.read()
        conn.request("GET", "/mocks/t/things", headers={"trace_id": "abc"})
        missing = conn.getresponse()
        assert missing.status == 401
        missing.read()
        conn.close()
