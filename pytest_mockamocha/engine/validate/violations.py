"""Request and response validation with openapi-core, against an operation we already routed.

openapi-core's own path finder costs milliseconds on large specs and its spec validation
seconds; we build one validator per document with spec validation off, deny every
non-local ref, and hand it the operation our router found. Its schema validators get the
discriminator keywords of ``generate.validate`` (the fast path's), so both paths read a
discriminator alike.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers, ImmutableMultiDict

if TYPE_CHECKING:
    from jsonschema_path import SchemaPath

    from pytest_mockamocha.engine.validate.fastcheck import FastRequestCheck
    from pytest_mockamocha.generate.validate import Discriminators
from pytest_mockamocha import _json as strict_json
from pytest_mockamocha._text import MESSAGE_LIMIT, shorten
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import ApiSpec, Operation, Parameter

#: header parameters OpenAPI says to ignore ("SHALL be ignored"): ``Accept`` and
#: ``Content-Type`` belong to content negotiation, ``Authorization`` to the operation's
#: ``security``, which stays enforced.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})

#: keywords that speak of properties of bodies (sent or received); on a parameter's schema
#: they mean nothing, and a validator reading them would refuse every value
_ACCESS_FLAGS = frozenset({"readOnly", "writeOnly"})


def without_access_flags(schema: Any) -> Any:
    """A parameter's schema without ``readOnly``/``writeOnly`` anywhere in it (``$ref``s
    are not followed; what does not change is shared, not copied)."""
    if isinstance(schema, dict):
        changed = {k: without_access_flags(v) for k, v in schema.items() if k not in _ACCESS_FLAGS}
        if len(changed) == len(schema) and all(changed[k] is schema[k] for k in changed):
            return schema
        return changed
    if isinstance(schema, list):
        items = [without_access_flags(v) for v in schema]
        return schema if all(a is b for a, b in zip(items, schema, strict=True)) else items
    return schema


def _parameters_without_access_flags(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document for openapi-core, its parameter schemas ``without_access_flags`` (a
    ``$ref``'d schema is inlined, stripped, when its target carries a flag). Only the
    parts on the way to a changed schema are copied."""

    def param(raw: Any) -> Any:
        node = deref(document, raw) if isinstance(raw, dict) else raw
        if not isinstance(node, dict) or "schema" not in node:
            return raw
        schema = node["schema"]
        target = deref(document, schema)
        stripped = without_access_flags(target)
        if stripped is target:
            return raw
        return {**node, "schema": stripped}

    def params(raw: Any) -> Any:
        if not isinstance(raw, list):
            return raw
        items = [param(p) for p in raw]
        return raw if all(a is b for a, b in zip(items, raw, strict=True)) else items

    out = dict(document)
    paths = document.get("paths")
    if isinstance(paths, dict):
        new_paths = {}
        for route, item in paths.items():
            if isinstance(item, dict):
                new_item = {k: params(v) if k == "parameters" else v for k, v in item.items()}
                for method, op in item.items():
                    if isinstance(op, dict) and isinstance(op.get("parameters"), list):
                        new_item[method] = {**op, "parameters": params(op["parameters"])}
                item = new_item
            new_paths[route] = item
        out["paths"] = new_paths
    components = document.get("components")
    if isinstance(components, dict) and isinstance(components.get("parameters"), dict):
        out["components"] = {
            **components,
            "parameters": {k: param(v) for k, v in components["parameters"].items()},
        }
    return out


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a request or response breaks the contract."""

    location: str  # path, query, header, cookie, body, security, response
    name: str
    message: str

    def __post_init__(self) -> None:
        # a name or message echoing a huge value would make a huge answer (and journal)
        if len(self.message) > MESSAGE_LIMIT:
            object.__setattr__(self, "message", shorten(self.message))
        if len(self.name) > MESSAGE_LIMIT:
            object.__setattr__(self, "name", shorten(self.name))

    def __str__(self) -> str:
        where = f"{self.location}.{self.name}" if self.name else self.location
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """The JSON form used in problem bodies."""
        return {"location": self.location, "name": self.name, "message": self.message}


class _DenyRemote(dict[str, Any]):
    """Resolver handlers that refuse every scheme: nothing may be fetched during validation."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Any:
        def refuse(uri: str) -> Any:
            raise PermissionError(f"refusing to fetch {uri!r}: specs are loaded offline")

        return refuse


@dataclass(slots=True)
class _CoreRequest:
    parameters: Any
    body: bytes | None
    content_type: str


