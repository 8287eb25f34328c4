"""The dict form of a rule's ``match``: checked, then turned into matchers.

Rule files, the management API and the fixture's ``when(...)`` all go through here, so a
matcher means the same wherever it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_mockamocha.engine.formproblems import FormProblem, Path, at
from pytest_mockamocha.engine.matchers import JsonEquals, Matcher, ParamEquals

#: ``match`` keys naming a request part with named values, and the matcher location
LOCATIONS = {"path": "path", "query": "query", "headers": "header", "cookies": "cookie"}
_SCALARS = (str, int, float, bool)


def parse_match(
    match: Any, where: Path = ("match",)
) -> tuple[tuple[Matcher, ...], list[FormProblem]]:
    """The matchers of a ``match`` object, and every problem in it (then no matchers)."""
    if match is None:
        return (), []
    if not isinstance(match, Mapping):
        return (), [at(where, "must be an object")]
    problems: list[FormProblem] = []
    found: list[Matcher] = []
    for key, value in match.items():
        here = (*where, key)
        if key in LOCATIONS:
            if not isinstance(value, Mapping):
                problems.append(at(here, "must be an object of names and values"))
                continue
            for name, wanted in value.items():
                if isinstance(wanted, _SCALARS) or (key == "query" and _scalar_list(wanted)):
                    found.append(ParamEquals(LOCATIONS[key], str(name), wanted))
                else:
                    problems.append(at((*here, name), "must be a string, number or boolean"))
        elif key in ("json", "json_contains"):
            if key == "json_contains" and not isinstance(value, (dict, list)):
                problems.append(at(here, "must be an object or an array"))
                continue
            found.append(JsonEquals(value, partial=key == "json_contains"))
        else:
            known = ", ".join([*LOCATIONS, "json", "json_contains"])
            problems.append(at(here, f"is not a matcher (known: {known})"))
    if "json" in match and "json_contains" in match:
        problems.append(at(where, 'takes "json" or "json_contains", not both'))
    return (() if problems else tuple(found)), problems


def match_dict(matchers: tuple[Matcher, ...]) -> dict[str, Any]:
    """The ``match`` object of ``matchers`` (the inverse of ``parse_match``)."""
    out: dict[str, Any] = {}
    names = {v: k for k, v in LOCATIONS.items()}
    for matcher in matchers:
        form = matcher.as_dict()
        where = form.get("in")
        if where in names and "name" in form:
            out.setdefault(names[where], {})[form["name"]] = form["equals"]
        else:
            out.update({k: v for k, v in form.items() if k != "in"})
    return out


def _scalar_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value)
