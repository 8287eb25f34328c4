"""Integers and numbers inside a shape's bounds, on its ``multipleOf`` grid."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from pytest_mockamocha.generate.shape import Bound, Shape, Unsatisfiable

#: Width of the range drawn from when a side is unbounded.
SPAN = 1000
_INT_FORMATS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_NAME_RANGES = (
    (("price", "amount", "cost", "subtotal", "balance", "fee", "tax", "salary"), (1, 500)),
    (("age",), (1, 99)),
    (("year",), (1990, 2030)),
    (("month",), (1, 12)),
    (("day",), (1, 28)),
    (("hour",), (0, 23)),
    (("percent", "percentage"), (0, 100)),
    (("count", "total", "quantity", "qty", "size", "limit"), (0, 100)),
    (("page",), (1, 20)),
    (("id",), (1, 10000)),
    (("status", "statuscode", "httpstatus"), (200, 599)),
)


def integer(shape: Shape, rng: random.Random, words: tuple[str, ...]) -> int:
    """An integer within the bounds (and any int32/int64 format) on the multipleOf grid."""
    low, high = _default_range(_int_low(shape.lower), _int_high(shape.upper), words)
    for fmt in shape.formats:
        if fmt in _INT_FORMATS:
            lo, hi = _INT_FORMATS[fmt]
            low, high = max(low, lo), min(high, hi)
    low, high = math.ceil(low), math.floor(high)
    if low > high:
        raise Unsatisfiable(f"no integer between {low} and {high}", shape.where)
    step = _int_step(shape.multiple_of)
    first, last = -((-low) // step), high // step
    if first > last:
        raise Unsatisfiable(f"no multiple of {step} between {low} and {high}", shape.where)
    for _ in range(8):
        value = rng.randint(first, last) * step
        if all(multiple_ok(value, m) for m in shape.multiple_of):
            return value
    return first * step


def number(shape: Shape, rng: random.Random, words: tuple[str, ...]) -> float | int:
    """A number within the bounds; a short decimal when there is no multipleOf."""
    low = shape.lower[0] if shape.lower else None
    high = shape.upper[0] if shape.upper else None
    lo, hi = _default_range(low, high, words)
    if lo > hi:
        raise Unsatisfiable(f"no number between {lo} and {hi}", shape.where)
    if shape.multiple_of:
        return _grid_number(shape, rng, lo, hi)
    for candidate in (round(rng.uniform(lo, hi), 2), rng.uniform(lo, hi), lo / 2 + hi / 2):
        if _inside(candidate, shape):
            return float(candidate)
    raise Unsatisfiable(f"no float strictly between {lo} and {hi}", shape.where)


def multiple_ok(value: float, step: float) -> bool:
    """Whether ``value`` is a multiple of ``step`` exactly as jsonschema checks it."""
    if isinstance(step, float):
        try:
            quotient = value / step
            return int(quotient) == quotient
        except (OverflowError, ZeroDivisionError):
            return False
    return not value % step


def _grid_number(shape: Shape, rng: random.Random, lo: float, hi: float) -> float | int:
    """A number on the common grid of every multipleOf, within ``[lo, hi]``."""
    step = _fraction_step(shape.multiple_of)
    first = math.ceil(Fraction(lo) / step)
    last = math.floor(Fraction(hi) / step)
    if first > last:
        raise Unsatisfiable(f"no multiple of {step} between {lo} and {hi}", shape.where)
    picks = [rng.randint(first, last) for _ in range(10)] + [first, last, (first + last) // 2]
    whole = step.denominator
    picks += [k for k in (first - first % whole + whole, last - last % whole) if first <= k <= last]
    for k in picks:
        exact = k * step
        value: float | int = int(exact) if exact.denominator == 1 else float(exact)
        if _inside(value, shape) and all(multiple_ok(value, m) for m in shape.multiple_of):
            return value
    raise Unsatisfiable(f"no float multiple of {step} between {lo} and {hi}", shape.where)


def _inside(value: float, shape: Shape) -> bool:
    """Whether ``value`` respects both bounds, exclusive ones included."""
    for bound, low in ((shape.lower, True), (shape.upper, False)):
        if bound is None:
            continue
        limit, strict = bound
        if (value < limit if low else value > limit) or (strict and value == limit):
            return False
    return True


def _int_low(bound: Bound | None) -> int | None:
    """The least integer a lower bound admits."""
    if bound is None:
        return None
    limit, strict = bound
    return math.floor(limit) + 1 if strict else math.ceil(limit)


def _int_high(bound: Bound | None) -> int | None:
    """The greatest integer an upper bound admits."""
    if bound is None:
        return None
    limit, strict = bound
    return math.ceil(limit) - 1 if strict else math.floor(limit)


def _default_range(
    low: float | None, high: float | None, words: tuple[str, ...]
) -> tuple[float, float]:
    """Both ends of the draw: the bounds, filled in from the name or ``SPAN``."""
    if low is not None and high is not None:
        return low, high
    guess = _guess(words)
    if low is None and high is None:
        return guess
    if low is None:
        assert high is not None
        return (guess[0] if guess[0] < high - 10 else high - SPAN), high
    return low, guess[1] if guess[1] > low + 10 else low + SPAN


def _guess(words: tuple[str, ...]) -> tuple[int, int]:
    """A plausible range for a numeric property from the words of its name."""
    for keys, found in _NAME_RANGES:
        if any(w in keys for w in words):
            return found
    return 0, SPAN


def _int_step(steps: list[float]) -> int:
    """The smallest positive integer that every multipleOf divides."""
    out = 1
    for step in steps:
        numerator = Fraction(str(step)).numerator
        out = out * numerator // math.gcd(out, numerator)
    return out


def _fraction_step(steps: list[float]) -> Fraction:
    """The least common multiple of the multipleOf values, as an exact fraction."""
    out = Fraction(str(steps[0]))
    for step in steps[1:]:
        other = Fraction(str(step))
        num = out.numerator * other.numerator // math.gcd(out.numerator, other.numerator)
        out = Fraction(num, math.gcd(out.denominator, other.denominator))
    return out
