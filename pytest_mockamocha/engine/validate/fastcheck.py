"""A fast path for validating the common request: primitive parameters and JSON bodies.

openapi-core walks the spec through ``SchemaPath`` objects on every call, which costs
hundreds of microseconds per request. Most operations declare only primitive
parameters in their default styles and JSON bodies: for those, a plan compiled once per
operation casts and validates with cached jsonschema validators (the same OAS 3.0/3.1
validator classes openapi-core uses). Anything else returns ``None`` from ``plan_for``
and goes to openapi-core unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers

from pytest_mockamocha import _json as strict_json
from pytest_mockamocha.engine.media import is_json, is_xml
from pytest_mockamocha.engine.validate.violations import (
    IGNORED_HEADERS,
    Violation,
    without_access_flags,
)
from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec import pointer as jp
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import Operation, Parameter
from pytest_mockamocha.spec.parse import parse_text

if TYPE_CHECKING:
    from pytest_mockamocha.generate.schema import SchemaGenerator

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
_PATH_STYLES = ("simple", "label", "matrix")


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
    #: a path parameter's text to its value (label, matrix, simple arrays and objects)
    parse: Callable[[str], Any] | None = None
    #: a compiled "surely valid" test of a primitive value (None: always ask jsonschema)
    quick: Callable[[Any], bool] | None = None


@dataclass(frozen=True, slots=True)
class _BodyPlan:
    #: declared media type (lower case, without parameters) -> schema: JSON types and
    #: wildcards (``*/*``, ``application/*``), which take what the request says it sends
    schemas: Mapping[str, Any]
    required: bool


@dataclass(frozen=True, slots=True)
class _Plan:
    params: tuple[_ParamPlan, ...]
    #: None when the operation declares no body
    body: _BodyPlan | None


class FastRequestCheck:
    """Compiled per-operation checks for one document, with openapi-core as the fallback."""

    def __init__(self, document: Mapping[str, Any], generator: Callable[[], SchemaGenerator]):
        """``generator`` gives the document's generator, which checks what the compiled
        tests cannot (asked for only then: most requests never need it)."""
        self._document = document
        self._generator_of = generator
        self._plans: dict[str, _Plan | None] = {}
        #: body checks of operations whose parameters openapi-core reads
        self._bodies: dict[str, _BodyPlan | None] = {}
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
        if plan.body is not None:
            found.extend(self.check_body(plan.body, body, content_type))
        return found

    def body_plan_for(self, op: Operation) -> _BodyPlan | None:
        """The compiled body check of an operation whose parameters openapi-core must
        read, or None when openapi-core reads the body too (or there is none)."""
        plan = self.plan_for(op)
        if plan is not None:
            return plan.body
        with self._lock:
            if op.name in self._bodies:
                return self._bodies[op.name]
        body = self._compile_body(op)
        with self._lock:
            self._bodies[op.name] = body
        return body

    def check_param(
        self,
        plan: _ParamPlan,
        path_params: Mapping[str, str],
        query: Any,
        headers: Headers,
        cookies: Mapping[str, str],
    ) -> list[Violation]:
        """The violations of one compiled parameter (see ``styled_path_params``)."""
        return self._param(plan, path_params, query, headers, cookies)

    # -- compiling -----------------------------------------------------------------------
    def styled_path_params(self, op: Operation) -> tuple[_ParamPlan, ...]:
        """Compiled checks of ``op``'s path parameters that openapi-core cannot read (label
        and matrix styles, arrays and objects): used beside openapi-core's other checks."""
        found = []
        for param in op.parameters:
            if param.location == "path" and not param.has_content:
                compiled = self._compile_path(param)
                if compiled is not None and compiled.parse is not None:
                    found.append(compiled)
        return tuple(found)

    def _compile(self, op: Operation) -> _Plan | None:
        params = []
        for param in op.parameters:
            if param.location == "header" and param.name.lower() in IGNORED_HEADERS:
                continue  # described by the request's own headers, not checked as parameters
            compiled = self._compile_param(param)
            if compiled is None:
                return None
            params.append(compiled)
        if not op.request_body:
            return _Plan(tuple(params), None)
        body = self._compile_body(op)
        return None if body is None else _Plan(tuple(params), body)

    def _compile_body(self, op: Operation) -> _BodyPlan | None:
        """JSON, XML and wildcard bodies (``*/*``: every Kubernetes operation), or None
        for what openapi-core reads (forms, multipart, plain text)."""
        body = deref(self._document, op.request_body) if op.request_body else None
        if not isinstance(body, dict):
            return None
        content = body.get("content")
        if not isinstance(content, dict) or not content:
            return None
        medias = {str(m).split(";", 1)[0].strip().lower(): n for m, n in content.items()}
        if not all((is_json(m) and "*" not in m) or is_xml(m) or _wildcard(m) for m in medias):
            return None
        # the top-level $ref followed once here, not by the validator on every request
        schemas = {
            m: self._follow(n.get("schema") if isinstance(n, dict) else None)
            for m, n in medias.items()
        }
        return _BodyPlan(schemas, bool(body.get("required", False)))

    def _compile_param(self, param: Parameter) -> _ParamPlan | None:
        if param.has_content:
            return None
        if param.location == "path":
            return self._compile_path(param)
        style = param.style or _DEFAULT_STYLE.get(param.location)
        if style != _DEFAULT_STYLE.get(param.location):
            return None
        explode = param.explode if param.explode is not None else style == "form"
        schema = without_access_flags(self._follow(param.schema))
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
        return _ParamPlan(
            param, schema, _cast(str(kind)), False, explode, quick=_quick_check(schema)
        )

    def _compile_path(self, param: Parameter) -> _ParamPlan | None:
        """Path parameters in every style OpenAPI allows there (simple, label, matrix), of
        primitives, arrays of primitives and objects of primitive properties."""
        style = param.style or "simple"
        if style not in _PATH_STYLES:
            return None
        explode = bool(param.explode)
        schema = without_access_flags(self._follow(param.schema))
        kind = schema.get("type") if isinstance(schema, dict) else None
        if kind == "array":
            items = self._follow(schema.get("items"))
            if not _plain(items, self._document) or items.get("type") == "array":
                return None
            item_cast = _cast(str(items.get("type")))
            parse = _path_parser(param.name, style, explode, "array", lambda _k: item_cast)
            return _ParamPlan(param, schema, str, False, explode, parse)
        if kind == "object":
            props = schema.get("properties") or {}
            casts: dict[str, Callable[[str], Any]] = {}
            for key, raw in props.items() if isinstance(props, dict) else ():
                sub = self._follow(raw)
                if not isinstance(sub, dict):
                    return None
                casts[key] = _cast(str(sub.get("type"))) if _plain(sub, self._document) else str
            parse = _path_parser(param.name, style, explode, "object", lambda k: casts.get(k, str))
            return _ParamPlan(param, schema, str, False, explode, parse)
        if not _plain(schema, self._document):
            return None
        cast = _cast(str(kind))
        if style == "simple":
            return _ParamPlan(param, schema, cast, False, explode, quick=_quick_check(schema))
        return _ParamPlan(
            param,
            schema,
            cast,
            False,
            explode,
            _path_parser(param.name, style, explode, "", lambda _k: cast),
        )

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
        if p.parse is not None:
            try:
                parsed = p.parse(texts[0])
            except _CastError as exc:
                return [Violation(location, name, str(exc))]
            if parsed is _UNDEFINED:
                return [Violation(location, name, "required parameter is missing")]
            errors = self._generator_of().errors(p.schema, parsed, direction="request")
            if not errors:
                return []
            return [Violation(location, name, "; ".join(m for _, m in errors[:5]))]
        try:
            if p.array:
                parts = texts if p.explode else texts[0].split(",")
                value: Any = [p.cast(t) for t in parts]
            else:
                value = p.cast(texts[0])
        except _CastError as exc:
            return [Violation(location, name, str(exc))]
        if p.quick is not None and p.quick(value):
            return []  # surely valid: jsonschema is asked only to word what is wrong
        errors = self._generator_of().errors(p.schema, value, direction="request")
        if not errors:
            return []
        return [Violation(location, name, "; ".join(message for _, message in errors[:5]))]

    def check_body(self, plan: _BodyPlan, body: bytes, content_type: str) -> list[Violation]:
        """Every violation of a compiled body check. A body declared under a wildcard is
        read as the request's ``Content-Type`` says (JSON, YAML, else text), then
        validated as its schema says."""
        if not body:
            if plan.required:
                return [Violation("body", "", "required request body is missing")]
            return []
        media = content_type.split(";", 1)[0].strip().lower()
        declared = _declared_for(media, plan.schemas)
        if declared is None:
            listed = ", ".join(plan.schemas)
            shown = f"media type {media or 'none'!r} is not one of {listed}"
            return [Violation("header", "Content-Type", shown)]
        schema = plan.schemas[declared]
        if _wildcard(declared) and _kind(schema) == "string":
            return []  # "any bytes" (an upload): nothing to read them as
        if is_xml(media):
            return _xml_body(media, body)
        if is_json(media) or (not media and declared == "*/*" and _looks_json(body)):
            try:
                value = strict_json.loads(body)
            except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError and NotJson
                return [Violation("body", "", f"not valid {media or 'JSON'} ({exc})")]
            except RecursionError:
                return [Violation("body", "", f"not valid {media} (nested too deeply)")]
        elif "yaml" in media:
            try:
                value = parse_text(body, "body.yaml")
            except (SpecError, RecursionError) as exc:
                return [Violation("body", "", f"not valid {media} ({exc})")]
        else:
            return _raw_body(media, schema)
        if schema is None:
            return []
        try:
            errors = self._generator_of().errors(schema, value, direction="request")
        except RecursionError:
            return [Violation("body", "", "the body is nested too deeply to validate")]
        return [Violation("body", path, message) for path, message in errors]


