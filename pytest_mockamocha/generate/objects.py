"""Objects and arrays for a shape: which keys and how many items, each value from a sub-shape."""

from __future__ import annotations

import random
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pytest_mockamocha._regex import PatternTimeout, search
from pytest_mockamocha.generate import regex, totals
from pytest_mockamocha.generate import words as w
from pytest_mockamocha.generate.realism import Draw, Scope
from pytest_mockamocha.generate.shape import Shape, Unsatisfiable
from pytest_mockamocha.generate.strings import name_words
from pytest_mockamocha.generate.tuning import DEFAULT_ENTRIES, DEFAULT_ITEMS, MAX_DEPTH, P_OPTIONAL
from pytest_mockamocha.generate.values import canonical, float_multiple
from pytest_mockamocha.spec import pointer as jp

if TYPE_CHECKING:
    from pytest_mockamocha.generate.build import Builder


def build_object(builder: Builder, shape: Shape, rng: random.Random, depth: int) -> dict[str, Any]:
    """An object whose values share one person and one timeline (see ``realism.Scope``)."""
    if not isinstance(rng, Draw):
        return _object(builder, shape, rng, depth)
    outer, rng.scope = rng.scope, Scope()
    try:
        return _object(builder, shape, rng, depth)
    finally:
        rng.scope = outer


def _object(builder: Builder, shape: Shape, rng: random.Random, depth: int) -> dict[str, Any]:
    """An object with the required properties and, above the minimal depth, optional ones."""
    _check_keys(shape)
    minimal = depth > MAX_DEPTH
    out: dict[str, Any] = {}
    for name in shape.required:
        out[name] = builder.value(
            property_shape(builder, shape, name), rng, depth + 1, name_words(name)
        )
    limit = shape.max_props
    if not minimal:
        for name in shape.properties:
            if name in out or (limit is not None and len(out) >= limit):
                continue
            child = property_shape(builder, shape, name)
            if builder.hidden(child) or not _allowed(shape, name) or rng.random() >= P_OPTIONAL:
                continue
            try:
                out[name] = builder.value(child, rng, depth + 1, name_words(name))
            except Unsatisfiable:
                continue
    wanted = shape.min_props
    if not minimal and not shape.properties and (shape.additional or shape.pattern_props):
        wanted = max(wanted, len(out) + rng.randint(1, DEFAULT_ENTRIES))
    if limit is not None:
        wanted = min(wanted, max(limit, shape.min_props))
    if len(out) < wanted:
        _fill(builder, shape, out, rng, depth, wanted)
    if shape.tags:
        _name_variant(builder, shape, out)
    if totals.plan(shape):
        _add_up(builder, shape, out)
    return out


def _add_up(builder: Builder, shape: Shape, out: dict[str, Any]) -> None:
    """Totals equal to the sum of the line items, where the schemas allow (``totals``)."""

    def accepts_in(owner: Shape) -> totals.Accepts:
        def accepts(name: str, value: Any) -> bool:
            prop = property_shape(builder, owner, name)
            return float_multiple(value, prop.multiple_of) and builder.checker.valid(
                prop.schema, value
            )

        return accepts

    def line_accepts(array_name: str) -> totals.Accepts:
        array = property_shape(builder, shape, array_name)
        return accepts_in(_item_shape(builder, array, len(array.prefix), False))

    totals.apply(out, accepts_in(shape), line_accepts)


def _check_keys(shape: Shape) -> None:
    """Refuse an object whose required keys are forbidden or too many (checked once)."""
    if "keys-ok" in shape.memo:
        return
    for name in shape.required:
        if not _allowed(shape, name):
            reason = f"required property {name!r} is forbidden by additionalProperties: false"
            raise Unsatisfiable(reason, shape.where)
    if shape.max_props is not None and len(shape.required) > shape.max_props:
        reason = f"{len(shape.required)} required properties exceed maxProperties"
        raise Unsatisfiable(reason, shape.where)
    shape.memo["keys-ok"] = True


def property_shape(builder: Builder, shape: Shape, name: str) -> Shape:
    """The shape of property ``name``: its schemas, matching patterns, or the extra schema."""
    key = ("property", name)
    found = shape.memo.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    schemas = list(shape.properties.get(name, ()))
    matched = [s for p, subs in shape.pattern_props.items() if _search(p, name) for s in subs]
    schemas = schemas + matched if schemas or matched else list(shape.additional)
    return builder.child(shape, key, schemas, jp.join(shape.where, "properties", name))


def _fill(
    builder: Builder, shape: Shape, out: dict[str, Any], rng: random.Random, depth: int, wanted: int
) -> None:
    """Add properties until ``out`` has ``wanted`` of them: declared, then patterned, then free."""
    for name in shape.properties:
        if len(out) >= wanted:
            return
        child = property_shape(builder, shape, name)
        if name not in out and not builder.hidden(child) and _allowed(shape, name):
            try:
                out[name] = builder.value(child, rng, depth + 1, name_words(name))
            except Unsatisfiable:
                continue
    free = not shape.closed
    for attempt in range(4 * wanted + 8):
        if len(out) >= wanted:
            return
        key = _new_key(shape, rng, attempt, free)
        if key is None or key in out or key in shape.properties or not _allowed(shape, key):
            continue
        out[key] = builder.value(
            property_shape(builder, shape, key), rng, depth + 1, name_words(key)
        )


