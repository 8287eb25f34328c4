"""Order arithmetic: totals that add up to their line items.

An object with line items (an array of objects carrying a quantity and a unit price) and
a total-like number (``total``, ``subtotal``, ``amount``, ``grandTotal``...) gets
``subtotal = sum(quantity * unit price)`` rounded to cents, and ``total`` = subtotal plus
any ``tax``/``shipping``/``fee`` minus any ``discount`` found next to it. A line's own total
(``lineTotal``, or ``total``/``amount`` beside a separate unit price) becomes its quantity
times its unit price. Each number is written only when its property's schema accepts it
(bounds, ``multipleOf``, integer type); otherwise the schema-valid value stays.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from pytest_mockamocha.generate.shape import Shape
from pytest_mockamocha.generate.strings import name_words

Accepts = Callable[[str, Any], bool]
_QUANTITY = frozenset(("quantity", "qty", "units"))
#: Unit-price property names, best first (``amount``/``price`` alone count as the unit).
_UNIT = ("unitprice", "unitamount", "unitcost", "priceperunit", "price", "amount", "cost")
_LINE_TOTAL = frozenset(("linetotal", "lineamount", "total", "totalprice", "subtotal", "amount"))
_SUBTOTAL = frozenset(("subtotal", "itemstotal", "itemtotal", "netamount", "net"))
_TOTAL = frozenset(
    ("total", "totalamount", "grandtotal", "ordertotal", "totalprice", "amount", "amountdue")
)
_PLUS = frozenset(("tax", "taxamount", "vat", "shipping", "shippingcost", "fee", "fees"))
_MINUS = frozenset(("discount", "discountamount"))


def plan(shape: Shape) -> bool:
    """Whether an object of this shape may hold totals (cached: the common answer is no)."""
    found = shape.memo.get("totals")
    if found is None:
        names = [name_words(n)[:1] for n in shape.properties]
        found = shape.memo["totals"] = any(w and w[0] in _TOTAL | _SUBTOTAL for w in names)
    return bool(found)


def apply(out: dict[str, Any], accepts: Accepts, line_accepts: Callable[[str], Accepts]) -> None:
    """Make ``out``'s totals the sum of its line items, where the schema allows.

    ``accepts(name, value)``: whether property ``name`` of ``out`` may take ``value``;
    ``line_accepts(array_name)`` gives the same test for the items of that array.
    """
    subtotal: Fraction | None = None
    for name, value in out.items():
        if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            continue
        check = line_accepts(name)
        lines = [_line(item, check) for item in value]
        known = [line for line in lines if line is not None]
        if len(known) != len(lines):
            continue
        subtotal = (subtotal or Fraction(0)) + sum(known, Fraction(0))
    if subtotal is None:
        return
    keys = {name: name_words(name)[0] for name in out if name_words(name)}
    adjust = Fraction(0)
    for name, word in keys.items():
        number = out[name]
        if _is_number(number) and word in _PLUS | _MINUS:
            adjust += _exact(number) * (1 if word in _PLUS else -1)
    has_subtotal = any(word in _SUBTOTAL for word in keys.values())
    for name, word in keys.items():
        if not _is_number(out[name]):
            continue
        if word in _SUBTOTAL:
            _set(out, name, subtotal, accepts)
        elif word in _TOTAL:
            _set(out, name, subtotal + adjust if has_subtotal or adjust else subtotal, accepts)


def _line(item: dict[str, Any], accepts: Accepts) -> Fraction | None:
    """quantity x unit price of one line (its line total set to that), or None."""
    words = {name: name_words(name)[0] for name in item if name_words(name)}
    quantity: Any = next((item[n] for n, w in words.items() if w in _QUANTITY), None)
    if not _is_number(quantity):
        return None
    unit_name = next(
        (n for key in _UNIT for n, w in words.items() if w == key and _is_number(item[n])), None
    )
    if unit_name is None:
        return None
    line = _exact(quantity) * _exact(item[unit_name])
    for name, word in words.items():
        if name != unit_name and word in _LINE_TOTAL and _is_number(item[name]):
            _set(item, name, line, accepts)
    return line


def _set(target: dict[str, Any], name: str, exact: Fraction, accepts: Accepts) -> None:
    """Write ``exact`` (as cents) into ``target[name]`` if the schema accepts it."""
    cents = round(exact * 100)
    options: list[Any] = [cents // 100] if cents % 100 == 0 else []
    options += [round(cents / 100, 2), float(Fraction(cents, 100))]
    for candidate in options:
        if accepts(name, candidate):
            target[name] = candidate
            return


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _exact(value: float) -> Fraction:
    """A JSON number as an exact fraction of its shortest decimal spelling."""
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
