"""Route a request path and method to an operation with a werkzeug ``Map``.

werkzeug already ranks static segments above variables, as OpenAPI asks; its variable
names must be identifiers, so ``{pet-id}`` becomes a generated name mapped back here.

A path parameter may expand to an empty segment (RFC 6570: an empty list or object in
``simple``, ``label`` or ``matrix`` style, or an empty string): a request the first map
misses is tried once more on a map whose variables also match empty segments, so
``/pets/`` still lists pets while ``/items/mock/`` reaches ``/items/{id}/{tags}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, MapAdapter, Rule

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
        rules, empty_rules = [], []
        for path, verbs in methods.items():
            rule_path, names = _rule_path(path)
            self._names[path] = names
            rules.append(Rule(rule_path, endpoint=path, methods=sorted(verbs)))
            if names:
                empty_path, _ = _rule_path(path, empty=True)
                empty_rules.append(Rule(empty_path, endpoint=path, methods=sorted(verbs)))
        self._map = Map(rules, strict_slashes=False, merge_slashes=False, redirect_defaults=False)
        self._adapter = self._map.bind("mock.invalid", "/")
        self._empty_rules = empty_rules
        self._empty_adapter: MapAdapter | None = None
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
        except (MethodNotAllowed, NotFound) as exc:
            found = self._match_empty(path, method)
            if found is None:
                if isinstance(exc, MethodNotAllowed):
                    allowed = tuple(sorted(set(exc.valid_methods or ())))
                    return RouteMiss(405, allowed=allowed, nearest=self.nearest(method, path))
                return RouteMiss(404, nearest=self.nearest(method, path))
            template, values = found
        else:
            # "/p/{a}/{b}" takes "/p/label/x/" by dropping the trailing slash; the template
            # with more literal segments ("/p/label/{a}/{b}", b empty) is the better match
            found = self._match_empty(path, method)
            if found is not None and _literals(found[0]) > _literals(template):
                template, values = found
        op = self._ops.get((template, method)) or self._ops[(template, "GET")]  # HEAD -> GET
        names = self._names[template]
        return RouteMatch(op, {names[k]: _unescape(v) for k, v in values.items()})

    def _match_empty(self, path: str, method: str) -> tuple[str, dict[str, str]] | None:
        """The match when variables may be empty segments, or None (misses only: rare)."""
        if not self._empty_rules or ("//" not in path and not path.endswith("/")):
            return None  # an empty segment sits between two slashes or before a last one
        if self._empty_adapter is None:
            empty = Map(
                self._empty_rules, strict_slashes=True, merge_slashes=False, redirect_defaults=False
            )
            self._empty_adapter = empty.bind("mock.invalid", "/")
        try:
            template, values = self._empty_adapter.match(_escape(path), method=method)
        except (MethodNotAllowed, NotFound):
            return None
        return str(template), dict(values)

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


def _rule_path(template: str, *, empty: bool = False) -> tuple[str, dict[str, str]]:
    names: dict[str, str] = {}
    converter = "string(minlength=0):" if empty else ""

    def var(match: re.Match[str]) -> str:
        alias = f"p{len(names)}"
        names[alias] = match.group(1).replace("%3C", "<").replace("%3E", ">")
        return f"<{converter}{alias}>"

    escaped = template.replace("<", "%3C").replace(">", "%3E")
    return _TEMPLATE_VAR.sub(var, escaped), names


def _literals(template: str) -> int:
    """How many segments of a path template are literal text."""
    return sum(1 for seg in template.split("/") if seg and not _TEMPLATE_VAR.search(seg))


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
