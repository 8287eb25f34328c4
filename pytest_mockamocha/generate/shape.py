"""One merged set of constraints (a ``Shape``) folded from schemas, ``$ref``s and ``allOf``s.

Generation works on shapes, not on raw schemas: a shape is the intersection of every
schema folded into it, with OpenAPI 3.0 and 3.1 spellings normalised (``nullable`` and
``type: [.., "null"]``, boolean and numeric ``exclusiveMinimum``). ``oneOf``/``anyOf``
stay pending as ``Choice``s until a branch is picked; ``parts`` keeps the schemas the
shape was folded from, so a candidate value (an example, an enum member) can be validated.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_mockamocha.generate.refs import Refs, Schema
from pytest_mockamocha.generate.values import intersect
from pytest_mockamocha.spec import pointer as jp

Bound = tuple[float, bool]  # (limit, exclusive)
#: shapes one folder keeps (then it starts again; shapes in use stay with their parents)
MAX_SHAPES = 8192
_NUMBER = (int, float)


class Unsatisfiable(ValueError):
    """No value satisfies the shape; ``where`` names the schema."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{message} (at {where})")
        self.where = where
        self.reason = message


@dataclass(eq=False)
class Choice:
    """A pending ``oneOf``/``anyOf``: its branches and the discriminator next to it."""

    kind: str
    branches: tuple[Schema, ...]
    where: str
    discriminator: Mapping[str, Any] | None = None
    memo: dict[Any, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Shape:
    """The merged constraints of several schemas; see the module docstring."""

    where: str
    parts: list[Schema] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)
    contradiction: str | None = None
    types: tuple[str, ...] | None = None
    not_types: tuple[str, ...] = ()
    enum: list[Any] | None = None
    examples: list[Any] = field(default_factory=list)
    lower: Bound | None = None
    upper: Bound | None = None
    multiple_of: list[float] = field(default_factory=list)
    min_length: int = 0
    max_length: int | None = None
    patterns: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    items: list[Schema] = field(default_factory=list)
    prefix: list[list[Schema]] = field(default_factory=list)
    contains: list[Schema] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    properties: dict[str, list[Schema]] = field(default_factory=dict)
    required: dict[str, None] = field(default_factory=dict)
    additional: list[Schema] = field(default_factory=list)
    closed: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)
    pattern_props: dict[str, list[Schema]] = field(default_factory=dict)
    min_props: int = 0
    max_props: int | None = None
    choices: list[Choice] = field(default_factory=list)
    nots: list[Schema] = field(default_factory=list)
    read_only: bool = False
    write_only: bool = False
    tags: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)
    #: The first ``description`` (or ``title``) met: a hint for realistic values.
    description: str = ""
    #: Caches filled by the builder: child shapes, settled shapes, checked candidates.
    memo: dict[Any, Any] = field(default_factory=dict)

    def fork(self) -> Shape:
        """A copy to fold more schemas into; the caches start empty."""
        twin = copy.copy(self)
        for name in (
            "parts",
            "refs",
            "enum",
            "examples",
            "multiple_of",
            "patterns",
            "formats",
            "items",
            "contains",
            "additional",
            "closed",
            "choices",
            "nots",
            "tags",
        ):
            value = getattr(self, name)
            setattr(twin, name, None if value is None else list(value))
        twin.seen = set(self.seen)
        twin.prefix = [list(p) for p in self.prefix]
        twin.properties = {k: list(v) for k, v in self.properties.items()}
        twin.pattern_props = {k: list(v) for k, v in self.pattern_props.items()}
        twin.required = dict(self.required)
        twin.memo = {}
        return twin

    @property
    def schema(self) -> Mapping[str, Any]:
        """One schema equivalent to the shape (``allOf`` of its parts), for validation."""
        found = self.memo.get("schema")
        if found is None:
            found = self.memo["schema"] = {"allOf": list(self.parts)}
        return found


