"""The specs the integration tests serve: the shipped ones and two written at test time."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

SPECS = Path(__file__).resolve().parents[1] / "data" / "specs"

#: The body limit of the ``small_server`` fixture's servers.
SMALL_BODY_LIMIT = 64 * 1024

#: slug -> spec file under tests/data/specs
SHIPPED = {
    "petstore": "petstore.yaml",
    "api": "multifile/api.yaml",
    "openapi31": "openapi31.yaml",
    "security": "security.yaml",
    "media": "media.yaml",
}

#: A spec of our own with a required parameter in every location.
PARAMS_SPEC = """\
openapi: 3.0.3
info: {title: Parameters in every location, version: '1'}
paths:
  /items/{itemId}:
    parameters:
      - {name: itemId, in: path, required: true, schema: {type: integer, minimum: 1}}
    get:
      operationId: getItem
      parameters:
        - name: X-Tenant
          in: header
          required: true
          schema: {type: string, pattern: '^[a-z]+$'}
          example: acme
        - name: lang
          in: cookie
          required: true
          schema: {type: string, enum: [en, fr]}
        - name: fields
          in: query
          required: true
          schema: {type: array, items: {type: string, enum: [id, name]}, minItems: 1}
        - name: verbose
          in: query
          schema: {type: boolean}
      responses:
        '200':
          description: The item.
          content:
            application/json:
              schema:
                type: object
                required: [id, name]
                properties:
                  id: {type: integer, minimum: 1}
                  name: {type: string}
"""


def large_document() -> dict[str, Any]:
    """The generated 1,190-operation document."""
    spec = importlib.util.spec_from_file_location(
        "mockamocha_generate_large_it", SPECS / "large" / "generate_large.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc: dict[str, Any] = module.build()
    return doc
