"""The public face of value generation: ``SchemaGenerator`` and ``GenerationError``.

``generate`` builds a value by construction (fast, no hypothesis, all randomness from
the ``Random`` passed in), then validates it with ``openapi_schema_validator``; an invalid
value is retried with rngs derived from the one given. When every attempt fails, the
slow path (``fallback``: hypothesis-jsonschema, drawn from a seed taken from the same
``Random``) gets a turn; a schema neither satisfies raises ``GenerationError`` naming
where the fast path failed. Invalid values are never returned.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pytest_mockamocha.errors import GenerationError, RefError
from pytest_mockamocha.generate.build import Builder
from pytest_mockamocha.generate.fallback import Fallback
from pytest_mockamocha.generate.realism import DEFAULT_LOCALE, Draw
from pytest_mockamocha.generate.refs import Refs, Schema
from pytest_mockamocha.generate.shape import Folder, Unsatisfiable
from pytest_mockamocha.spec import pointer as jp

if TYPE_CHECKING:
    from pytest_mockamocha.generate.validate import Checker

#: Attempts, each with a ``Draw`` seeded from the caller's rng, before giving up.
ATTEMPTS = 4
DIRECTIONS = ("response", "request")


def _broken() -> tuple[type[BaseException], ...]:
    """What a broken schema raises while values are built or validated (``referencing``,
    like jsonschema, loads with the first ``Checker``: only a generating server pays it)."""
    from referencing.exceptions import Unresolvable

    return (RefError, Unresolvable, re.error, RecursionError)


class SchemaGenerator:
    """Always-valid, deterministic JSON values for schemas of one OpenAPI document."""

    def __init__(
        self, document: Mapping[str, Any], version: str, *, locale: str = DEFAULT_LOCALE
    ) -> None:
        """document: the whole OpenAPI document (all $refs local); version '3.0' or '3.1';
        locale: the Faker locale of names, addresses and phone numbers (checked on first use).
        """
        self.document = document
        self.version = "3.1" if str(version).startswith("3.1") else "3.0"
        self.locale = locale
        self._refs = Refs(document)
        self._builders: dict[str, Builder] = {}
        self._fallbacks: dict[str, Fallback] = {}

    def generate(
        self, schema: Mapping[str, Any] | bool, rng: random.Random, *, direction: str = "response"
    ) -> Any:
        """A value valid against ``schema``; writeOnly (response) or readOnly (request) omitted."""
        builder = self._builder(direction)
        with self._broken(schema):
            return self._checked(builder, schema, rng, direction)

    def generate_unchecked(
        self, schema: Mapping[str, Any] | bool, rng: random.Random, *, direction: str = "response"
    ) -> Any:
        """A value built for ``schema`` without the final validation (faster, rarely invalid)."""
        builder = self._builder(direction)
        with self._broken(schema):
            try:
                return builder.value(builder.root(schema), Draw.of(rng, self.locale), 0, ())
            except Unsatisfiable as exc:
                raise GenerationError(exc.reason, self._place(schema, exc.where)) from None

    def generate_closest(
        self, schema: Mapping[str, Any] | bool, rng: random.Random, *, direction: str = "response"
    ) -> Any:
        """The closest value the builder gets to ``schema``, even when no value satisfies it
        (a required property that recurses without end, ``allOf`` branches of different
        types): what a mock answers rather than failing. Raises only for a broken schema
        (a ref to nowhere)."""
        builder = self._builder(direction, lenient=True)
        with self._broken(schema):
            return builder.value(builder.root(schema), Draw.of(rng, self.locale), 0, ())

    def is_valid(
        self, schema: Mapping[str, Any] | bool, value: Any, *, direction: str = "response"
    ) -> bool:
        """Whether ``value`` satisfies ``schema``; False too when the schema cannot be used."""
        try:
            return self._builder(direction).checker.valid(schema, value)
        except _broken():
            return False

    def errors(
        self, schema: Mapping[str, Any] | bool, value: Any, *, direction: str = "request"
    ) -> list[tuple[str, str]]:
        """Each way ``value`` breaks ``schema``, as (dotted path, message), at most ten."""
        validator = self._builder(direction).checker.validator(schema)
        found: list[tuple[str, str]] = []
        for error in validator.iter_errors(value):
            found.append((".".join(str(p) for p in error.absolute_path), str(error.message)))
            if len(found) == 10:
                break
        return found

    def _checked(self, builder: Builder, schema: Schema, rng: random.Random, direction: str) -> Any:
        """Build, validate, retry with derived rngs, then the fallback; raise naming where."""
        failure: Unsatisfiable | None = None
        built: list[Any] = []
        for _ in range(ATTEMPTS):
            draw = Draw.of(rng, self.locale)
            try:
                value = builder.value(builder.root(schema), draw, 0, ())
            except Unsatisfiable as exc:
                failure = failure or exc
                continue
            if builder.checker.valid(schema, value):
                return value
            built.append(value)
            failure = failure or self._explain(builder, schema, value)
        assert failure is not None
        for value in built[:1]:
            found, value = _pruned(builder.checker, schema, value)
            if found:
                return value
        found, value = self._fallback(direction, builder).value(schema, rng.getrandbits(64))
        if found:
            return value
        raise GenerationError(
            f"no valid value: {failure.reason}", self._place(schema, failure.where)
        )

    @contextmanager
    def _broken(self, schema: Schema) -> Iterator[None]:
        """Turn the errors of a broken schema (bad ref, loop, bad regex) into GenerationError."""
        try:
            yield
        except RecursionError:
            reason = "the schema refers to itself without end"
            raise GenerationError(reason, self._place(schema, "$")) from None
        except _broken() as exc:
            raise GenerationError(str(exc), self._place(schema, "$")) from None

    def _builder(self, direction: str, *, lenient: bool = False) -> Builder:
        """The builder for one direction (lenient or not), made on first use."""
        key = f"{direction}|lenient" if lenient else direction
        found = self._builders.get(key)
        if found is None:
            if direction not in DIRECTIONS:
                raise ValueError(f"direction must be 'response' or 'request', not {direction!r}")
            strict = self._builders.get(direction)
            folder = strict.folder if strict else Folder(self._refs, self.version, direction)
            if strict is not None:
                checker = strict.checker
            else:
                from pytest_mockamocha.generate.validate import Checker

                checker = Checker(self._refs, self.version, direction)
            found = self._builders[key] = Builder(folder, checker, lenient=lenient)
        return found

    def _fallback(self, direction: str, builder: Builder) -> Fallback:
        """The hypothesis-jsonschema fallback of one direction, made on first use."""
        found = self._fallbacks.get(direction)
        if found is None:
            found = Fallback(self._refs, self.version, direction, builder.checker)
            found = self._fallbacks.setdefault(direction, found)
        return found

    @property
    def fallback_stats(self) -> dict[str, int]:
        """Values the fallback supplied (``used``) and schemas it failed on (``failed``)."""
        return {
            "used": sum(f.used for f in self._fallbacks.values()),
            "failed": sum(f.failed for f in self._fallbacks.values()),
        }

    def _explain(self, builder: Builder, schema: Schema, value: Any) -> Unsatisfiable:
        """Why ``value`` is invalid, as an ``Unsatisfiable`` located at the failing keyword."""
        error = builder.checker.error(schema, value)
        if error is None:
            return Unsatisfiable("the value is valid", "$")
        return Unsatisfiable(error.message, self._locate(schema, error.absolute_schema_path))

    def _locate(self, schema: Schema, path: Iterable[Any]) -> str:
        """A pointer for a validator schema path, restarting at each ``$ref`` followed."""
        node: Any = schema
        where, tokens = "$", list[Any]()
        for step in path:
            if step == "$ref" and isinstance(node, Mapping) and isinstance(node.get(step), str):
                where, tokens = node["$ref"], []
                try:
                    node = self._refs.resolve(where)
                except RefError:
                    break
                continue
            tokens.append(step)
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = None
        return jp.join(where, *tokens)

    def _place(self, schema: Schema, where: str) -> str:
        """``where`` with its leading ``$`` (the schema handed in) replaced by its pointer."""
        if not where.startswith("$"):
            return where
        return (self._refs.place_of(schema) or "#") + where[1:]


#: how many deletions ``_pruned`` tries before it gives up
_PRUNE_STEPS = 64


def _pruned(checker: Checker, schema: Schema, value: Any) -> tuple[bool, Any]:
    """``value`` with what makes it invalid left out, where leaving out is allowed: an
    optional property (or map entry, or array item) whose schema no value satisfies (a
    ``oneOf`` of identical branches, say) is dropped. Each deletion must lower the count
    of errors; gives ``(True, value)`` once valid, ``(False, value)`` when stuck."""
    import copy

    current = copy.deepcopy(value)
    errors = _error_paths(checker, schema, current)
    steps = 0
    while errors and steps < _PRUNE_STEPS:
        for path in sorted(errors, key=len, reverse=True):
            improved = False
            for cut in range(len(path), 0, -1):
                steps += 1
                candidate = _without(current, path[:cut])
                if candidate is None:
                    continue
                fewer = _error_paths(checker, schema, candidate)
                if len(fewer) < len(errors):
                    current, errors, improved = candidate, fewer, True
                    break
            if improved or steps >= _PRUNE_STEPS:
                break
        else:
            return False, current
    return not errors, current


def _error_paths(checker: Checker, schema: Schema, value: Any) -> list[tuple[Any, ...]]:
    validator = checker.validator(schema)
    return [tuple(e.absolute_path) for e in validator.iter_errors(value)][:50]


def _without(value: Any, path: tuple[Any, ...]) -> Any:
    """A copy of ``value`` without the element at ``path`` (None when there is none)."""
    import copy

    out = copy.deepcopy(value)
    node = out
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    last = path[-1]
    if isinstance(node, dict) and last in node:
        del node[last]
        return out
    if isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        del node[last]
        return out
    return None