class ContractValidator:
    """Validates requests and responses of one document's operations."""

    def __init__(self, spec: ApiSpec, fast: FastRequestCheck | None = None):
        self.fast = fast
        self._spec = spec
        components = spec.document.get("components") or {}
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        self._schemes: dict[str, Any] = {
            name: deref(spec.document, raw) for name, raw in (schemes or {}).items()
        }
        self._core: tuple[SchemaPath, Any, Any] | None = None
        self._lock = threading.Lock()

    def _openapi_core(self) -> tuple[SchemaPath, Any, Any]:
        """openapi-core's validators, built (and imported) only when first needed: the fast
        path answers most requests without them."""
        with self._lock:
            if self._core is None:
                self._core = _build_core(self._spec)
            return self._core

    def _nodes(self, op: Operation) -> tuple[SchemaPath, SchemaPath]:
        path_item = self._openapi_core()[0] / "paths" / op.path
        return path_item / op.method.lower(), path_item

    def request(
        self,
        op: Operation,
        method: str,
        path_params: Mapping[str, str],
        query: ImmutableMultiDict[str, str] | Any,
        headers: Headers,
        cookies: Mapping[str, str],
        body: bytes,
        content_type: str,
    ) -> list[Violation]:
        """Every violation of ``op``'s parameters, security and body by this request."""
        missing = self._security(op, query, headers, cookies)
        if missing is not None:
            return [missing]  # like openapi-core: nothing else is checked without credentials
        if self.fast is not None:
            plan = self.fast.plan_for(op)
            if plan is not None:
                return self.fast.check(
                    plan, path_params, query, headers, cookies, body, content_type
                )
        from openapi_core.datatypes import RequestParameters

        operation, path_item = self._nodes(op)
        request = _CoreRequest(
            parameters=RequestParameters(
                query=query, header=headers, cookie=cookies, path=dict(path_params)
            ),
            body=body or None,
            content_type=content_type or "application/octet-stream",
        )
        validator: Any = self._openapi_core()[1]  # private openapi-core API, pinned at 0.23.1
        # JSON and wildcard bodies are ours even here: openapi-core reads a */* body as bytes
        body_plan = self.fast.body_plan_for(op) if self.fast is not None else None
        try:
            with _quiet():
                errors = list(validator._iter_parameters_errors(request, operation, path_item))
                if body_plan is None:
                    errors.extend(validator._iter_body_errors(request, operation))
            found = list(_convert(e for e in errors if not _ignored_header(e)))
        except Exception as exc:  # a body or header openapi-core cannot even parse
            return [Violation("body", "", f"cannot parse the request: {_plain(exc)}")]
        if body_plan is not None:
            assert self.fast is not None
            found.extend(self.fast.check_body(body_plan, body, content_type))
        found = self._empty_multipart(op, found, body, content_type)
        return self._own_checks(op, found, path_params, query, headers, cookies)

    def _empty_multipart(
        self, op: Operation, found: list[Violation], body: bytes, content_type: str
    ) -> list[Violation]:
        """A ``multipart/form-data`` body without parts, said as such instead of whatever
        openapi-core made of it (a missing property per field, or "not available")."""
        media = content_type.split(";", 1)[0].strip().lower()
        if media != "multipart/form-data" or not any(v.location == "body" for v in found):
            return found
        if not _no_parts(body, content_type):
            return found
        request_body = deref(self._spec.document, op.request_body) or {}
        content = request_body.get("content") if isinstance(request_body, dict) else None
        node = next(
            (
                n
                for m, n in (content or {}).items()
                if str(m).split(";", 1)[0].strip().lower() == media
            ),
            None,
        )
        schema = deref(self._spec.document, node.get("schema")) if isinstance(node, dict) else None
        required = schema.get("required") if isinstance(schema, dict) else None
        names = ", ".join(str(n) for n in required) if isinstance(required, list) else ""
        message = "the multipart body has no parts" + (
            f"; required fields: {names}" if names else ""
        )
        return [v for v in found if v.location != "body"] + [Violation("body", "", message)]

    def _own_checks(
        self,
        op: Operation,
        found: list[Violation],
        path_params: Mapping[str, str],
        query: Any,
        headers: Headers,
        cookies: Mapping[str, str],
    ) -> list[Violation]:
        """openapi-core's findings, with the path parameters it cannot read (label,
        matrix, arrays, objects) checked by ours instead."""
        styled = self.fast.styled_path_params(op) if self.fast is not None else ()
        ours = {p.param.name for p in styled}
        kept = [v for v in found if not (v.location == "path" and v.name in ours)]
        kept.extend(_missing_required(self._spec.document, op, kept, query, headers, cookies))
        if styled:
            assert self.fast is not None
            for plan in styled:
                kept.extend(self.fast.check_param(plan, path_params, query, headers, cookies))
        return kept

    def _security(
        self, op: Operation, query: Any, headers: Headers, cookies: Mapping[str, str]
    ) -> Violation | None:
        """Presence of credentials for one of the operation's security requirements."""
        if not op.security:
            return None
        for requirement in op.security:
            if all(self._present(name, query, headers, cookies) for name in requirement):
                return None
        options = " or ".join(" + ".join(r) or "none" for r in op.security)
        return Violation("security", "", f"missing credentials; the operation accepts {options}")

    def _present(self, name: str, query: Any, headers: Headers, cookies: Mapping[str, str]) -> bool:
        scheme = self._schemes.get(name)
        if not isinstance(scheme, dict):
            return True  # an undeclared scheme cannot be checked
        kind = scheme.get("type")
        if kind == "mutualTLS":
            return True  # a client certificate is checked by TLS, before any mock sees HTTP
        if kind == "apiKey":
            where = {"header": headers, "query": query, "cookie": cookies}.get(
                str(scheme.get("in")), headers
            )
            return bool(where.get(str(scheme.get("name", ""))))
        auth = (headers.get("Authorization") or "").strip()
        if kind == "http":
            wanted = str(scheme.get("scheme", "")).lower()
            return auth.lower().startswith(wanted + " ") and len(auth) > len(wanted) + 1
        return auth.lower().startswith("bearer ") and len(auth) > 7

    def response(
        self, op: Operation, status: int, body: bytes, headers: Headers, content_type: str
    ) -> list[Violation]:
        """Every way this response breaks what ``op`` declares."""
        operation, _ = self._nodes(op)
        validator = self._openapi_core()[2]
        errors = validator._iter_errors(status, body, headers, content_type, operation)
        return [Violation("response", v.name, v.message) for v in _convert(errors)]


