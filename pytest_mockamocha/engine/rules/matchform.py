"""The dict form of a rule's ``match``: checked, then turned into matchers.

Rule files, the management API and the fixture's ``when(...)`` all go through here, so a
matcher means the same wherever it was written::

    path|query|headers|cookies|form: {name: scalar | [scalars] | {condition: value, ...}}
    json: value                    json_contains: object or array
    body: [{jsonpath: "$.a[*]" | pointer: "/a/0", condition: value, ...}, ...]
    any_of: [match object, ...]    not: match object

Conditions: equals, not_equals, contains, regex, exists, gt, gte, lt, lte, one_of.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_mockamocha.engine.formproblems import FormProblem, Path, at
from pytest_mockamocha.engine.rules.conditions import (
    CONDITIONS,
    Condition,
    condition,
    condition_problems,
)
from pytest_mockamocha.engine.rules.matchers import (
    AnyOf,
    BodyMatch,
    JsonEquals,
    Matcher,
    Not,
    ParamEquals,
    ParamMatch,
    match_dict,
)

__all__ = ["LOCATIONS", "MATCH_KEYS", "match_dict", "parse_match"]

#: ``match`` keys naming a request part with named values, and the matcher location
LOCATIONS = {"path": "path", "query": "query", "headers": "header", "cookies": "cookie"}
#: every key of a ``match`` object
MATCH_KEYS = (*LOCATIONS, "form", "json", "json_contains", "body", "any_of", "not")
_SCALARS = (str, int, float, bool)
_BODY_KINDS = ("jsonpath", "pointer")
_ALLOWED = "allowed: " + ", ".join(CONDITIONS)


def parse_match(
    match: Any, where: Path = ("match",)
) -> tuple[tuple[Matcher, ...], list[FormProblem]]:
    """The matchers of a ``match`` object, and every problem in it (then no matchers)."""
    if match is None:
        return (), []
    problems: list[FormProblem] = []
    found = _parse(match, tuple(where), problems)
    return (() if problems else tuple(found)), problems


def _parse(match: Any, where: Path, problems: list[FormProblem]) -> list[Matcher]:
    if not isinstance(match, Mapping):
        problems.append(at(where, "must be an object"))
        return []
    found: list[Matcher] = []
    for key, value in match.items():
        here = (*where, key)
        if key in LOCATIONS or key == "form":
            found += _named(str(key), value, here, problems)
        elif key in ("json", "json_contains"):
            if key == "json_contains" and not isinstance(value, (dict, list)):
                problems.append(at(here, "must be an object or an array"))
                continue
            found.append(JsonEquals(value, partial=key == "json_contains"))
        elif key == "body":
            found += _body(value, here, problems)
        elif key == "any_of":
            found += _any_of(value, here, problems)
        elif key == "not":
            inner = _nested(value, here, problems)
            if inner is not None:
                found.append(Not(inner))
        else:
            problems.append(at(here, f"is not a matcher (allowed: {', '.join(MATCH_KEYS)})"))
    if "json" in match and "json_contains" in match:
        problems.append(at(where, 'takes "json" or "json_contains", not both'))
    return found


def _named(key: str, values: Any, here: Path, problems: list[FormProblem]) -> list[Matcher]:
    """Matchers of ``path``, ``query``, ``headers``, ``cookies`` or ``form``."""
    if not isinstance(values, Mapping):
        problems.append(at(here, "must be an object of names and values"))
        return []
    location = LOCATIONS.get(key, "form")
    lists = key in ("query", "form")
    found: list[Matcher] = []
    for raw_name, wanted in values.items():
        name, spot = str(raw_name), (*here, raw_name)
        if isinstance(wanted, Mapping):
            conditions = _conditions(wanted, spot, problems, text=True, lists=lists)
        elif isinstance(wanted, _SCALARS) or (lists and _scalar_list(wanted)):
            conditions = (Condition("equals", wanted),)
        else:
            also = ", an array of them" if lists else ""
            problems.append(
                at(
                    spot,
                    f"must be a string, number or boolean{also}, or an object of "
                    f"conditions ({_ALLOWED})",
                )
            )
            continue
        if not conditions:
            continue
        if location != "form" and len(conditions) == 1 and conditions[0].name == "equals":
            found.append(ParamEquals(location, name, conditions[0].value))
        else:
            found.append(ParamMatch(location, name, conditions))
    return found


def _conditions(
    form: Mapping[str, Any], here: Path, problems: list[FormProblem], *, text: bool, lists: bool
) -> tuple[Condition, ...]:
    """The conditions of a condition object (none, with problems, when it is bad)."""
    if not form:
        problems.append(at(here, f"must name at least one condition ({_ALLOWED})"))
        return ()
    before = len(problems)
    made: list[Condition] = []
    for name, value in form.items():
        message = condition_problems(str(name), value, text=text, lists=lists)
        if message is not None:
            problems.append(at((*here, name), message))
        else:
            made.append(condition(str(name), value))
    if form.get("exists") is False and len(form) > 1:
        problems.append(at((*here, "exists"), "false cannot be combined with other conditions"))
    return tuple(made) if len(problems) == before else ()


def _body(items: Any, here: Path, problems: list[FormProblem]) -> list[Matcher]:
    """Matchers of ``body``: a list of JSONPath or JSON pointer expressions with conditions."""
    if not isinstance(items, list) or not items:
        problems.append(at(here, "must be a non-empty array of expressions"))
        return []
    found: list[Matcher] = []
    for i, item in enumerate(items):
        spot = (*here, i)
        if not isinstance(item, Mapping):
            problems.append(at(spot, 'must be an object: {"jsonpath" or "pointer", conditions}'))
            continue
        kinds = [k for k in _BODY_KINDS if k in item]
        if len(kinds) != 1:
            wrong = "not both" if kinds else "one is needed"
            problems.append(at(spot, f'takes "jsonpath" or "pointer", {wrong}'))
            continue
        kind = kinds[0]
        expression = item[kind]
        rest = {k: v for k, v in item.items() if k != kind}
        if not rest:
            problems.append(at(spot, f"names no condition ({_ALLOWED})"))
        conditions = _conditions(rest, spot, problems, text=False, lists=False) if rest else ()
        if not isinstance(expression, str):
            problems.append(at((*spot, kind), "must be a string"))
            continue
        try:
            matcher = BodyMatch(kind, expression, conditions)
        except ValueError as exc:
            what = "JSONPath (RFC 9535)" if kind == "jsonpath" else "JSON pointer (RFC 6901)"
            problems.append(at((*spot, kind), f"is not a valid {what}: {exc}"))
            continue
        found.append(matcher)
    return found


def _any_of(options: Any, here: Path, problems: list[FormProblem]) -> list[Matcher]:
    if not isinstance(options, list) or not options:
        problems.append(at(here, "must be a non-empty array of match objects"))
        return []
    parsed = [_nested(option, (*here, i), problems) for i, option in enumerate(options)]
    chosen = tuple(p for p in parsed if p is not None)
    return [AnyOf(chosen)] if len(chosen) == len(parsed) else []


def _nested(match: Any, here: Path, problems: list[FormProblem]) -> tuple[Matcher, ...] | None:
    """A nested match object's matchers; None when it is bad or empty."""
    if isinstance(match, Mapping) and not match:
        problems.append(at(here, "is empty: it would fit every request"))
        return None
    before = len(problems)
    found = _parse(match, here, problems)
    return tuple(found) if len(problems) == before else None


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value)
