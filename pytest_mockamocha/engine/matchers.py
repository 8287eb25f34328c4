"""Matchers: each checks one facet of a request and explains a miss.

A matcher answers ``None`` when the request fits and a short reason when it does not,
so "no rule matched" can name the nearest rule and the field that differed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.datastructures import Headers, MultiDict

_NO_JSON = object()


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What matchers may look at: the routed request, decoded once."""

    path_params: Mapping[str, str]
    query: MultiDict[str, str]
    headers: Headers
    cookies: Mapping[str, str]
    body: bytes
    _json: list[Any] = field(default_factory=list, repr=False)

    def json(self) -> Any:
        """The body parsed as JSON, or a sentinel when it is not JSON (parsed once)."""
        if not self._json:
            try:
                self._json.append(json.loads(self.body) if self.body else _NO_JSON)
            except ValueError:
                self._json.append(_NO_JSON)
        return self._json[0]


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


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
        got = self._actual(ctx)
        if self.location == "query" and isinstance(self.value, (list, tuple)):
            wanted = [_text(v) for v in self.value]
            return None if got == wanted else f"{self.field} is {got!r}, rule wants {wanted!r}"
        actual = got[0] if got else None
        if actual is None:
            return f"{self.field} is absent, rule wants {_text(self.value)!r}"
        if actual != _text(self.value):
            return f"{self.field} is {actual!r}, rule wants {_text(self.value)!r}"
        return None

    def _actual(self, ctx: MatchContext) -> list[str]:
        if self.location == "path":
            value = ctx.path_params.get(self.name)
            return [] if value is None else [value]
        if self.location == "query":
            return ctx.query.getlist(self.name)
        if self.location == "header":
            value = ctx.headers.get(self.name)  # WSGI spells "trace_id" as "Trace-Id"
            return [] if value is None else [value]
        value = ctx.cookies.get(self.name)
        return [] if value is None else [value]

    def as_dict(self) -> dict[str, Any]:
        return {"in": self.location, "name": self.name, "equals": self.value}


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


def params(location: str, values: Mapping[str, Any] | None) -> list[Matcher]:
    """One ``ParamEquals`` per entry of ``values``."""
    return [ParamEquals(location, str(k), v) for k, v in (values or {}).items()]


def nearest_miss(matchers: Sequence[Matcher], ctx: MatchContext) -> tuple[int, list[str]]:
    """How many matchers fit, and the reasons of those that did not."""
    reasons = [r for r in (m.miss(ctx) for m in matchers) if r is not None]
    return len(matchers) - len(reasons), reasons
