"""Matchers: each checks one facet of a request and explains a miss.

A matcher answers ``None`` when the request fits and a short reason when it does not,
so "no rule matched" can name the nearest rule and the field that differed.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from werkzeug.datastructures import Headers, MultiDict
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_options_header

from pytest_mockamocha.engine.rules.conditions import Condition, json_miss, text_miss

if TYPE_CHECKING:
    from jsonpath import JSONPathEnvironment

_NO_JSON = object()
#: the media types whose bodies ``form`` matchers read
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: matcher locations of named text values, and the ``match`` key of each
PARAM_KEYS = {"path": "path", "query": "query", "header": "headers", "cookie": "cookies"}
_JSONPATH_ENV: list[JSONPathEnvironment] = []


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What matchers may look at: the routed request, decoded once."""

    path_params: Mapping[str, str]
    query: MultiDict[str, str]
    headers: Headers
    cookies: Mapping[str, str]
    body: bytes
    _json: list[Any] = field(default_factory=list, repr=False)
    _form: list[MultiDict[str, str] | None] = field(default_factory=list, repr=False)

    def json(self) -> Any:
        """The body parsed as JSON, or a sentinel when it is not JSON (parsed once)."""
        if not self._json:
            try:
                self._json.append(json.loads(self.body) if self.body else _NO_JSON)
            except ValueError:
                self._json.append(_NO_JSON)
        return self._json[0]

    def form(self) -> MultiDict[str, str] | None:
        """The form fields of a urlencoded or multipart body (parsed once); None otherwise.

        A multipart file field's value is its file name."""
        if not self._form:
            self._form.append(self._parse_form())
        return self._form[0]

    def _parse_form(self) -> MultiDict[str, str] | None:
        mimetype, options = parse_options_header(self.headers.get("Content-Type", ""))
        if mimetype.lower() not in FORM_TYPES:
            return None
        _, fields, files = FormDataParser().parse(
            io.BytesIO(self.body), mimetype.lower(), len(self.body), options
        )
        out: MultiDict[str, str] = MultiDict(fields.items(multi=True))
        for name, upload in files.items(multi=True):
            out.add(name, upload.filename or "")
            upload.close()
        return out

    def content_type(self) -> str:
        """The request's media type, for messages ("" when not sent)."""
        return parse_options_header(self.headers.get("Content-Type", ""))[0]


class Matcher(Protocol):
    """One condition of a rule."""

    @property
    def field(self) -> str:
        """What the matcher looks at, for messages: ``query.status``."""
        ...

    def miss(self, ctx: MatchContext) -> str | None:
        """None when ``ctx`` fits, else why not."""
        ...

    def as_dict(self) -> dict[str, Any]:
        """The JSON form, as the management API and rule files spell it."""
        ...


def _values(ctx: MatchContext, location: str, name: str) -> list[str]:
    """Every value of a named parameter (or form field); none when it was not sent."""
    if location == "path":
        value = ctx.path_params.get(name)
        return [] if value is None else [value]
    if location == "query":
        return ctx.query.getlist(name)
    if location == "header":
        return ctx.headers.getlist(name)  # WSGI spells "trace_id" as "Trace-Id"
    if location == "form":
        form = ctx.form()
        return [] if form is None else form.getlist(name)
    value = ctx.cookies.get(name)
    return [] if value is None else [value]


@dataclass(frozen=True, slots=True)
class ParamEquals:
    """A path, query, header or cookie parameter equals a value (or one of several values)."""

    location: str
    name: str
    value: Any

    @property
    def field(self) -> str:
        return f"{self.location}.{self.name}"

    def miss(self, ctx: MatchContext) -> str | None:
        values = _values(ctx, self.location, self.name)
        return text_miss(self.field, values, (Condition("equals", self.value),))

    def as_dict(self) -> dict[str, Any]:
        return {"in": self.location, "name": self.name, "equals": self.value}


