"""JSON value helpers with JSON Schema's notion of equality (``1 == 1.0`` but ``True != 1``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any


def canonical(value: Any) -> str:
    """A stable text key for ``value`` under JSON Schema equality, for de-duplication."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"))


def _normal(value: Any) -> Any:
    """``value`` with integral floats turned into ints, so ``1`` and ``1.0`` share a key."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    return value


def json_equal(one: Any, two: Any) -> bool:
    """Whether two JSON values are equal the way ``enum`` and ``const`` compare them."""
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one is two
    if isinstance(one, (int, float)) and isinstance(two, (int, float)):
        return one == two
    if type(one) is not type(two):
        return isinstance(one, Mapping) and isinstance(two, Mapping) and _maps_equal(one, two)
    if isinstance(one, list):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping):
        return _maps_equal(one, two)
    return bool(one == two)


def _maps_equal(one: Mapping[Any, Any], two: Mapping[Any, Any]) -> bool:
    """Mapping equality with ``json_equal`` on the values."""
    return one.keys() == two.keys() and all(json_equal(one[k], two[k]) for k in one)


def intersect(first: Iterable[Any], second: Iterable[Any]) -> list[Any]:
    """The values of ``first`` (in order) that are also in ``second``."""
    others = list(second)
    return [v for v in first if any(json_equal(v, o) for o in others)]


def json_copy(value: Any) -> Any:
    """A deep copy of a JSON value, so callers may mutate what they get back."""
    if isinstance(value, Mapping):
        return {k: json_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_copy(v) for v in value]
    return value


def float_multiple(value: Any, steps: list[Any]) -> bool:
    """Whether ``value`` is a multiple of every step by float division too, as
    python-jsonschema and other binary-float validators judge it: what the mock sends is
    held to that, so a client that validates its answers never refuses one."""
    for step in steps:
        if isinstance(step, float) or isinstance(value, float):
            quotient = value / step
            if int(quotient) != quotient:
                return False
    return True