def _missing_required(
    document: Mapping[str, Any],
    op: Operation,
    found: list[Violation],
    query: Any,
    headers: Headers,
    cookies: Mapping[str, str],
) -> Iterator[Violation]:
    """Required parameters the request leaves out that openapi-core let through: it fills
    a missing parameter from its schema's ``default``, but required means sent."""
    named = {(v.location, v.name) for v in found}
    for param in op.parameters:
        if not param.required or (param.location, param.name) in named:
            continue
        if param.location == "query":
            present = _query_present(param, query, document)
        elif param.location == "header":
            present = param.name.lower() in IGNORED_HEADERS or param.name in headers
        elif param.location == "cookie":
            present = param.name in cookies
        else:
            continue  # a path parameter is there, or the path did not route here
        if not present:
            yield Violation(param.location, param.name, "required parameter is missing")


def _query_present(param: Parameter, query: Any, document: Mapping[str, Any]) -> bool:
    """Whether the query carries ``param``: by its name, as ``name[key]`` for a deepObject,
    and always for an exploded form object (its properties are the keys: nothing says
    which of them make it present)."""
    if param.name in query:
        return True
    if param.style == "deepObject":
        return any(key.startswith(f"{param.name}[") for key in query)
    schema = deref(document, param.schema) if param.schema is not None else None
    kind = schema.get("type") if isinstance(schema, dict) else None
    exploded = param.explode is not False and param.style in (None, "form")
    return exploded and (kind == "object" or (isinstance(schema, dict) and "properties" in schema))


def _ignored_header(error: Exception) -> bool:
    """An error about an ``Accept``, ``Content-Type`` or ``Authorization`` header
    parameter: OpenAPI says such parameter definitions "SHALL be ignored" (names compared
    without case)."""
    location = getattr(error, "location", None)
    name = getattr(error, "name", None)
    return location == "header" and isinstance(name, str) and name.lower() in IGNORED_HEADERS