def _new_key(shape: Shape, rng: random.Random, attempt: int, free: bool) -> str | None:
    """A candidate extra key: from a patternProperties pattern, else a plain word."""
    patterns = list(shape.pattern_props)
    if patterns and (not free or attempt % 2 == 0):
        program = regex.compile_pattern(patterns[rng.randrange(len(patterns))])
        return None if program is None else regex.generate(program, rng, min_length=1)
    if not free:
        return None
    word = w.WORDS[rng.randrange(len(w.WORDS))]
    if shape.pattern_props and any(_search(p, word) for p in shape.pattern_props):
        return None
    return word if attempt < len(w.WORDS) else f"{word}{attempt}"


def _allowed(shape: Shape, name: str) -> bool:
    """Whether every ``additionalProperties: false`` seen lets key ``name`` in."""
    return all(
        name in names or any(_search(p, name) for p in patterns) for names, patterns in shape.closed
    )


def _name_variant(builder: Builder, shape: Shape, out: dict[str, Any]) -> None:
    """Set a lone discriminator property to the name of the schema being generated."""
    for prop, mapping in shape.tags:
        if prop in out and isinstance(out[prop], str):
            key = ("variant", prop)
            if key not in shape.memo:
                tag = _variant_name(shape.refs, mapping)
                child = property_shape(builder, shape, prop)
                ok = tag is not None and builder.checker.valid(child.schema, tag)
                shape.memo[key] = tag if ok else None
            if shape.memo[key] is not None:
                out[prop] = shape.memo[key]


def _variant_name(refs: list[str], mapping: Any) -> str | None:
    """The mapping key of the first ref followed, or that ref's component name."""
    for ref in refs:
        name = jp.split(ref[1:])[-1] if ref.startswith("#/components/schemas/") else None
        keys = (
            [k for k, v in mapping.items() if v == ref or (name and v == name)]
            if hasattr(mapping, "items")
            else []
        )
        if keys:
            return str(keys[0])
        if ref.startswith("#/components/schemas/"):
            return jp.split(ref[1:])[-1]
    return None


def build_array(
    builder: Builder, shape: Shape, rng: random.Random, depth: int, words: tuple[str, ...]
) -> list[Any]:
    """An array of a sensible length; unique items when asked, prefix items first."""
    low, count = _length(shape, rng, depth > MAX_DEPTH)
    item_words = singular(words)
    out: list[Any] = []
    seen: set[str] = set()
    for index in range(count):
        child = _item_shape(builder, shape, index, index == len(shape.prefix) and count > 0)
        try:
            value = _item(builder, child, rng, depth, item_words, seen if shape.unique else None)
        except Unsatisfiable:
            if index >= low:
                break
            raise
        if value is _NOTHING:
            break
        out.append(value)
    return out


_NOTHING = object()


def _item(
    builder: Builder,
    child: Shape,
    rng: random.Random,
    depth: int,
    words: tuple[str, ...],
    seen: set[str] | None,
) -> Any:
    """One item; when ``seen`` is given, one not equal to any earlier item (or ``_NOTHING``)."""
    if seen is None:
        return builder.value(child, rng, depth + 1, words)
    for _ in range(12):
        value = builder.value(child, rng, depth + 1, words)
        key = canonical(value)
        if key not in seen:
            seen.add(key)
            return value
    return _NOTHING


def _length(shape: Shape, rng: random.Random, minimal: bool) -> tuple[int, int]:
    """The least length allowed and the length chosen."""
    low, high = shape.min_items, shape.max_items
    if False in shape.items:
        high = len(shape.prefix) if high is None else min(high, len(shape.prefix))
    if shape.contains:
        low = max(low, 1)
    if high is not None and low > high:
        raise Unsatisfiable(f"minItems {low} exceeds maxItems {high}", shape.where)
    if minimal:
        return low, low
    start = max(low, min(len(shape.prefix) or 1, DEFAULT_ITEMS))
    end = max(low, DEFAULT_ITEMS, len(shape.prefix))
    if high is not None:
        start, end = min(start, high), min(end, high)
    return low, rng.randint(start, max(start, end))


def _item_shape(builder: Builder, shape: Shape, index: int, contains: bool) -> Shape:
    """The shape of item ``index``: its prefix schemas or ``items``, plus ``contains`` once."""
    with_contains = contains and bool(shape.contains)
    key = ("prefix", index) if index < len(shape.prefix) else ("items", with_contains)
    found = shape.memo.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    base = shape.prefix[index] if index < len(shape.prefix) else shape.items
    extra = shape.contains if with_contains else []
    return builder.child(shape, key, [*base, *extra], jp.join(shape.where, "items"))


@lru_cache(maxsize=1024)
def singular(words: tuple[str, ...]) -> tuple[str, ...]:
    """Property-name words made singular, so ``tags`` items read like a tag."""
    return tuple(
        x[:-1] if len(x) > 3 and x.endswith("s") and not x.endswith("ss") else x for x in words
    )


def _search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches inside ``text`` (in bounded time; False when it cannot
    be compiled or gives up)."""
    try:
        return search(pattern, text)
    except (re.error, PatternTimeout):
        return False
