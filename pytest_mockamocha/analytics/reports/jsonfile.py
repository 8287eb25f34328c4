"""The ``json`` report: the report model as a document, and the JSON Schema it follows.

``REPORT_SCHEMA`` is printed in docs/reports.md; a test keeps the two equal and validates
written reports against it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import orjson

from pytest_mockamocha.errors import ReportError

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
    time_us=_INT,
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
    document_hash={"type": "string"},
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
_RUN = _obj(
    shards={"type": "integer", "minimum": 1},
    settings={"type": "object", "additionalProperties": {"type": "array"}},
    notes=_STRS,
)
REPORT_SCHEMA: Schema = _obj(
    schema={"const": "mockamocha-report"},
    version={"const": 2},
    totals=_obj(requests=_INT, violations=_INT, unmatched=_INT, operations=_RATIO),
    run=_RUN,
    collections={"type": "array", "items": _COLLECTION},
    tests={"type": "array", "items": _TEST},
)


def render(model: Mapping[str, Any]) -> str:
    """The report as indented JSON (orjson: a tenth of the time of ``json`` on a combined
    report of a large document)."""
    return orjson.dumps(model, option=orjson.OPT_INDENT_2).decode() + "\n"


def load(data: str | bytes, source: str = "") -> dict[str, Any]:
    """A saved report, checked: version 2 against ``REPORT_SCHEMA``, version 1 for its
    identity. ``ReportError`` (naming ``source``) when it is not valid JSON (a truncated
    file), not a mockamocha report, of an unknown version or off the schema."""
    try:
        model = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ReportError(
            f"not valid JSON, cut short or corrupt? ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})",
            source=source,
        ) from None
    if not isinstance(model, dict) or model.get("schema") != "mockamocha-report":
        raise ReportError(
            'not a mockamocha JSON report (no "schema": "mockamocha-report")', source=source
        )
    version = model.get("version")
    if version not in (1, 2):
        raise ReportError(
            f"unsupported report version {version!r} (this release reads 1 and 2)", source=source
        )
    if version == 2 and not _validator().is_valid(model):
        problem = next(_validator().iter_errors(model), None)
        if problem is not None:
            where = "/" + "/".join(str(part) for part in problem.instance_path)
            raise ReportError(f"off the report schema at {where}: {problem.message}", source=source)
    return model


@functools.cache
def _validator() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(REPORT_SCHEMA)