def _wildcard(media: str) -> bool:
    """``*/*`` or ``type/*``."""
    kind, _, sub = media.partition("/")
    return sub == "*" and bool(kind)


def _declared_for(media: str, schemas: Mapping[str, Any]) -> str | None:
    """The declared media type a request's ``Content-Type`` falls under: itself, else
    ``type/*``, else ``*/*``."""
    if media in schemas:
        return media
    kind = media.partition("/")[0]
    for key in (f"{kind}/*", "*/*"):
        if key in schemas:
            return key
    return None


def _xml_body(media: str, body: bytes) -> list[Violation]:
    """An XML body must be well-formed XML. Its schema is not applied: OpenAPI's XML
    mapping (attributes, wrapping, namespaces) is not JSON's, and guessing it would refuse
    valid documents."""
    problem = xml_problem(body)
    if problem is None:
        return []
    return [Violation("body", "", f"not well-formed {media} ({problem})")]


def xml_problem(text: bytes | str) -> str | None:
    """Why ``text`` is not well-formed XML, None when it is. A document that declares
    entities is refused: no expansion (the billion laughs), no external fetch."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.EntityDeclHandler = _no_entities
    try:
        parser.Parse(text, True)
    except (expat.ExpatError, ValueError) as exc:
        return str(exc)
    return None


def is_xml_text(value: Any) -> bool:
    """A string that is an XML document already (an example written as the document it
    is, ``"<status code='ok'/>"``): well-formed, and starting with markup."""
    return isinstance(value, str) and value.lstrip().startswith("<") and xml_problem(value) is None


def _no_entities(*_: object) -> None:
    raise ValueError("entity declarations are not accepted")


def _looks_json(body: bytes) -> bool:
    return body.lstrip()[:1] in (b"{", b"[")


def _kind(schema: Any) -> Any:
    return schema.get("type") if isinstance(schema, dict) else None


def _raw_body(media: str, schema: Any) -> list[Violation]:
    """A body of a non-JSON type under a wildcard: its bytes are the value, which only a
    string (or untyped) schema can describe."""
    kind = _kind(schema)
    if kind in (None, "string") or (isinstance(kind, list) and "string" in kind):
        return []
    shown = kind if isinstance(kind, str) else " or ".join(map(str, kind))
    return [
        Violation(
            "body",
            "",
            f"a {media or 'body without Content-Type'} cannot be read as {shown}; this "
            "body is declared as structured data (send it as application/json)",
        )
    ]


_UNDEFINED = object()

#: schema keywords ``_quick_check`` understands (the rest only describe)
_QUICK_KEYWORDS = frozenset(
    {
        "type",
        "format",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "default",
        "example",
        "examples",
        "description",
        "title",
        "deprecated",
        "nullable",
    }
)
_QUICK_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}
#: formats whose check is a range (as the OAS format checkers): the others go to jsonschema
_QUICK_FORMATS: dict[str, Callable[[Any], bool]] = {
    "int32": lambda v: not isinstance(v, int) or -(1 << 31) <= v < 1 << 31,
    "int64": lambda v: not isinstance(v, int) or -(1 << 63) <= v < 1 << 63,
    "float": lambda v: True,
    "double": lambda v: True,
}


def _quick_check(schema: Any) -> Callable[[Any], bool] | None:
    """A fast test that a cast parameter value is valid against a plain schema (type,
    enum, bounds, lengths, range formats), or None when the schema needs jsonschema. It may
    say "not sure" (False) of a valid value, never "valid" of an invalid one: False only
    sends the value on to jsonschema, which words the error."""
    if not isinstance(schema, Mapping) or not set(schema) <= _QUICK_KEYWORDS:
        return None
    kind = schema.get("type")
    fmt = schema.get("format")
    if kind not in _QUICK_TYPES or (fmt is not None and fmt not in _QUICK_FORMATS):
        return None
    tests: list[Callable[[Any], bool]] = [_QUICK_TYPES[kind]]
    if fmt is not None:
        tests.append(_QUICK_FORMATS[fmt])
    enum = schema.get("enum")
    if enum is not None:
        if not isinstance(enum, list):
            return None
        choices = list(enum)
        tests.append(
            lambda v: any(v == c and isinstance(v, bool) == isinstance(c, bool) for c in choices)
        )
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = schema.get(key)
        if bound is None or isinstance(bound, bool):
            continue  # a 3.0 boolean exclusive* only qualifies minimum/maximum
        if not isinstance(bound, (int, float)):
            return None
        tests.append(_bound(key, bound, schema))
    for key in ("minLength", "maxLength"):
        length = schema.get(key)
        if length is None:
            continue
        if not isinstance(length, int) or isinstance(length, bool):
            return None
        tests.append(_length(key, length))
    return lambda value: all(test(value) for test in tests)


def _length(key: str, length: int) -> Callable[[Any], bool]:
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= length
    return lambda v: not isinstance(v, str) or len(v) <= length


def _bound(key: str, bound: float, schema: Mapping[str, Any]) -> Callable[[Any], bool]:
    """One numeric bound, read as OAS 3.0 (boolean exclusive flags) and 3.1 (numbers) do."""

    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if key == "minimum":
        strict = schema.get("exclusiveMinimum") is True
        return lambda v: not number(v) or (v > bound if strict else v >= bound)
    if key == "maximum":
        strict = schema.get("exclusiveMaximum") is True
        return lambda v: not number(v) or (v < bound if strict else v <= bound)
    if key == "exclusiveMinimum":
        return lambda v: not number(v) or v > bound
    return lambda v: not number(v) or v < bound


def _path_parser(
    name: str,
    style: str,
    explode: bool,
    kind: str,
    cast_of: Callable[[str], Callable[[str], Any]] | None,
) -> Callable[[str], Any]:
    """Reads one path segment written in ``style`` (RFC 6570 as OpenAPI uses it):

    ========  ==========  ==================  ======================  ========================
    style     explode     primitive 5         array [3, 4]            object {"R": 1, "G": 2}
    ========  ==========  ==================  ======================  ========================
    simple    either      ``5``               ``3,4``                 ``R,1,G,2`` / ``R=1,G=2``
    label     false/true  ``.5``              ``.3,4`` / ``.3.4``     ``.R,1,G,2`` / ``.R=1.G=2``
    matrix    false/true  ``;id=5``           ``;id=3,4`` /           ``;id=R,1,G,2`` /
                                              ``;id=3;id=4``          ``;R=1;G=2``
    ========  ==========  ==================  ======================  ========================

    An empty segment is an empty array or object (RFC 6570's undefined); for a primitive
    in label or matrix style it is a missing value."""
    prefix = {"label": ".", "matrix": ";"}.get(style, "")
    cast = (cast_of or (lambda _k: str))("")

    def body(text: str) -> str:
        if not text.startswith(prefix):
            shown = {"label": f"'.{text}'", "matrix": f"';{name}={text}'"}[style]
            raise _CastError(f"{text!r} is not in {style} style (for example {shown})")
        return text[len(prefix) :]

    def scalar(text: str) -> Any:
        if not text and style != "simple":
            return _UNDEFINED
        rest = body(text)
        if style == "matrix":
            key, eq, value = rest.partition("=")
            if key != name:
                raise _CastError(f"{text!r} is not in matrix style (for example ';{name}=...')")
            rest = value if eq else ""
        return cast(rest)

    def array(text: str) -> Any:
        if not text:
            return []
        rest = body(text)
        if style == "matrix" and explode:
            parts = []
            for piece in rest.split(";"):
                key, _, value = piece.partition("=")
                if key != name:
                    raise _CastError(f"{piece!r} is not ';{name}=...' (matrix style, exploded)")
                parts.append(value)
        else:
            if style == "matrix":
                key, _, rest = rest.partition("=")
                if key != name:
                    raise _CastError(f"{text!r} is not in matrix style (';{name}=a,b')")
            parts = rest.split("." if style == "label" and explode else ",")
        return [cast(p) for p in parts]

    def obj(text: str) -> Any:
        if not text:
            return {}
        rest = body(text)
        pairs: list[tuple[str, str]] = []
        if explode:
            separator = {"label": ".", "matrix": ";"}.get(style, ",")
            for piece in rest.split(separator):
                key, eq, value = piece.partition("=")
                if not eq:
                    raise _CastError(f"{piece!r} is not key=value ({style} style, exploded)")
                pairs.append((key, value))
        else:
            if style == "matrix":
                key, _, rest = rest.partition("=")
                if key != name:
                    raise _CastError(f"{text!r} is not in matrix style (';{name}=k,v')")
            parts = rest.split(",")
            if len(parts) % 2:
                raise _CastError(f"{text!r} is not a list of key,value pairs ({style} style)")
            pairs = list(zip(parts[::2], parts[1::2], strict=True))
        assert cast_of is not None
        return {key: cast_of(key)(value) for key, value in pairs}

    return {"array": array, "object": obj}.get(kind, scalar)


def _plain(schema: Any, document: Mapping[str, Any]) -> bool:
    """A schema of one primitive (or array) type with only simple keywords."""
    if not isinstance(schema, dict) or not set(schema) <= _PLAIN_KEYWORDS | {"items", "nullable"}:
        return False
    kind = schema.get("type")
    if kind == "array":
        return "items" in schema and isinstance(deref(document, schema["items"]), dict)
    return kind in _PRIMITIVES and "items" not in schema
