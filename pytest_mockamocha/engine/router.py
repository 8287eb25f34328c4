"""Route a request path and method to an operation: a tree of path segments, built in
milliseconds however many operations a document declares.

A template is split at ``/`` into segments, each literal (``pets``), a variable
(``{petId}``) or mixed (``{name}.json``). Paths route exactly as declared: ``/pets/`` and
``/pets`` are different paths, and nothing redirects. At each segment a literal child is
tried before mixed ones and variables (OpenAPI: concrete paths before templated ones), and
the search backtracks, so ``DELETE /pets/mine`` reaches ``DELETE /pets/{petId}`` when
``/pets/mine`` declares only ``GET``.

A path key may carry conditions after ``#`` or ``?``, as AWS documents do for the
operations of one URL (``/#X-Amz-Target=AppRunner.CreateService``, ``/#Action=SendMessage``,
``/{Bucket}?uploads``): the key routes by the part before them, and the operation whose
conditions the request meets (a header or query parameter with that value, or present) is
chosen among those sharing the path and method.

Two tolerances, tried only when nothing matches exactly: a trailing slash the request
adds or leaves out (``/pets/`` still lists pets where only ``/pets`` is declared), and
variables expanding to an empty segment (RFC 6570: an empty list or object, or an empty
string: ``/items/mock/`` reaches ``/items/{id}/{tags}``). When both match, the template
with more literal segments wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from pytest_mockamocha.spec.model import Operation

#: routing answers remembered per (path, method); results are immutable values
_SEEN_MAX = 4096
_TEMPLATE_VAR = re.compile(r"{([^{}]+)}")


#: stands for ``%2F`` inside a segment of a routed path (a private-use character)
ENCODED_SLASH = "\ue000"


def routed_path(raw: str) -> str:
    """The path to route from a raw (still percent-encoded) one that holds ``%2F``: each
    segment decoded, its encoded slashes kept as ``ENCODED_SLASH``."""
    return "/".join(
        unquote(part.replace("%2F", ENCODED_SLASH).replace("%2f", ENCODED_SLASH))
        for part in raw.split("/")
    )


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


@dataclass(frozen=True, slots=True)
class _Condition:
    """``name=value`` (or bare ``name``) from a path key's ``#...`` or ``?...`` part: a
    header or query parameter the request must carry. A templated value (``?key={APIKEY}``)
    asks only for presence and names the path parameter its value fills."""

    name: str
    value: str | None
    location: str  # header, query or either
    captures: str | None = None

    def holds(self, query: Any, headers: Any) -> bool:
        if self.captures is not None:
            return self.read(query, headers) is not None
        if self.location in ("query", "either") and query is not None:
            if self.value is None and self.name in query:
                return True
            if self.value is not None and self.value in query.getlist(self.name):
                return True
        if self.location in ("header", "either") and headers is not None:
            found = headers.get(self.name)
            if found is not None and (self.value is None or found.strip() == self.value):
                return True
        return False

    def read(self, query: Any, headers: Any) -> str | None:
        """The value the request gives this parameter, if any."""
        if self.location in ("query", "either") and query is not None and self.name in query:
            return str(query.get(self.name))
        if self.location in ("header", "either") and headers is not None:
            found = headers.get(self.name)
            return None if found is None else str(found)
        return None


def split_key(key: str) -> tuple[str, str]:
    """A path key's routed template and its conditions (``/#Action=X`` -> ``/``, ``Action=X``)."""
    if "#" not in key and "?" not in key:  # most keys: no search for the cut
        return key, ""
    cut = min(i for i in (key.find("#"), key.find("?")) if i >= 0)
    return key[:cut] or "/", key[cut + 1 :]


def _conditions(op: Operation, text: str) -> tuple[_Condition, ...]:
    locations: dict[str, str] = {}
    for param in op.parameters:
        if param.location == "header":
            locations.setdefault(param.name.lower(), "header")
        elif param.location == "query":
            locations.setdefault(param.name, "query")
    found = []
    for part in re.split(r"[&;]", text):
        name, eq, value = part.partition("=")
        name = name.strip()
        if not name:
            continue
        where = locations.get(name) or locations.get(name.lower()) or "either"
        value = value.strip()
        template = _TEMPLATE_VAR.fullmatch(value) if eq else None
        if template is not None:
            found.append(_Condition(name, None, where, template.group(1)))
        else:
            found.append(_Condition(name, value if eq else None, where))
    return tuple(found)


