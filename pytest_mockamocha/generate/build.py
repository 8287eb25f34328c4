"""Values from shapes: picks ``oneOf``/``anyOf`` branches, then builds by type.

Depth counts nesting (object properties, array items). Past ``tuning.MAX_DEPTH`` values
are minimal (required properties only, ``minItems`` items, null when allowed, scalar
branches preferred) so recursive schemas end; past ``tuning.HARD_DEPTH`` it gives up.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.generate import objects, strings, styles
from pytest_mockamocha.generate.numbers import integer, number
from pytest_mockamocha.generate.refs import Schema
from pytest_mockamocha.generate.shape import Choice, Folder, Shape, Unsatisfiable
from pytest_mockamocha.generate.tuning import HARD_DEPTH, MAX_DEPTH, P_EXAMPLE, P_NULL
from pytest_mockamocha.generate.values import json_copy
from pytest_mockamocha.spec import pointer as jp

if TYPE_CHECKING:  # jsonschema loads with the first Checker made, not with the generator
    from pytest_mockamocha.generate.validate import Checker

_SCALARS = ("string", "integer", "number", "boolean")
_DEFAULT_KINDS = ("string", "integer", "number", "boolean", "object", "array", "null")
_INT_FORMATS = ("int32", "int64")
_NUM_FORMATS = ("float", "double")


class Builder:
    """Generates values for shapes of one document, version and direction.

    A ``lenient`` builder never gives up: where nothing satisfies a shape (a required
    property that recurses for ever, ``allOf`` branches of different types) it builds the
    closest value it can (``closest``), and past ``LENIENT_DEPTH`` it stops nesting. It
    answers for schemas a mock must still serve (see ``SchemaGenerator.generate_closest``)."""

    def __init__(self, folder: Folder, checker: Checker, *, lenient: bool = False) -> None:
        self.folder = folder
        self.checker = checker
        self.lenient = lenient
        self.response = folder.direction == "response"
        self._roots: dict[int, tuple[Schema, Shape]] = {}
        self._kinds: dict[str, Callable[[Shape, random.Random, int, tuple[str, ...]], Any]] = {
            "string": lambda s, r, d, w: strings.text(s, r, w),
            "integer": lambda s, r, d, w: integer(s, r, w),
            "number": lambda s, r, d, w: number(s, r, w),
            "boolean": lambda s, r, d, w: r.random() < 0.5,
            "object": lambda s, r, d, w: objects.build_object(self, s, r, d),
            "array": lambda s, r, d, w: objects.build_array(self, s, r, d, w),
        }

    def root(self, schema: Schema) -> Shape:
        """The (cached) shape of a schema handed in from outside."""
        found = self._roots.get(id(schema))
        if found is None or found[0] is not schema:
            if len(self._roots) > 4096:
                self._roots.clear()
            found = (schema, self.folder.shape([schema], "$"))
            self._roots[id(schema)] = found
        return found[1]

    def child(self, shape: Shape, key: Any, schemas: list[Schema], where: str) -> Shape:
        """Fold and cache, as ``shape.memo[key]``, the sub-shape made of ``schemas``."""
        found = shape.memo[key] = self.folder.shape(schemas, where)
        return found

    def hidden(self, shape: Shape) -> bool:
        """Whether a property with this shape is left out in this direction."""
        return shape.write_only if self.response else shape.read_only

    def value(self, shape: Shape, rng: random.Random, depth: int, words: tuple[str, ...]) -> Any:
        """A value for ``shape`` at nesting ``depth``; ``words`` come from the property name."""
        if not self.lenient:
            return self._value(shape, rng, depth, words)
        if depth > LENIENT_DEPTH:
            return closest(shape)
        try:
            return self._value(shape, rng, depth, words)
        except Unsatisfiable:
            return closest(shape)

    def _value(self, shape: Shape, rng: random.Random, depth: int, words: tuple[str, ...]) -> Any:
        if depth > HARD_DEPTH:
            raise Unsatisfiable("the schema recurses without end", shape.where)
        if shape.examples and depth <= MAX_DEPTH and not _styled(shape):
            usable = self._checked(shape, "examples", [e for e in shape.examples if _scalar(e)])
            if usable and rng.random() < P_EXAMPLE:
                return json_copy(usable[rng.randrange(len(usable))])
        if shape.choices:
            return self._choose(shape, rng, depth, words)
        if shape.contradiction:
            raise Unsatisfiable(shape.contradiction, shape.where)
        if shape.nots:
            return self._avoiding(shape, rng, depth, words)
        return self._plain(shape, rng, depth, words)

    def _checked(self, shape: Shape, key: str, candidates: list[Any]) -> list[Any]:
        """The candidates valid against the whole shape, cached."""
        found = shape.memo.get(key)
        if found is None:
            schema = shape.schema
            found = shape.memo[key] = [c for c in candidates if self.checker.valid(schema, c)]
        return found

    def _plain(self, shape: Shape, rng: random.Random, depth: int, words: tuple[str, ...]) -> Any:
        """A value for a shape with no pending choice: from its enum, or by type."""
        if shape.enum is not None:
            members = self._checked(shape, "enum", shape.enum)
            if not members:
                raise Unsatisfiable("no enum member satisfies the other keywords", shape.where)
            return json_copy(members[rng.randrange(len(members))])
        kinds = self._kinds_of(shape)
        minimal = depth > MAX_DEPTH
        nullable = "null" in kinds
        others = [k for k in kinds if k != "null"]
        if nullable and (not others or minimal or rng.random() < P_NULL):
            return None
        if minimal:
            others.sort(key=lambda k: k not in _SCALARS)
        elif len(others) > 1:
            start = rng.randrange(len(others))
            others = others[start:] + others[:start]
        failure: Unsatisfiable | None = None
        for kind in others:
            try:
                return self._kinds[kind](shape, rng, depth, words)
            except Unsatisfiable as exc:
                failure = failure or exc
        if nullable:
            return None
        raise failure or Unsatisfiable("no type is allowed", shape.where)

    def _kinds_of(self, shape: Shape) -> list[str]:
        """The JSON types a value may take, declared or guessed from the keywords present."""
        found = shape.memo.get("kinds")
        if found is None:
            declared = shape.types if shape.types is not None else _guess_kinds(shape)
            found = [k for k in declared if k not in shape.not_types]
            if "number" in shape.not_types and "integer" in found:
                found.remove("integer")
            shape.memo["kinds"] = found
        return list(found)

    def _avoiding(
        self, shape: Shape, rng: random.Random, depth: int, words: tuple[str, ...]
    ) -> Any:
        """A value that matches none of the shape's ``not`` schemas (best effort)."""
        value = None
        for _ in range(6):
            value = self._plain(shape, rng, depth, words)
            if not any(self.checker.valid(negated, value) for negated in shape.nots):
                return value
        return value

    def _choose(self, shape: Shape, rng: random.Random, depth: int, words: tuple[str, ...]) -> Any:
        """A value through picked branches; for ``oneOf`` one matching no other branch."""
        failure: Unsatisfiable | None = None
        fallback: list[Any] = []
        for _ in range(6):
            settled, picks = self._settle(shape, rng, depth > MAX_DEPTH)
            try:
                value = self.value(settled, rng, depth, words)
            except Unsatisfiable as exc:
                failure = failure or exc
                continue
            if self._exclusive(picks, value):
                return value
            fallback = fallback or [value]
        if fallback:
            return fallback[0]
        raise failure or Unsatisfiable("no branch can be satisfied", shape.where)

    def _settle(
        self, shape: Shape, rng: random.Random, minimal: bool
    ) -> tuple[Shape, list[tuple[Choice, int]]]:
        """``shape`` with every pending choice replaced by one picked branch."""
        picks: list[tuple[Choice, int]] = []
        while shape.choices and len(picks) < 32:
            choice = shape.choices[0]
            index, tag = self._pick(choice, rng, minimal)
            key = ("settled", index, tag)
            found = shape.memo.get(key)
            if found is None:
                found = shape.fork()
                found.choices.pop(0)
                self.folder.fold(found, choice.branches[index])
                if tag is not None:
                    self.folder.fold(found, _forced(choice, tag))
                shape.memo[key] = found
            shape = found
            picks.append((choice, index))
        return shape, picks

    def _pick(self, choice: Choice, rng: random.Random, minimal: bool) -> tuple[int, str | None]:
        """A branch index (and discriminator value) for ``choice``."""
        tagged = _tag_options(choice)
        if tagged:
            index, tag = tagged[rng.randrange(len(tagged))]
            return index, tag
        if minimal:
            leafy = self._leafy(choice)
            if leafy:
                return leafy[rng.randrange(len(leafy))], None
        return rng.randrange(len(choice.branches)), None

    def _leafy(self, choice: Choice) -> list[int]:
        """The branches whose values need no nesting (scalars, enums, null)."""
        found = choice.memo.get("leafy")
        if found is None:
            found = []
            for index, branch in enumerate(choice.branches):
                shape = self.folder.shape([branch], jp.join(choice.where, index))
                kinds = shape.types if shape.types is not None else _guess_kinds(shape)
                if shape.enum is not None or not ({"object", "array"} & set(kinds)):
                    found.append(index)
            choice.memo["leafy"] = found
        return found

    def _exclusive(self, picks: list[tuple[Choice, int]], value: Any) -> bool:
        """Whether ``value`` matches no branch of a plain ``oneOf`` besides the one picked."""
        for choice, index in picks:
            if choice.kind != "oneOf" or choice.discriminator is not None:
                continue
            for other, branch in enumerate(choice.branches):
                if other != index and self.checker.valid(branch, value):
                    return False
        return True