_QUIET_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence openapi-core's request-time DeprecationWarnings (``allowEmptyValue``,
    deprecated parameters): a suite with ``filterwarnings = error`` would otherwise turn
    them into exceptions inside the server thread, and a valid request into a 400. The
    warning filters are process-wide, so this is serialised; the fast path, which most
    requests take, never needs it."""
    with _QUIET_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def _build_core(spec: ApiSpec) -> tuple[SchemaPath, Any, Any]:
    from jsonschema_path import SchemaPath
    from openapi_core.validation.request.validators import (
        V30RequestValidator,
        V31RequestValidator,
    )
    from openapi_core.validation.response.validators import (
        V30ResponseValidator,
        V31ResponseValidator,
    )

    root = SchemaPath.from_dict(
        _parameters_without_access_flags(spec.document),
        # keys are split at the separator, '#' by default: AWS path keys hold one
        # (/#Action=SendMessage), and their operations were read as empty
        separator="\x00",
        handlers=_DenyRemote(),
        resolved_cache_maxsize=4096,
    )
    from pytest_mockamocha.generate.refs import Refs
    from pytest_mockamocha.generate.validate import Discriminators

    refs = Refs(spec.document)
    tags, answer_tags = Discriminators(refs), Discriminators(refs, tagged=True)
    v31 = spec.version == "3.1"
    extra = _media_deserializers(spec.document)
    request_cls = V31RequestValidator if v31 else V30RequestValidator
    response_cls = V31ResponseValidator if v31 else V30ResponseValidator
    requests = request_cls(
        root, extra_media_type_deserializers=extra, **_shared_checkers(request_cls, tags)
    )
    responses = response_cls(
        root, extra_media_type_deserializers=extra, **_shared_checkers(response_cls, answer_tags)
    )
    return root, requests, responses


def _shared_checkers(validator_cls: Any, tags: Discriminators) -> dict[str, Any]:
    """The validator class's schema factories, minus a deepcopy of the format checker per
    parameter per request (profiled: most of a GET's validation time). We never add
    format validators, so one shared, read-only checker serves every call. The schema
    validator classes get the document's discriminator keywords."""
    casters = copy.copy(validator_cls.schema_casters_factory)
    casters.schema_validators_factory = _shared(casters.schema_validators_factory, tags)
    return {
        "schema_validators_factory": _shared(validator_cls.schema_validators_factory, tags),
        "schema_casters_factory": casters,
    }


def _shared(factory: Any, tags: Discriminators) -> Any:
    from pytest_mockamocha.generate.validate import safe_formats

    shared = copy.copy(factory)
    shared.__class__ = _shared_checker_class(type(factory))
    shared.format_checker = safe_formats(factory.format_checker)
    shared.mockamocha_tags = tags
    shared.mockamocha_classes = {}
    return shared


_SHARED_CLASSES: dict[type, type] = {}


def _shared_checker_class(base: type) -> type:
    if base in _SHARED_CLASSES:
        return _SHARED_CLASSES[base]

    def get_format_checker(
        self: Any, format_validators: Any = None, extra_format_validators: Any = None
    ) -> Any:
        if format_validators is None and extra_format_validators is None:
            return self.format_checker
        return base.get_format_checker(self, format_validators, extra_format_validators)  # type: ignore[attr-defined]

    def get_validator_cls(self: Any, spec: Any, schema: Any) -> Any:
        found = base.get_validator_cls(self, spec, schema)  # type: ignore[attr-defined]
        ours = self.mockamocha_classes.get(found)
        if ours is None:
            from jsonschema.validators import extend

            from pytest_mockamocha.generate.validate import BOUNDED_KEYWORDS

            keywords = {**self.mockamocha_tags.keywords(found), **BOUNDED_KEYWORDS}
            ours = extend(found, keywords)
            self.mockamocha_classes[found] = ours
        return ours

    shared = type(
        f"Shared{base.__name__}",
        (base,),
        {"get_format_checker": get_format_checker, "get_validator_cls": get_validator_cls},
    )
    _SHARED_CLASSES[base] = shared
    return shared


def _json_loads(value: bytes, **parameters: str) -> Any:
    return strict_json.loads(value)


def _text_loads(value: bytes, **parameters: str) -> Any:
    return value.decode(parameters.get("charset", "utf-8"), errors="replace")


def _bytes_as_text(value: bytes, **parameters: str) -> Any:
    return value.decode("latin-1")


def _opaque(media: str) -> bool:
    """A media type openapi-core hands over as raw bytes (octet-stream, images, PDF...)."""
    return not (
        media.endswith(("/json", "+json", "*"))
        or media.startswith(("multipart/", "application/x-www-form-urlencoded"))
    )


def _media_deserializers(document: Mapping[str, Any]) -> dict[str, Any]:
    """Deserializers for the document's JSON-like and text media types openapi-core reads
    as bytes (problem+json, text/csv) or as XML trees (XML bodies are strings to us). Raw
    bytes (octet-stream, images, PDF) become a string: a ``type: string`` body schema
    (``contentMediaType``, ``format: byte`` as Spotify's base64 JPEG upload declares,
    ``maxLength``) is then checked as the string it describes, where openapi-core's
    validators refuse bytes as "not of type 'string'" (3.0's, unless ``format: binary``)."""
    found: dict[str, Any] = {"application/json": _json_loads}  # no NaN or Infinity either
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            content = node.get("content")
            if isinstance(content, dict):
                for media in content:
                    base = str(media).split(";", 1)[0].strip().lower()
                    if base.endswith("+json") and base != "application/vnd.api+json":
                        found[base] = _json_loads
                    elif base.startswith("text/") or base.endswith(("/xml", "+xml")):
                        found[base] = _text_loads
                    elif _opaque(base):
                        found[base] = _bytes_as_text
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return found


def _no_parts(body: bytes, content_type: str) -> bool:
    """Whether a multipart body holds no part: nothing, or only its closing delimiter."""
    boundary = ""
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "boundary":
            boundary = value.strip().strip('"')
    text = body.strip()
    if not text:
        return True
    return bool(boundary) and text == f"--{boundary}--".encode("latin-1", "replace")


def _convert(errors: Iterable[Exception]) -> Iterator[Violation]:
    from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
    from openapi_core.templating.security.exceptions import SecurityNotFound
    from openapi_core.validation.request.exceptions import (
        MissingRequestBody,
        MissingRequiredParameter,
        MissingRequiredRequestBody,
        ParameterValidationError,
        RequestBodyValidationError,
        SecurityValidationError,
    )

    for error in errors:
        cause = error.__cause__
        if isinstance(error, MissingRequestBody):
            continue  # an optional body that was not sent
        if isinstance(error, MissingRequiredParameter):
            yield Violation(error.location, error.name, "required parameter is missing")
        elif isinstance(error, ParameterValidationError):
            yield Violation(error.location, error.name, _detail(cause) or str(error))
        elif isinstance(error, SecurityValidationError):
            yield Violation("security", "", _security(cause))
        elif isinstance(error, MissingRequiredRequestBody):
            yield Violation("body", "", "required request body is missing")
        elif isinstance(error, RequestBodyValidationError) and isinstance(cause, MediaTypeNotFound):
            yield Violation(
                "header",
                "Content-Type",
                f"media type {cause.mimetype!r} is not one of "
                f"{', '.join(cause.availableMimetypes)}",
            )
        elif isinstance(error, RequestBodyValidationError):
            yield from _schema_violations("body", cause, error)
        elif isinstance(error, SecurityNotFound):
            yield Violation("security", "", _security(error))
        else:
            yield from _schema_violations("", cause, error)


def _schema_violations(
    location: str, cause: BaseException | None, error: Exception
) -> Iterator[Violation]:
    schema_errors = list(getattr(cause, "schema_errors", None) or ())
    if not schema_errors:
        yield Violation(location or "response", "", _detail(cause) or _plain(error))
        return
    for schema_error in schema_errors[:10]:
        path = getattr(schema_error, "absolute_path", ())
        name = ".".join(str(p) for p in path)
        yield Violation(
            location or "response", name, getattr(schema_error, "message", str(schema_error))
        )


def _detail(cause: BaseException | None) -> str:
    from openapi_core.casting.schemas.exceptions import CastError
    from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError

    if cause is None:
        return ""
    for error in (cause, cause.__cause__):
        if isinstance(error, CastError):
            return f"{_short(error.value)} is not a valid {error.type}"
        if isinstance(error, MediaTypeDeserializeError):
            inner = error.__cause__
            return f"not valid {error.mimetype}" + (f" ({inner})" if inner else "")
    schema_errors = list(getattr(cause, "schema_errors", None) or ())
    if schema_errors:
        return "; ".join(getattr(e, "message", str(e)) for e in schema_errors[:5])
    inner = cause.__cause__
    if inner is not None and str(inner):
        return _plain(inner)
    return _plain(cause)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _security(cause: BaseException | None) -> str:
    schemes = getattr(cause, "schemes", None)
    if schemes:
        options = " or ".join(" + ".join(group) for group in schemes)
        return f"missing or malformed credentials; the operation accepts {options}"
    return "missing or malformed credentials"
