"""Conditions on one value of a request, each explaining a miss.

A condition object (``{"regex": "^s", "exists": true}``) holds when every condition in it
holds. Parameters and form fields are text: ``equals`` compares as text (``7`` fits "7"),
numeric conditions parse the text as a number. Body values compare as JSON values
(``1`` equals ``1.0``; ``"1"`` does not equal ``1``; booleans are not numbers).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_mockamocha._regex import LinearPattern, PatternError, linear

#: every condition name, in the order messages list them
CONDITIONS = (
    "equals",
    "not_equals",
    "contains",
    "regex",
    "exists",
    "gt",
    "gte",
    "lt",
    "lte",
    "one_of",
)
_NUMERIC = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_SCALARS = (str, int, float, bool)
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


@dataclass(frozen=True, slots=True)
class Condition:
    """``name`` (one of ``CONDITIONS``) with the rule's ``value``; ``regex`` compiled once,
    for RE2 (matching time linear in the value, whatever the pattern)."""

    name: str
    value: Any
    pattern: LinearPattern | None = field(default=None, compare=False, repr=False)

    def wants(self, text: bool) -> str:
        """What the rule wants, for messages: ``regex '^s'``, ``>= 18``.

        ``text``: as a parameter's text (``7`` shows as ``'7'``), else as a JSON value."""
        value = self.value
        if text and self.name in ("equals", "not_equals", "contains", "one_of"):
            value = [_as_text(v) for v in value] if isinstance(value, list) else _as_text(value)
        shown = _cut(repr(value)) if text else _show(value)
        if self.name == "equals":
            return shown
        if self.name in ("not_equals", "contains"):
            return f"{'not' if self.name == 'not_equals' else 'contains'} {shown}"
        if self.name == "regex":
            return f"regex {self.value!r}"
        if self.name == "exists":
            return "it present" if self.value else "it absent"
        if self.name == "one_of":
            return f"one of {shown}"
        return f"{_NUMERIC[self.name]} {_show(self.value)}"

    def form(self) -> dict[str, Any]:
        """The condition as its ``{name: value}`` form."""
        return {self.name: self.value}


def condition(name: str, value: Any) -> Condition:
    """A condition, its regex compiled (``PatternError`` for a pattern RE2 cannot run)."""
    if name == "regex":
        return Condition(name, value, linear(value))
    return Condition(name, value)


def text_miss(label: str, values: Sequence[str], conditions: Sequence[Condition]) -> str | None:
    """Why the text values of a parameter or form field (none: absent) miss a condition.

    A list ``equals`` compares every value in order; ``contains`` looks for a substring
    of a value sent once, for an element among values sent several times; the other
    conditions test the first value."""
    for cond in conditions:
        reason = _text_check(cond, list(values))
        if reason is not None:
            return f"{label} {reason}, rule wants {cond.wants(text=True)}"
    return None


def _text_check(cond: Condition, values: list[str]) -> str | None:
    """None when ``cond`` holds, else what the value is (``is 'x'``, ``is absent``)."""
    if cond.name == "exists":
        return None if bool(values) == cond.value else _is_text(values)
    if cond.name == "equals" and isinstance(cond.value, (list, tuple)):
        wanted = [_as_text(v) for v in cond.value]
        return None if values == wanted else f"is {values!r}"
    if not values:
        return None if cond.name == "not_equals" else "is absent"
    first = values[0]
    if cond.name == "equals":
        return None if first == _as_text(cond.value) else f"is {first!r}"
    if cond.name == "not_equals":
        return None if first != _as_text(cond.value) else f"is {first!r}"
    if cond.name == "contains":
        needle = _as_text(cond.value)
        found = needle in values if len(values) > 1 else needle in first
        return None if found else _is_text(values)
    if cond.name == "regex":
        assert cond.pattern is not None
        return None if cond.pattern.search(first) else f"is {first!r}"
    if cond.name == "one_of":
        return None if first in [_as_text(v) for v in cond.value] else f"is {first!r}"
    number = _number_of_text(first)
    if number is None:
        return f"is {first!r}, not a number"
    return None if _compare(cond.name, number, cond.value) else f"is {first!r}"


def _is_text(values: list[str]) -> str:
    if not values:
        return "is absent"
    return f"is {values[0]!r}" if len(values) == 1 else f"is {values!r}"


def json_miss(
    label: str, actual: Any, present: bool, conditions: Sequence[Condition], *, nodes: bool = False
) -> str | None:
    """Why a JSON value (``present`` False: absent) misses one of ``conditions``.

    ``nodes``: ``actual`` is the array of a JSONPath's matches; it exists when not empty."""
    for cond in conditions:
        reason = _json_check(cond, actual, present, bool(actual) if nodes else present)
        if reason is not None:
            return f"{label} {reason}, rule wants {cond.wants(text=False)}"
    return None


