"""A fast path for validating the common request: primitive parameters and JSON bodies.

openapi-core walks the spec through ``SchemaPath`` objects on every call, which costs
hundreds of microseconds per request. Most operations declare only primitive
parameters in their default styles and JSON bodies: for those, a plan compiled once per
operation casts and validates with cached jsonschema validators (the same OAS 3.0/3.1
validator classes openapi-core uses). Anything else returns ``None`` from ``plan_for``
and goes to openapi-core unchanged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import Headers

from pytest_mockamocha.engine.media import is_json
from pytest_mockamocha.engine.violations import Violation
from pytest_mockamocha.generate import SchemaGenerator
from pytest_mockamocha.spec import pointer as jp
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import Operation, Parameter

_PRIMITIVES = ("string", "integer", "number", "boolean")
_PLAIN_KEYWORDS = frozenset(
    {
        "type",
        "format",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "default",
        "example",
        "examples",
        "description",
        "title",
        "deprecated",
        "const",
        "readOnly",
        "writeOnly",
    }
)
_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


class _CastError(ValueError):
    pass


def _cast(kind: str) -> Callable[[str], Any]:
    def integer(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise _CastError(f"{text!r} is not a valid integer") from None

    def number(text: str) -> float | int:
        try:
            return int(text) if text.lstrip("-").isdigit() else float(text)
        except ValueError:
            raise _CastError(f"{text!r} is not a valid number") from None

    def boolean(text: str) -> bool:
        lowered = text.lower()
        if lowered not in ("true", "false"):
            raise _CastError(f"{text!r} is not a valid boolean")
        return lowered == "true"

    return {"integer": integer, "number": number, "boolean": boolean}.get(kind, str)


@dataclass(frozen=True, slots=True)
class _ParamPlan:
    param: Parameter
    schema: Mapping[str, Any]
    cast: Callable[[str], Any]
    array: bool  # a query array, form style: repeated keys or comma-separated
    explode: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    params: tuple[_ParamPlan, ...]
    #: media type -> schema for JSON bodies; None when the operation has no body
    json_bodies: Mapping[str, Any] | None
    body_required: bool


class FastRequestCheck:
    """Compiled per-operation checks for one document, with openapi-core as the fallback."""

    def __init__(self, document: Mapping[str, Any], generator: SchemaGenerator):
        self._document = document
        self._generator = generator
        self._plans: dict[str, _Plan | None] = {}
        self._lock = threading.Lock()

    def plan_for(self, op: Operation) -> _Plan | None:
        """The compiled plan, or None when openapi-core must handle this operation."""
        with self._lock:
            if op.name in self._plans:
                return self._plans[op.name]
        plan = self._compile(op)
        with self._lock:
            self._plans[op.name] = plan
        return plan

    def check(
        self,
        plan: _Plan,
        path_params: Mapping[str, str],
        query: Any,
        headers: Headers,
        cookies: Mapping[str, str],
        body: bytes,
        content_type: str,
    ) -> list[Violation]:
        """Every violation of the plan's parameters and body."""
        found: list[Violation] = []
        for p in plan.params:
            found.extend(self._param(p, path_params, query, headers, cookies))
        if plan.json_bodies is not None:
            found.extend(self._body(plan, body, content_type))
        return found

    # -- compiling -----------------------------------------------------------------------
    def _compile(self, op: Operation) -> _Plan | None:
        params = []
        for param in op.parameters:
            compiled = self._compile_param(param)
            if compiled is None:
                return None
            params.append(compiled)
        body = deref(self._document, op.request_body) if op.request_body else None
        if body is None:
            return _Plan(tuple(params), None, False)
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, dict) or not content:
            return None
        if not all(is_json(m) and "*" not in m for m in content):
            return None
        # the top-level $ref followed once here, not by the validator on every request
        schemas = {
            m.split(";", 1)[0].strip().lower(): self._follow((n or {}).get("schema"))
            for m, n in content.items()
        }
        return _Plan(tuple(params), schemas, bool(body.get("required", False)))

    def _compile_param(self, param: Parameter) -> _ParamPlan | None:
        if param.has_content or param.name in ("Accept", "Content-Type", "Authorization"):
            return None
        style = param.style or _DEFAULT_STYLE.get(param.location)
        if style != _DEFAULT_STYLE.get(param.location):
            return None
        explode = param.explode if param.explode is not None else style == "form"
        schema = self._follow(param.schema)
        if not _plain(schema, self._document):
            return None
        kind = schema.get("type")
        if kind == "array":
            items = self._follow(schema.get("items"))
            if (
                param.location != "query"
                or not _plain(items, self._document)
                or items.get("type") == "array"
            ):
                return None
            return _ParamPlan(param, schema, _cast(str(items.get("type"))), True, explode)
        return _ParamPlan(param, schema, _cast(str(kind)), False, explode)

    def _follow(self, schema: Any) -> Any:
        """A schema that is only a ``$ref``, replaced by its target, hop by hop (a ``$ref``
        beside other keywords is no plain alias in 3.1, so it is kept as it is)."""
        for _ in range(64):
            if not (isinstance(schema, dict) and set(schema) == {"$ref"}):
                return schema
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                return schema
            try:
                schema = jp.resolve(self._document, jp.split(ref[1:]))
            except KeyError:
                return schema
        return schema

    # -- checking ------------------------------------------------------------------------
    def _param(
        self,
        p: _ParamPlan,
        path_params: Mapping[str, str],
        query: Any,
        headers: Headers,
        cookies: Mapping[str, str],
    ) -> list[Violation]:
        name, location = p.param.name, p.param.location
        if location == "query":
            texts = query.getlist(name)
        elif location == "path":
            texts = [path_params[name]] if name in path_params else []
        elif location == "header":
            # get(), not getlist(): WSGI headers iterate as "Trace-Id" for a "trace_id"
            found = headers.get(name)
            texts = [] if found is None else [found]
        else:
            texts = [cookies[name]] if name in cookies else []
        if not texts:
            if p.param.required:
                return [Violation(location, name, "required parameter is missing")]
            return []
        if texts == [""] and p.param.allow_empty and location == "query":
            return []  # allowEmptyValue: "?flag=" is a valid value
        try:
            if p.array:
                parts = texts if p.explode else texts[0].split(",")
                value: Any = [p.cast(t) for t in parts]
            else:
                value = p.cast(texts[0])
        except _CastError as exc:
            return [Violation(location, name, str(exc))]
        errors = self._generator.errors(p.schema, value, direction="request")
        if not errors:
            return []
        return [Violation(location, name, "; ".join(message for _, message in errors[:5]))]

    def _body(self, plan: _Plan, body: bytes, content_type: str) -> list[Violation]:
        assert plan.json_bodies is not None
        if not body:
            if plan.body_required:
                return [Violation("body", "", "required request body is missing")]
            return []
        media = content_type.split(";", 1)[0].strip().lower()
        if media not in plan.json_bodies:
            declared = ", ".join(plan.json_bodies)
            return [
                Violation(
                    "header",
                    "Content-Type",
                    f"media type {media or 'none'!r} is not one of {declared}",
                )
            ]
        try:
            value = json.loads(body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            return [Violation("body", "", f"not valid {media} ({exc})")]
        except RecursionError:
            return [Violation("body", "", f"not valid {media} (nested too deeply)")]
        schema = plan.json_bodies[media]
        if schema is None:
            return []
        try:
            errors = self._generator.errors(schema, value, direction="request")
        except RecursionError:
            return [Violation("body", "", "the body is nested too deeply to validate")]
        return [Violation("body", path, message) for path, message in errors]


def _plain(schema: Any, document: Mapping[str, Any]) -> bool:
    """A schema of one primitive (or array) type with only simple keywords."""
    if not isinstance(schema, dict) or not set(schema) <= _PLAIN_KEYWORDS | {"items", "nullable"}:
        return False
    kind = schema.get("type")
    if kind == "array":
        return "items" in schema and isinstance(deref(document, schema["items"]), dict)
    return kind in _PRIMITIVES and "items" not in schema