def _scalar(example: Any) -> bool:
    """Whether an example may be repeated as is: whole objects and arrays are not, so data
    sets do not fill with copies of one example (the mock serves those examples itself)."""
    return not isinstance(example, (Mapping, list))


def _styled(shape: Shape) -> bool:
    """Whether new values are drawn in the style of the examples instead of repeating them."""
    found = shape.memo.get("styled")
    if found is None:
        plain = not shape.formats and not shape.patterns and shape.enum is None
        found = shape.memo["styled"] = plain and styles.template(shape.examples) is not None
    return bool(found)


#: how deep a lenient builder nests before it answers each shape with ``closest``
LENIENT_DEPTH = MAX_DEPTH + 2


def closest(shape: Shape) -> Any:
    """The simplest value of the shape's first type, ignoring what cannot be satisfied: its
    first enum member, else ``{}``, ``[]``, a string of ``minLength``, the lower bound."""
    if shape.enum:
        return json_copy(shape.enum[0])
    kinds = list(shape.types or ()) or _declared_kinds(shape) or list(_guess_kinds(shape))
    kind = kinds[0]
    if kind == "object":
        return {}
    if kind == "array":
        return []
    if kind == "string":
        return "x" * shape.min_length
    if kind in ("integer", "number"):
        low = shape.lower[0] if shape.lower is not None else 0
        return math.ceil(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return False
    return None


def _declared_kinds(shape: Shape) -> list[str]:
    """The types the folded schemas declared, in order (a contradiction leaves none in
    ``shape.types``; the first declared is the closest)."""
    found: list[str] = []
    for part in shape.parts:
        declared = part.get("type") if isinstance(part, Mapping) else None
        for kind in [declared] if isinstance(declared, str) else declared or []:
            if isinstance(kind, str) and kind not in found:
                found.append(kind)
    return found


def _guess_kinds(shape: Shape) -> tuple[str, ...]:
    """The likely type of an untyped shape from the keywords it carries."""
    if shape.properties or shape.required or shape.additional or shape.pattern_props:
        return ("object",)
    if shape.items or shape.prefix or shape.contains or shape.min_items:
        return ("array",)
    if any(f in _INT_FORMATS for f in shape.formats):
        return ("integer",)
    if any(f in _NUM_FORMATS for f in shape.formats):
        return ("number",)
    if shape.patterns or shape.formats or shape.min_length or shape.max_length is not None:
        return ("string",)
    if shape.lower or shape.upper or shape.multiple_of:
        return ("number",)
    if shape.min_props or shape.max_props is not None or shape.closed:
        return ("object",)
    return _DEFAULT_KINDS


def _tag_options(choice: Choice) -> list[tuple[int, str]]:
    """(branch, discriminator value) pairs the validator will accept, cached on the choice."""
    found = choice.memo.get("tags")
    if found is None:
        found = choice.memo["tags"] = _discriminated(choice) if choice.discriminator else []
    return found


def _discriminated(choice: Choice) -> list[tuple[int, str]]:
    """For each ``$ref`` branch, the mapping keys naming it, else its implicit name."""
    assert choice.discriminator is not None
    mapping = choice.discriminator.get("mapping")
    mapping = mapping if isinstance(mapping, Mapping) else {}
    out: list[tuple[int, str]] = []
    for index, branch in enumerate(choice.branches):
        ref = branch.get("$ref") if isinstance(branch, Mapping) else None
        if not isinstance(ref, str):
            continue
        name = jp.split(ref[1:])[-1] if ref.startswith("#/components/schemas/") else ""
        # a mapping value is a $ref or, as OpenAPI allows, a bare schema name
        keys = [str(k) for k, v in mapping.items() if v == ref or (name and v == name)]
        if not keys and name and name not in mapping:
            keys = [name]
        if not keys:
            keys = [
                str(k)
                for k, v in mapping.items()
                if isinstance(v, str) and v.rsplit("/", 1)[-1] == name
            ]
        out.extend((index, key) for key in keys)
    return out


def _forced(choice: Choice, tag: str) -> Schema:
    """A schema pinning the discriminator property to ``tag`` (kept for identity caching)."""
    key = ("forced", tag)
    found = choice.memo.get(key)
    if found is None:
        assert choice.discriminator is not None
        prop = choice.discriminator["propertyName"]
        found = choice.memo[key] = {"properties": {prop: {"enum": [tag]}}, "required": [prop]}
    return found