@dataclass(frozen=True, slots=True)
class ParamMatch:
    """A parameter or form field (``location`` ``form``) meets every condition."""

    location: str
    name: str
    conditions: tuple[Condition, ...]

    @property
    def field(self) -> str:
        return f"{self.location}.{self.name}"

    def miss(self, ctx: MatchContext) -> str | None:
        reason = text_miss(self.field, _values(ctx, self.location, self.name), self.conditions)
        if reason is not None and self.location == "form" and ctx.form() is None:
            sent = ctx.content_type()
            return f"{reason} ({f'the body is {sent}' if sent else 'no body'}, not a form)"
        return reason

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"in": self.location, "name": self.name}
        for cond in self.conditions:
            out.update(cond.form())
        return out


@dataclass(frozen=True, slots=True)
class JsonEquals:
    """The JSON body equals a value (``partial``: contains it as a subset)."""

    value: Any
    partial: bool = False

    @property
    def field(self) -> str:
        return "body"

    def miss(self, ctx: MatchContext) -> str | None:
        actual = ctx.json()
        if actual is _NO_JSON:
            return "body is not JSON"
        where = _first_difference(self.value, actual, "body", self.partial)
        return None if where is None else f"{where} differs from the rule's"

    def as_dict(self) -> dict[str, Any]:
        return {"in": "body", "json_contains" if self.partial else "json": self.value}


def _first_difference(wanted: Any, actual: Any, at: str, partial: bool) -> str | None:
    if isinstance(wanted, dict) and isinstance(actual, dict):
        if not partial and set(wanted) != set(actual):
            extra = sorted(set(actual) ^ set(wanted))
            return f"{at}.{extra[0]}"
        for key, value in wanted.items():
            if key not in actual:
                return f"{at}.{key}"
            found = _first_difference(value, actual[key], f"{at}.{key}", partial)
            if found:
                return found
        return None
    if isinstance(wanted, list) and isinstance(actual, list) and len(wanted) == len(actual):
        for i, (w, a) in enumerate(zip(wanted, actual, strict=False)):
            found = _first_difference(w, a, f"{at}[{i}]", partial)
            if found:
                return found
        return None
    same = (wanted == actual and type(wanted) is type(actual)) or (
        isinstance(wanted, (int, float))
        and isinstance(actual, (int, float))
        and not isinstance(wanted, bool)
        and not isinstance(actual, bool)
        and wanted == actual
    )
    return None if same else at


_POINTER_TOKEN = re.compile(r"(?:[^~]|~[01])*")
_INDEX = re.compile(r"0|[1-9][0-9]*")


def compile_jsonpath(expression: str) -> Any:
    """An RFC 9535 JSONPath query, compiled (``ValueError`` naming the fault when bad)."""
    import jsonpath  # imported when a rule uses it: it costs ~40 ms

    if not _JSONPATH_ENV:
        _JSONPATH_ENV.append(jsonpath.JSONPathEnvironment(strict=True, filter_caching=False))
    try:
        return _JSONPATH_ENV[0].compile(expression)
    except jsonpath.JSONPathError as exc:
        raise ValueError(str(exc).splitlines()[0]) from None