class Folder:
    """Folds schemas into shapes for one OpenAPI version and one direction."""

    def __init__(self, refs: Refs, version: str, direction: str) -> None:
        self.refs = refs
        self.v31 = version.startswith("3.1")
        self.direction = direction
        #: shapes by what they are folded from (``_key``), with those schemas kept alive
        self._shapes: dict[tuple[Any, ...], tuple[Sequence[Schema], Shape]] = {}

    def shape(self, schemas: Sequence[Schema], where: str) -> Shape:
        """The shape folded from ``schemas``, made once: a component that hundreds of
        operations refer to is one shape, with one set of caches, not one per place it is
        met (GitHub's document grew by ~70 MB of copies over one call of each operation).
        Shapes are never folded into afterwards (``fork`` copies first)."""
        first = schemas[0] if schemas else None
        if isinstance(first, Mapping) and isinstance(first.get("$ref"), str):
            where = first["$ref"]
        key = _key(schemas, where)
        found = self._shapes.get(key)
        if found is not None:
            return found[1]
        shape = Shape(where)
        for schema in schemas:
            self.fold(shape, schema)
        if len(self._shapes) >= MAX_SHAPES:
            self._shapes.clear()
        self._shapes[key] = (tuple(schemas), shape)
        return shape

    def fold(self, shape: Shape, schema: Schema) -> None:
        """Fold one more top-level schema into ``shape`` (it joins ``shape.parts``)."""
        shape.parts.append(schema)
        self._absorb(shape, schema, 0)

    def _absorb(self, shape: Shape, schema: Schema, depth: int) -> None:
        """Merge ``schema`` with everything it pulls in through ``$ref`` and ``allOf``."""
        if schema is True or depth > 64:
            return
        if schema is False or not isinstance(schema, Mapping):
            shape.contradiction = shape.contradiction or "the schema 'false' admits no value"
            return
        if id(schema) in shape.seen:
            return
        shape.seen.add(id(schema))
        ref = schema.get("$ref")
        if isinstance(ref, str):
            shape.refs.append(ref)
            self._absorb(shape, self.refs.resolve(ref), depth + 1)
        self._keywords(shape, schema)
        for branch in schema.get("allOf") or ():
            self._absorb(shape, branch, depth + 1)

    def _keywords(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """Apply every keyword of one schema object to ``shape``."""
        self._type(shape, s)
        self._values(shape, s)
        self._numbers(shape, s)
        self._strings(shape, s)
        self._arrays(shape, s)
        self._objects(shape, s)
        self._logic(shape, s)
        shape.read_only = shape.read_only or s.get("readOnly") is True
        if not shape.description:
            about = s.get("description") or s.get("title")
            shape.description = about if isinstance(about, str) else ""
        shape.write_only = shape.write_only or s.get("writeOnly") is True

    def _type(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """``type`` (a name or, in 3.1, a list) and 3.0's ``nullable``."""
        declared = s.get("type")
        if declared is None:
            return
        names = [declared] if isinstance(declared, str) else list(declared)
        if not self.v31 and s.get("nullable") is True:
            names.append("null")
        shape.types = tuple(names) if shape.types is None else _meet(shape.types, names)
        if not shape.types:
            shape.contradiction = "no type satisfies every 'type' keyword"

    def _values(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """``enum``, ``const`` and the example-like keywords."""
        allowed: list[Any] | None = None
        if isinstance(s.get("enum"), list):
            allowed = list(s["enum"])
        if "const" in s:
            allowed = [s["const"]] if allowed is None else intersect(allowed, [s["const"]])
        if allowed is not None:
            shape.enum = allowed if shape.enum is None else intersect(shape.enum, allowed)
            if not shape.enum:
                shape.contradiction = "no value is in every 'enum'/'const'"
        for key in ("example", "default"):
            if key in s:
                shape.examples.append(s[key])
        if isinstance(s.get("examples"), list):
            shape.examples.extend(s["examples"])

    def _numbers(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """Bounds in both spellings, and ``multipleOf``."""
        for key, low in (("minimum", True), ("maximum", False)):
            limit = s.get(key)
            if isinstance(limit, _NUMBER) and not isinstance(limit, bool):
                strict = False if self.v31 else bool(s.get("exclusiveM" + key[1:], False))
                _tighten(shape, (limit, strict), low)
        if self.v31:
            for key, low in (("exclusiveMinimum", True), ("exclusiveMaximum", False)):
                limit = s.get(key)
                if isinstance(limit, _NUMBER):
                    _tighten(shape, (int(limit) if isinstance(limit, bool) else limit, True), low)
        step = s.get("multipleOf")
        if isinstance(step, _NUMBER) and not isinstance(step, bool) and step > 0:
            shape.multiple_of.append(step)

    def _strings(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """Lengths, ``pattern`` and ``format``."""
        if isinstance(s.get("minLength"), int):
            shape.min_length = max(shape.min_length, s["minLength"])
        if isinstance(s.get("maxLength"), int):
            shape.max_length = _least(shape.max_length, s["maxLength"])
        if isinstance(s.get("pattern"), str):
            shape.patterns.append(s["pattern"])
        if isinstance(s.get("format"), str):
            shape.formats.append(s["format"])

    def _arrays(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """``items``, ``prefixItems``, ``contains`` and the item counts."""
        items = s.get("items")
        if isinstance(items, (Mapping, bool)):
            shape.items.append(items)
        elif isinstance(items, list) and not self.v31:
            self._prefix(shape, items)
        if self.v31 and isinstance(s.get("prefixItems"), list):
            self._prefix(shape, s["prefixItems"])
        if self.v31 and isinstance(s.get("contains"), (Mapping, bool)):
            shape.contains.append(s["contains"])
        if isinstance(s.get("minItems"), int):
            shape.min_items = max(shape.min_items, s["minItems"])
        if isinstance(s.get("maxItems"), int):
            shape.max_items = _least(shape.max_items, s["maxItems"])
        shape.unique = shape.unique or s.get("uniqueItems") is True

    @staticmethod
    def _prefix(shape: Shape, schemas: list[Schema]) -> None:
        """Positional item schemas (3.1 ``prefixItems``)."""
        for index, item in enumerate(schemas):
            if index == len(shape.prefix):
                shape.prefix.append([])
            shape.prefix[index].append(item)

    def _objects(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """Properties, ``required`` (minus hidden ones), extra keys and counts."""
        raw = s.get("properties")
        props: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        for name, sub in props.items():
            shape.properties.setdefault(name, []).append(sub)
        for name in s.get("required") or ():
            if not (name in props and self.refs.hidden(props[name], self.direction)):
                shape.required[name] = None
        patterns = s.get("patternProperties")
        if isinstance(patterns, Mapping):
            for pattern, sub in patterns.items():
                shape.pattern_props.setdefault(pattern, []).append(sub)
        extra = s.get("additionalProperties", True)
        if extra is False:
            shape.closed.append((tuple(props), tuple(patterns or ())))
        elif isinstance(extra, Mapping):
            shape.additional.append(extra)
        if isinstance(s.get("minProperties"), int):
            shape.min_props = max(shape.min_props, s["minProperties"])
        if isinstance(s.get("maxProperties"), int):
            shape.max_props = _least(shape.max_props, s["maxProperties"])

    def _logic(self, shape: Shape, s: Mapping[str, Any]) -> None:
        """``oneOf``/``anyOf`` (pending choices), ``not``, and a lone ``discriminator``."""
        tag = s.get("discriminator")
        tag = tag if isinstance(tag, Mapping) and isinstance(tag.get("propertyName"), str) else None
        for kind in ("oneOf", "anyOf"):
            branches = s.get(kind)
            if isinstance(branches, list) and branches:
                where = jp.join(shape.refs[-1] if shape.refs else shape.where, kind)
                shape.choices.append(Choice(kind, tuple(branches), where, tag))
        if tag is not None and not (s.get("oneOf") or s.get("anyOf")):
            shape.tags.append((tag["propertyName"], tag.get("mapping") or {}))
        negated = s.get("not")
        if isinstance(negated, (Mapping, bool)):
            shape.nots.append(negated)
            if isinstance(negated, Mapping) and set(negated) == {"type"}:
                kinds = negated["type"]
                shape.not_types += (kinds,) if isinstance(kinds, str) else tuple(kinds)


def _key(schemas: Sequence[Schema], where: str) -> tuple[Any, ...]:
    """What a shape is folded from: a schema that is only a ``$ref`` by its target (any
    such schema folds alike), another by identity (the cache keeps it alive, so its id is
    not reused), and the shape's ``where`` unless a ``$ref`` named it."""
    parts: list[Any] = [
        s["$ref"]
        if isinstance(s, Mapping) and len(s) == 1 and isinstance(s.get("$ref"), str)
        else id(s)
        for s in schemas
    ]
    first = schemas[0] if schemas else None
    if not (isinstance(first, Mapping) and where == first.get("$ref")):
        parts.append(("where", where))
    return tuple(parts)


def _meet(current: tuple[str, ...], names: list[str]) -> tuple[str, ...]:
    """The type names allowed by both lists (``integer`` is inside ``number``)."""
    out = [t for t in current if t in names or (t == "integer" and "number" in names)]
    if "number" in current and "integer" in names and "integer" not in out:
        out.append("integer")
    return tuple(out)


def _tighten(shape: Shape, bound: Bound, low: bool) -> None:
    """Keep the tighter of the shape's bound and ``bound`` on one side."""
    current = shape.lower if low else shape.upper
    if current is None:
        tighter = True
    elif bound[0] == current[0]:
        tighter = bound[1] and not current[1]
    else:
        tighter = (bound[0] > current[0]) == low
    if tighter:
        if low:
            shape.lower = bound
        else:
            shape.upper = bound


def _least(current: int | None, limit: int) -> int:
    """The smaller of an optional maximum and a new one."""
    return limit if current is None else min(current, limit)