def _json_check(cond: Condition, actual: Any, present: bool, exists: bool) -> str | None:
    if cond.name == "exists":
        return None if exists == cond.value else _is_json(actual, present)
    if not present:
        return None if cond.name == "not_equals" else "is absent"
    shown = f"is {_show(actual)}"
    if cond.name == "equals":
        return None if json_equal(cond.value, actual) else shown
    if cond.name == "not_equals":
        return None if not json_equal(cond.value, actual) else shown
    if cond.name == "one_of":
        return None if any(json_equal(v, actual) for v in cond.value) else shown
    if cond.name == "contains":
        return _contains(cond.value, actual)
    if cond.name == "regex":
        assert cond.pattern is not None
        if not isinstance(actual, str):
            return f"{shown}, not a string"
        return None if cond.pattern.search(actual) else shown
    if not _is_number(actual):
        return f"{shown}, not a number"
    return None if _compare(cond.name, actual, cond.value) else shown


def _contains(wanted: Any, actual: Any) -> str | None:
    shown = f"is {_show(actual)}"
    if isinstance(actual, str):
        return None if isinstance(wanted, str) and wanted in actual else shown
    if isinstance(actual, list):
        return None if any(json_equal(wanted, item) for item in actual) else shown
    if isinstance(actual, dict):
        return None if isinstance(wanted, str) and wanted in actual else shown
    return f"{shown}, not a string, array or object"


def _is_json(actual: Any, present: bool) -> str:
    return f"is {_show(actual)}" if present else "is absent"


def json_equal(wanted: Any, actual: Any) -> bool:
    """Equal as JSON values: ``1 == 1.0``, ``"1" != 1``, ``true != 1``, objects unordered."""
    if isinstance(wanted, dict) and isinstance(actual, dict):
        return wanted.keys() == actual.keys() and all(
            json_equal(v, actual[k]) for k, v in wanted.items()
        )
    if isinstance(wanted, (list, tuple)) and isinstance(actual, (list, tuple)):
        return len(wanted) == len(actual) and all(
            json_equal(w, a) for w, a in zip(wanted, actual, strict=True)
        )
    if _is_number(wanted) and _is_number(actual):
        return bool(wanted == actual)
    return type(wanted) is type(actual) and bool(wanted == actual)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_of_text(text: str) -> float | None:
    """The number a parameter's text spells (``2``, ``-1.5``, ``1e3``), else None."""
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _compare(name: str, actual: float, wanted: float) -> bool:
    if name == "gt":
        return actual > wanted
    if name == "gte":
        return actual >= wanted
    if name == "lt":
        return actual < wanted
    return actual <= wanted


def _as_text(value: Any) -> str:
    """A rule's value as the text a parameter would carry: ``True`` is "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _show(value: Any, limit: int = 80) -> str:
    """A value for a message: strings quoted, the rest as compact JSON, long ones cut."""
    if isinstance(value, str):
        shown = repr(value)
    else:
        try:
            shown = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            shown = repr(value)
    return _cut(shown, limit)


def _cut(shown: str, limit: int = 80) -> str:
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# -- checking the dict form -------------------------------------------------------------
def condition_problems(name: str, value: Any, *, text: bool, lists: bool) -> str | None:
    """What is wrong with ``{name: value}`` (None: fine).

    ``text``: the condition tests a parameter or form field (scalars only); ``lists``: a
    list ``equals`` is allowed (query parameters and form fields)."""
    if name not in CONDITIONS:
        return f"is not a condition (allowed: {', '.join(CONDITIONS)})"
    if name == "exists":
        return None if isinstance(value, bool) else "must be true or false"
    if name in _NUMERIC:
        finite = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
        return None if _is_number(value) and finite else "must be a number"
    if name == "regex":
        if not isinstance(value, str):
            return "must be a string (a regular expression)"
        try:
            linear(value)
        except PatternError as exc:
            return str(exc)
        return None
    if name == "one_of":
        if not isinstance(value, list) or not value:
            return "must be a non-empty array of values"
        if text and not all(isinstance(v, _SCALARS) for v in value):
            return "must be an array of strings, numbers or booleans"
        return None
    if not text:
        return None
    if isinstance(value, _SCALARS):
        return None
    if name == "equals" and lists and _scalar_list(value):
        return None
    also = ", or an array of them" if name == "equals" and lists else ""
    return f"must be a string, number or boolean{also}"


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value)