class _Mixed:
    """A segment mixing text and variables (``{name}.{format}``), as a regex. A variable
    whose schema lists its values (``enum``) matches only those: ``{pageName}{extension}``
    with ``extension`` one of ``.json``, ``.xml`` splits ``about.json`` into ``about`` and
    ``.json``, where two bare variables side by side would split it after one letter."""

    __slots__ = ("literal_length", "names", "nonempty", "possibly_empty")

    def __init__(self, segment: str, enums: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.names: list[str] = []
        #: how much of the segment is literal text: the more, the earlier it is tried
        self.literal_length = len(_TEMPLATE_VAR.sub("", segment))
        parts: list[str] = []
        last = 0
        for found in _TEMPLATE_VAR.finditer(segment):
            parts.append(re.escape(segment[last : found.start()]))
            self.names.append(found.group(1))
            values = (enums or {}).get(found.group(1))
            if values:  # the longest first: ".json5" before ".json"
                ordered = sorted(values, key=len, reverse=True)
                parts.append("(" + "|".join(re.escape(v) for v in ordered) + ")")
            else:
                parts.append("(.+?)" if found.end() < len(segment) else "(.+)")
            last = found.end()
        parts.append(re.escape(segment[last:]))
        pattern = "".join(parts)
        self.nonempty = re.compile(pattern)
        self.possibly_empty = re.compile(pattern.replace("(.+?)", "(.*?)").replace("(.+)", "(.*)"))

    def match(self, text: str, empty: bool) -> dict[str, str] | None:
        found = (self.possibly_empty if empty else self.nonempty).fullmatch(text)
        return None if found is None else dict(zip(self.names, found.groups(), strict=True))


class _Node:
    """One segment position of the tree: its children and the templates ending here."""

    __slots__ = ("literals", "mixed", "templates", "variable", "variable_name")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        #: mixed segments, the one with the most literal text first
        self.mixed: list[tuple[_Mixed, _Node]] = []
        self.variable: _Node | None = None
        self.variable_name = ""
        #: the path templates that end at this node (several of one shape: ``/v1/{jobName}``
        #: and ``/v1/{name}``), in the document's order
        self.templates: list[str] = []

    def child(self, segment: str, enums: Mapping[str, tuple[str, ...]] | None = None) -> _Node:
        """The node for ``segment`` below this one (made on first use); ``enums``: the
        values of variables that declare them, for a mixed segment."""
        if "{" not in segment:  # most segments: no regex, and no node made to be dropped
            node = self.literals.get(segment)
            if node is None:
                node = self.literals[segment] = _Node()
            return node
        names = _TEMPLATE_VAR.findall(segment)
        if not names:
            return self.literals.setdefault(segment, _Node())
        if len(names) == 1 and segment == "{" + names[0] + "}":
            if self.variable is None:
                self.variable = _Node()
            node = self.variable
            node.variable_name = node.variable_name or names[0]
            return node
        made = _Mixed(segment, enums)
        for mixed, node in self.mixed:
            if mixed.nonempty.pattern == made.nonempty.pattern:
                return node
        self.mixed.append((made, _Node()))
        self.mixed.sort(key=lambda entry: -entry[0].literal_length)
        return _node_of(self.mixed, made)


def _path_enums(op: Operation, template: str) -> dict[str, tuple[str, ...]] | None:
    """The listed values of ``op``'s path variables that share a segment with text or
    another variable (None for the usual template, whose operation is then not built)."""
    mixed = [
        seg for seg in _segments(template) if "{" in seg and _TEMPLATE_VAR.fullmatch(seg) is None
    ]
    if not mixed:
        return None
    wanted = {name for seg in mixed for name in _TEMPLATE_VAR.findall(seg)}
    found: dict[str, tuple[str, ...]] = {}
    for param in op.parameters:
        schema = param.schema
        if param.location != "path" or param.name not in wanted or not isinstance(schema, dict):
            continue
        values = schema.get("enum")
        if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            found[param.name] = tuple(values)
    return found


def _node_of(mixed: list[tuple[_Mixed, _Node]], wanted: _Mixed) -> _Node:
    return next(node for segment, node in mixed if segment is wanted)


class Router:
    """Path templates of one API, as a tree of segments."""

    def __init__(self, operations: Iterable[Operation]):
        self._ops: dict[tuple[str, str], Operation] = {}
        self._methods: dict[str, set[str]] = {}
        #: operations sharing a routed template and method, told apart by their conditions
        self._shared: dict[tuple[str, str], list[tuple[tuple[_Condition, ...], Operation]]] = {}
        self._root = _Node()
        #: the template each operation routes by (its path key before ``#``/``?``)
        self._routed: dict[str, str] = {}
        for op in operations:
            template, conditions = split_key(op.path)
            self._routed[op.name] = template
            key = (template, op.method)
            if conditions or key in self._shared:
                self._shared.setdefault(key, [])
                if not self._shared[key] and key in self._ops:
                    self._shared[key].append(((), self._ops[key]))
                self._shared[key].append((_conditions(op, conditions), op))
            self._ops.setdefault(key, op)
            if template not in self._methods:
                self._methods[template] = set()
                self._add(template, _path_enums(op, template))
            self._methods[template].add(op.method)
        #: operations of one method on templates of one shape, told apart by the required
        #: parameters a request carries
        self._alike: dict[tuple[str, str], list[tuple[str, Operation]]] = {}
        groups: dict[tuple[str, str], list[tuple[str, Operation]]] = {}
        for (template, method), op in self._ops.items():
            groups.setdefault((_shape(template), method), []).append((template, op))
        for group in groups.values():
            if len(group) > 1:
                for template, op in group:
                    self._alike[(template, op.method)] = group
        self._seen: dict[tuple[str, str], RouteMatch | RouteMiss] = {}

    def _add(self, template: str, enums: Mapping[str, tuple[str, ...]] | None = None) -> None:
        node = self._root
        for segment in _segments(template):
            node = node.child(segment, enums)
        node.templates.append(template)

    def match(
        self, path: str, method: str, query: Any = None, headers: Any = None
    ) -> RouteMatch | RouteMiss:
        """The operation for ``method`` on ``path``, or why there is none. ``query`` and
        ``headers`` choose among operations sharing a path and method (``#`` conditions)."""
        key = (path, method)
        found = self._seen.get(key)
        if found is None:
            found = self._match(path, method)
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()  # a test suite repeats paths; a crawler does not
            self._seen[key] = found
        if ENCODED_SLASH in path and isinstance(found, RouteMatch):
            values = {k: v.replace(ENCODED_SLASH, "/") for k, v in found.path_params.items()}
            found = RouteMatch(found.operation, values)
        if self._alike and isinstance(found, RouteMatch):
            found = self._alike_choice(found, query, headers)
        if self._shared and isinstance(found, RouteMatch):
            shared = self._shared.get((self._routed[found.operation.name], found.operation.method))
            if shared:
                chosen, conditions = _choose(shared, query, headers)
                values = dict(found.path_params)
                for condition in conditions:
                    if condition.captures is not None:
                        given = condition.read(query, headers)
                        if given is not None:
                            values[condition.captures] = given
                return RouteMatch(chosen, values)
        return found

    def alternatives(self, found: RouteMatch) -> list[RouteMatch]:
        """The other operations of the same method on templates of ``found``'s shape, with
        the path parameters by their names (for a request ``found`` refuses: one of them
        may be the operation meant)."""
        template = self._routed[found.operation.name]
        group = self._alike.get((template, found.operation.method))
        if not group:
            return []
        values = [found.path_params.get(n, "") for n in _TEMPLATE_VAR.findall(template)]
        return [
            RouteMatch(op, dict(zip(_TEMPLATE_VAR.findall(other), values, strict=True)))
            for other, op in group
            if op is not found.operation
        ]

    def _alike_choice(self, found: RouteMatch, query: Any, headers: Any) -> RouteMatch:
        """Among operations on templates of one shape, the one whose required query and
        header parameters the request carries, the most of them first, then the first
        declared (else the one routed)."""
        template = self._routed[found.operation.name]
        group = self._alike.get((template, found.operation.method))
        if not group or (query is None and headers is None):
            return found
        best: tuple[int, str, Operation] | None = None
        for other, op in group:
            count = _carried_required(op, query, headers)
            if count is not None and (best is None or count > best[0]):
                best = (count, other, op)
        if best is None or best[1] == template:
            return found
        values = [found.path_params[n] for n in _TEMPLATE_VAR.findall(template)]
        names = _TEMPLATE_VAR.findall(best[1])
        return RouteMatch(best[2], dict(zip(names, values, strict=True)))

    def _match(self, path: str, method: str) -> RouteMatch | RouteMiss:
        """``match`` without the memory."""
        method = method.upper()
        candidates = list(self._candidates(path))
        for template, values in candidates:
            op = self._ops.get((template, method))
            if op is None and method == "HEAD":
                op = self._ops.get((template, "GET"))
            if op is not None:
                return RouteMatch(op, values)
        if candidates:
            allowed = sorted({m for template, _ in candidates for m in self._methods[template]})
            return RouteMiss(405, allowed=tuple(allowed), nearest=self.nearest(method, path))
        return RouteMiss(404, nearest=self.nearest(method, path))

    def _candidates(self, path: str) -> Iterator[tuple[str, dict[str, str]]]:
        """The templates ``path`` matches, best first: exactly; else with the trailing
        slash tolerated or with empty variables, more literal segments first."""
        segments = _segments(path or "/")
        exact = list(self._walk(self._root, segments, 0, {}, empty=False))
        if exact:
            yield from exact
            return
        toggled = segments[:-1] if segments and segments[-1] == "" else [*segments, ""]
        lenient = [
            *self._walk(self._root, toggled, 0, {}, empty=False),
            *self._walk(self._root, segments, 0, {}, empty=True),
        ]
        # a stable sort: at equal literal counts the trailing-slash match stays first
        lenient.sort(key=lambda found: -_literals(found[0]))
        yield from lenient

    def _walk(
        self, node: _Node, segments: list[str], i: int, values: dict[str, str], *, empty: bool
    ) -> Iterator[tuple[str, dict[str, str]]]:
        """Every template below ``node`` that ``segments[i:]`` matches, in rank order."""
        if i == len(segments):
            for template in node.templates:
                yield template, self._named(template, values)
            return
        segment = segments[i]
        literal = node.literals.get(segment)
        if literal is not None:
            yield from self._walk(literal, segments, i + 1, values, empty=empty)
        for mixed, child in node.mixed:
            found = mixed.match(segment, empty)
            if found is not None:
                yield from self._walk(child, segments, i + 1, {**values, **found}, empty=empty)
        variable = node.variable
        if variable is not None and (segment or empty):
            here = {**values, _position(i): segment}
            yield from self._walk(variable, segments, i + 1, here, empty=empty)

    def _named(self, template: str, values: dict[str, str]) -> dict[str, str]:
        """The values of a match by the template's own variable names."""
        out: dict[str, str] = {}
        for i, segment in enumerate(_segments(template)):
            names = _TEMPLATE_VAR.findall(segment)
            if len(names) == 1 and segment == "{" + names[0] + "}":
                out[names[0]] = values[_position(i)]
            else:
                out.update((name, values[name]) for name in names if name in values)
        return out

    def allowed_methods(self, path: str) -> tuple[str, ...]:
        """The methods declared for whatever templates ``path`` matches (for CORS)."""
        return tuple(sorted({m for t, _ in self._candidates(path) for m in self._methods[t]}))

    def nearest(self, method: str, path: str, n: int = 3) -> tuple[str, ...]:
        """The declared operations most like ``METHOD path``: same shape of path first."""
        wanted = [s for s in path.split("/") if s]
        method = method.upper()

        def score(op: Operation) -> float:
            return _path_likeness(wanted, op.path) + (0.1 if op.method == method else 0.0)

        ranked = sorted(self._ops.values(), key=lambda op: (-score(op), op.name))
        return tuple(op.name for op in ranked[:n])


def _choose(
    shared: list[tuple[tuple[_Condition, ...], Operation]], query: Any, headers: Any
) -> tuple[Operation, tuple[_Condition, ...]]:
    """The operation whose conditions the request meets (the most conditions first), else
    one without conditions, else the first: its validation then says what is missing."""
    met = [(c, op) for c, op in shared if c and all(x.holds(query, headers) for x in c)]
    if met:
        conditions, op = max(met, key=lambda found: len(found[0]))
        return op, conditions
    plain = next((op for c, op in shared if not c), None)
    return (plain, ()) if plain is not None else (shared[0][1], shared[0][0])


def _shape(template: str) -> str:
    """A template with its variables unnamed: ``/v1/{name}`` -> ``/v1/{}``."""
    return _TEMPLATE_VAR.sub("{}", template) if "{" in template else template


def _carried_required(op: Operation, query: Any, headers: Any) -> int | None:
    """How many required query and header parameters of ``op`` the request carries, or
    None when it leaves one out."""
    count = 0
    for param in op.parameters:
        if not param.required or param.location not in ("query", "header"):
            continue
        if param.location == "query" and (query is None or param.name not in query):
            return None
        if param.location == "header":
            if param.name.lower() in _CONTENT_AND_CREDENTIALS:
                continue  # OpenAPI ignores these header parameters: so does routing
            if headers is None or headers.get(param.name) is None:
                return None
        count += 1
    return count


#: header parameters OpenAPI says to ignore (as ``validate.violations.IGNORED_HEADERS``)
_CONTENT_AND_CREDENTIALS = frozenset({"accept", "content-type", "authorization"})


def _segments(path: str) -> list[str]:
    """A path's segments after the leading slash (``/pets/`` -> ``["pets", ""]``)."""
    return path[1:].split("/") if path.startswith("/") else path.split("/")


def _position(i: int) -> str:
    """The key a whole-segment variable's value is kept under while walking (the names
    of templates sharing a node may differ: ``/a/{id}`` and ``/a/{name}/b``)."""
    return f"\x00{i}"


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
