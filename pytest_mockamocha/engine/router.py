"""Route a request path and method to an operation with a werkzeug ``Map``.

werkzeug already ranks static segments above variables, as OpenAPI asks; its variable
names must be identifiers, so ``{pet-id}`` becomes a generated name mapped back here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from pytest_mockamocha.spec.model import Operation

#: routing answers remembered per (path, method); results are immutable values
_SEEN_MAX = 4096
_TEMPLATE_VAR = re.compile(r"{([^{}]+)}")


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """The operation a request reached, with its path parameters by their spec names."""

    operation: Operation
    path_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RouteMiss:
    """No operation: 404 (no such path) or 405 (path known, method not)."""

    status: int
    allowed: tuple[str, ...] = ()
    nearest: tuple[str, ...] = ()


class Router:
    """Path templates of one API, compiled once."""

    def __init__(self, operations: Iterable[Operation]):
        self._ops: dict[tuple[str, str], Operation] = {}
        self._names: dict[str, dict[str, str]] = {}
        methods: dict[str, set[str]] = {}
        for op in operations:
            self._ops[(op.path, op.method)] = op
            methods.setdefault(op.path, set()).add(op.method)
        rules = []
        for path, verbs in methods.items():
            rule_path, names = _rule_path(path)
            self._names[path] = names
            rules.append(Rule(rule_path, endpoint=path, methods=sorted(verbs)))
        self._map = Map(rules, strict_slashes=False, merge_slashes=False, redirect_defaults=False)
        self._adapter = self._map.bind("mock.invalid", "/")
        self._seen: dict[tuple[str, str], RouteMatch | RouteMiss] = {}

    def match(self, path: str, method: str) -> RouteMatch | RouteMiss:
        """The operation for ``method`` on ``path``, or why there is none."""
        key = (path, method)
        found = self._seen.get(key)
        if found is None:
            found = self._match(path, method)
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()  # a test suite repeats paths; a crawler does not
            self._seen[key] = found
        return found

    def _match(self, path: str, method: str) -> RouteMatch | RouteMiss:
        """``match`` without the memory."""
        method = method.upper()
        try:
            template, values = self._adapter.match(_escape(path), method=method)
        except MethodNotAllowed as exc:
            allowed = tuple(sorted(set(exc.valid_methods or ())))
            return RouteMiss(405, allowed=allowed, nearest=self.nearest(method, path))
        except NotFound:
            return RouteMiss(404, nearest=self.nearest(method, path))
        op = self._ops.get((template, method)) or self._ops[(template, "GET")]  # HEAD -> GET
        names = self._names[template]
        return RouteMatch(op, {names[k]: _unescape(v) for k, v in values.items()})

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """The methods declared for whatever template ``path`` matches (for CORS)."""
        try:
            self._adapter.match(_escape(path), method="__probe__")
        except MethodNotAllowed as exc:
            return tuple(sorted(set(exc.valid_methods or ())))
        except NotFound:
            return ()
        return ()

    def nearest(self, method: str, path: str, n: int = 3) -> tuple[str, ...]:
        """The declared operations most like ``METHOD path``: same shape of path first."""
        wanted = [s for s in path.split("/") if s]
        method = method.upper()

        def score(op: Operation) -> float:
            return _path_likeness(wanted, op.path) + (0.1 if op.method == method else 0.0)

        ranked = sorted(self._ops.values(), key=lambda op: (-score(op), op.name))
        return tuple(op.name for op in ranked[:n])


def _escape(path: str) -> str:
    """werkzeug rules cannot hold ``<`` or ``>`` literally; both sides use escapes."""
    return (path or "/").replace("<", "%3C").replace(">", "%3E")


def _unescape(value: str) -> str:
    return value.replace("%3C", "<").replace("%3E", ">")


def _rule_path(template: str) -> tuple[str, dict[str, str]]:
    names: dict[str, str] = {}

    def var(match: re.Match[str]) -> str:
        alias = f"p{len(names)}"
        names[alias] = match.group(1).replace("%3C", "<").replace("%3E", ">")
        return f"<{alias}>"

    escaped = template.replace("<", "%3C").replace(">", "%3E")
    return _TEMPLATE_VAR.sub(var, escaped), names


def _path_likeness(wanted: list[str], template: str) -> float:
    """1.0 when every segment of the request fits the template, less as they differ."""
    segments = [s for s in template.split("/") if s]
    longest = max(len(segments), len(wanted))
    if not longest:
        return 1.0
    fits = sum(
        1.0 if seg == got else 0.8 if _TEMPLATE_VAR.search(seg) else 0.0
        for seg, got in zip(segments, wanted, strict=False)
    )
    return fits / longest