def parse_pointer(pointer: str) -> tuple[str, ...]:
    """The reference tokens of an RFC 6901 JSON pointer (``ValueError`` when malformed)."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError('must be "" or start with "/"')
    tokens = pointer[1:].split("/")
    for token in tokens:
        if not _POINTER_TOKEN.fullmatch(token):
            raise ValueError(f"token {token!r}: '~' must be followed by 0 or 1")
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in tokens)


def _resolve(tokens: tuple[str, ...], doc: Any) -> tuple[bool, Any]:
    for token in tokens:
        if isinstance(doc, dict) and token in doc:
            doc = doc[token]
        elif isinstance(doc, list) and _INDEX.fullmatch(token) and int(token) < len(doc):
            doc = doc[int(token)]
        else:
            return False, None
    return True, doc


@dataclass(frozen=True, slots=True)
class BodyMatch:
    """A value picked from the JSON body by a JSONPath or a JSON pointer meets conditions.

    A pointer and a singular JSONPath (names and indexes only) pick one value or none;
    any other JSONPath picks the array of all its matches. The expression is compiled
    when the matcher is made (``ValueError`` naming the fault when it is malformed)."""

    kind: str  # "jsonpath" or "pointer"
    expression: str
    conditions: tuple[Condition, ...]
    #: the pointer's tokens, or the compiled JSONPath query and whether it is singular
    compiled: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.compiled is not None:
            return
        if self.kind == "jsonpath":
            query = compile_jsonpath(self.expression)
            compiled: Any = (query, bool(query.singular_query()))
        elif self.kind == "pointer":
            compiled = parse_pointer(self.expression)
        else:
            raise ValueError(f"unknown body expression kind {self.kind!r}")
        object.__setattr__(self, "compiled", compiled)

    @property
    def field(self) -> str:
        return f"body {self.expression or '(the whole body)'}"

    def miss(self, ctx: MatchContext) -> str | None:
        doc = ctx.json()
        if doc is _NO_JSON:
            return f"{self.field}: the body is not JSON"
        if self.kind == "pointer":
            present, actual = _resolve(self.compiled, doc)
            return json_miss(self.field, actual, present, self.conditions)
        query, singular = self.compiled
        found = query.findall(doc)
        if singular:
            return json_miss(self.field, found[0] if found else None, bool(found), self.conditions)
        return json_miss(self.field, found, True, self.conditions, nodes=True)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"in": "body", self.kind: self.expression}
        for cond in self.conditions:
            out.update(cond.form())
        return out


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one nested match object fits."""

    options: tuple[tuple[Matcher, ...], ...]

    @property
    def field(self) -> str:
        return "any_of"

    def miss(self, ctx: MatchContext) -> str | None:
        why: list[str] = []
        for option in self.options:
            reasons = [r for r in (m.miss(ctx) for m in option) if r is not None]
            if not reasons:
                return None
            why.append(" and ".join(reasons))
        return f"any_of: none fits ({'; '.join(why)})"

    def as_dict(self) -> dict[str, Any]:
        return {"any_of": [match_dict(option) for option in self.options]}


@dataclass(frozen=True, slots=True)
class Not:
    """The nested match object does not fit."""

    matchers: tuple[Matcher, ...]

    @property
    def field(self) -> str:
        return "not"

    def miss(self, ctx: MatchContext) -> str | None:
        if any(m.miss(ctx) is not None for m in self.matchers):
            return None
        shown = json.dumps(match_dict(self.matchers), separators=(",", ":"), default=str)
        return f"not: the request fits {shown if len(shown) <= 120 else shown[:117] + '...'}"

    def as_dict(self) -> dict[str, Any]:
        return {"not": match_dict(self.matchers)}


def match_dict(matchers: Sequence[Matcher]) -> dict[str, Any]:
    """The ``match`` object of ``matchers`` (the inverse of ``parse_match``)."""
    out: dict[str, Any] = {}
    keys = {**PARAM_KEYS, "form": "form"}
    for matcher in matchers:
        form = matcher.as_dict()
        where = form.pop("in", None)
        if where in keys and "name" in form:
            name = form.pop("name")
            value = form["equals"] if list(form) == ["equals"] else form
            out.setdefault(keys[where], {})[name] = value
        elif where == "body" and ("jsonpath" in form or "pointer" in form):
            out.setdefault("body", []).append(form)
        else:
            out.update(form)
    return out


def params(location: str, values: Mapping[str, Any] | None) -> list[Matcher]:
    """One ``ParamEquals`` per entry of ``values``."""
    return [ParamEquals(location, str(k), v) for k, v in (values or {}).items()]


def nearest_miss(matchers: Sequence[Matcher], ctx: MatchContext) -> tuple[int, list[str]]:
    """How many matchers fit, and the reasons of those that did not."""
    reasons = [r for r in (m.miss(ctx) for m in matchers) if r is not None]
    return len(matchers) - len(reasons), reasons
