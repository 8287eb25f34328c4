"""The ``json`` report: the report model as a document, and the JSON Schema it follows.

``REPORT_SCHEMA`` is printed in docs/reports.md; a test keeps the two equal and validates
written reports against it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Schema = dict[str, Any]
_INT: Schema = {"type": "integer", "minimum": 0}
_STRS: Schema = {"type": "array", "items": {"type": "string"}}
_COUNTS: Schema = {"type": "object", "additionalProperties": _INT}


def _obj(**props: Schema) -> Schema:
    return {
        "type": "object",
        "required": sorted(props),
        "additionalProperties": False,
        "properties": props,
    }


_RATIO = _obj(hit=_INT, declared=_INT, percent={"type": "number", "minimum": 0, "maximum": 100})
_OPERATION = _obj(
    name={"type": "string"},
    operation_id={"type": ["string", "null"]},
    deprecated={"type": "boolean"},
    hits=_INT,
    valid_hits=_INT,
    avg_response_ms={"type": "number", "minimum": 0},
    statuses=_COUNTS,
    declared_statuses=_STRS,
    statuses_hit=_STRS,
    statuses_missing=_STRS,
    undeclared_statuses=_STRS,
    params_declared=_STRS,
    params_sent=_STRS,
    params_missing=_STRS,
)
_COLLECTION = _obj(
    slug={"type": "string"},
    title={"type": "string"},
    requests=_INT,
    violations=_INT,
    unmatched=_INT,
    operations=_RATIO,
    responses=_RATIO,
    parameters=_RATIO,
    uncovered=_STRS,
    deprecated={"type": "array", "items": _obj(name={"type": "string"}, hits=_INT)},
    operation_list={"type": "array", "items": _OPERATION},
    problems=_STRS,
    warnings=_STRS,
)
_TEST = _obj(
    nodeid={"type": "string"},
    requests=_INT,
    operations={
        "type": "array",
        "items": _obj(collection={"type": "string"}, operation={"type": "string"}, count=_INT),
    },
    statuses=_COUNTS,
    violations=_STRS,
)
REPORT_SCHEMA: Schema = _obj(
    schema={"const": "mockamocha-report"},
    version={"const": 1},
    totals=_obj(requests=_INT, violations=_INT, unmatched=_INT, operations=_RATIO),
    collections={"type": "array", "items": _COLLECTION},
    tests={"type": "array", "items": _TEST},
)


def render(model: Mapping[str, Any]) -> str:
    """The report as indented JSON."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def load(text: str) -> dict[str, Any]:
    """A saved report; ValueError when it is not a mockamocha report of a known version."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("schema") != "mockamocha-report":
        raise ValueError('not a mockamocha JSON report (no "schema": "mockamocha-report")')
    if data.get("version") != 1:
        raise ValueError(f"unsupported report version {data.get('version')!r} (this reads 1)")
    return data
