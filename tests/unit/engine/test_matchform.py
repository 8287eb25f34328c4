"""The dict form of ``match``: what it parses into, every problem at its path, round trips."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine.formproblems import FormProblem
from pytest_mockamocha.engine.rules.conditions import CONDITIONS, Condition
from pytest_mockamocha.engine.rules.matchers import (
    AnyOf,
    BodyMatch,
    JsonEquals,
    MatchContext,
    Not,
    ParamEquals,
    ParamMatch,
)
from pytest_mockamocha.engine.rules.matchform import MATCH_KEYS, match_dict, parse_match

ALLOWED = "allowed: " + ", ".join(CONDITIONS)

FULL: dict[str, Any] = {
    "path": {"petId": 7},
    "query": {"status": {"regex": "^(sold|pending)$"}, "tag": ["a", "b"]},
    "headers": {"X-Tenant": {"exists": True}, "X-Count": {"gte": 2}},
    "cookies": {"session": {"not_equals": "x"}},
    "json_contains": {"kind": "order"},
    "body": [
        {"jsonpath": "$.items[*].sku", "contains": "A-1"},
        {"pointer": "/customer/age", "gte": 18},
        {"jsonpath": "$.note", "exists": False},
    ],
    "form": {"name": "Rex", "tags": {"contains": "x"}},
    "any_of": [{"query": {"a": "1"}}, {"headers": {"b": {"one_of": ["2", 3]}}}],
    "not": {"query": {"dry": True}, "any_of": [{"cookies": {"c": "1"}}]},
}


@pytest.mark.parametrize(
    "form",
    [
        FULL,
        {"path": {"petId": "7"}, "query": {"limit": 2, "flag": True}},
        {"json": {"a": [1, None]}},
        {"json": None},
        {"json_contains": [1]},
        {"query": {"n": {"gt": 1, "lte": 9.5, "exists": True}, "big": {"lt": 10**400}}},
        {"query": {"tag": {"equals": ["a"], "contains": "a"}}},
        {"form": {"tags": ["x", "y"], "n": {"lt": 3}}},
        {"body": [{"pointer": "", "equals": {"a": 1}}, {"jsonpath": "$", "one_of": [[], {}]}]},
        {"not": {"not": {"headers": {"X-A": "1"}}}},
        {"any_of": [{"any_of": [{"path": {"p": 1}}, {"json": 1}]}, {"form": {"f": "v"}}]},
        {},
    ],
    ids=[
        "everything",
        "scalars",
        "json",
        "json-null",
        "json-contains",
        "numeric",
        "list-and-contains",
        "form",
        "body",
        "double-not",
        "nested-any-of",
        "empty",
    ],
)
def test_normalised_forms_round_trip(form: dict[str, Any]) -> None:
    matchers, problems = parse_match(form)
    assert problems == []
    assert match_dict(matchers) == form
    # and the round trip is stable through JSON, as the management API stores it
    again, _ = parse_match(json.loads(json.dumps(match_dict(matchers))))
    assert again == matchers


def test_what_the_form_parses_into() -> None:
    matchers, problems = parse_match(FULL)
    assert problems == []
    kinds = [type(m) for m in matchers]
    assert kinds == [
        ParamEquals,
        ParamMatch,
        ParamEquals,
        ParamMatch,
        ParamMatch,
        ParamMatch,
        JsonEquals,
        BodyMatch,
        BodyMatch,
        BodyMatch,
        ParamMatch,
        ParamMatch,
        AnyOf,
        Not,
    ]
    assert matchers[0] == ParamEquals("path", "petId", 7)
    assert matchers[1] == ParamMatch("query", "status", (Condition("regex", "^(sold|pending)$"),))
    assert matchers[10] == ParamMatch("form", "name", (Condition("equals", "Rex"),))
    assert matchers[12] == AnyOf(
        (
            (ParamEquals("query", "a", "1"),),
            (ParamMatch("header", "b", (Condition("one_of", ["2", 3]),)),),
        )
    )


def test_an_equals_object_is_the_shorthand() -> None:
    matchers, _ = parse_match({"query": {"a": {"equals": "x"}}, "form": {"f": {"equals": 1}}})
    assert matchers == (
        ParamEquals("query", "a", "x"),
        ParamMatch("form", "f", (Condition("equals", 1),)),
    )
    assert match_dict(matchers) == {"query": {"a": "x"}, "form": {"f": 1}}


def test_none_is_no_matchers() -> None:
    assert parse_match(None) == ((), [])


def test_parsed_matchers_decide_a_request() -> None:
    matchers, _ = parse_match(
        {
            "query": {"status": {"one_of": ["sold", "pending"]}},
            "body": [{"jsonpath": "$.items[*].sku", "contains": "A-1"}],
            "not": {"headers": {"X-Dry-Run": {"exists": True}}},
        }
    )

    def ctx(status: str, skus: list[str], headers: dict[str, str]) -> MatchContext:
        body = json.dumps({"items": [{"sku": s} for s in skus]}).encode()
        return MatchContext({}, MultiDict([("status", status)]), Headers(headers), {}, body)

    def reasons(context: MatchContext) -> list[str]:
        return [r for r in (m.miss(context) for m in matchers) if r is not None]

    assert reasons(ctx("sold", ["A-1", "B"], {})) == []
    assert reasons(ctx("available", ["B"], {"X-Dry-Run": "1"})) == [
        "query.status is 'available', rule wants one of ['sold', 'pending']",
        "body $.items[*].sku is [\"B\"], rule wants contains 'A-1'",
        'not: the request fits {"headers":{"X-Dry-Run":{"exists":true}}}',
    ]


@pytest.mark.parametrize(
    ("form", "problems"),
    [
        ("status=sold", [(("match",), "must be an object")]),
        (
            {"queries": {}},
            [(("match", "queries"), f"is not a matcher (allowed: {', '.join(MATCH_KEYS)})")],
        ),
        ({"query": ["a"]}, [(("match", "query"), "must be an object of names and values")]),
        (
            {"headers": {"X-A": ["a", "b"]}},
            [
                (
                    ("match", "headers", "X-A"),
                    f"must be a string, number or boolean, or an object of conditions ({ALLOWED})",
                )
            ],
        ),
        (
            {"query": {"a": None}},
            [
                (
                    ("match", "query", "a"),
                    "must be a string, number or boolean, an array of them, or an object of "
                    f"conditions ({ALLOWED})",
                )
            ],
        ),
        (
            {"query": {"a": {}}},
            [(("match", "query", "a"), f"must name at least one condition ({ALLOWED})")],
        ),
        (
            {"query": {"a": {"matches": "x"}}},
            [(("match", "query", "a", "matches"), f"is not a condition ({ALLOWED})")],
        ),
        (
            {"query": {"a": {"regex": "("}}},
            [
                (
                    ("match", "query", "a", "regex"),
                    "is not a valid regular expression: missing ), unterminated subpattern "
                    "at position 0",
                )
            ],
        ),
        (
            {"query": {"a": {"regex": 1}}},
            [(("match", "query", "a", "regex"), "must be a string (a regular expression)")],
        ),
        (
            {"cookies": {"c": {"exists": "yes"}}},
            [(("match", "cookies", "c", "exists"), "must be true or false")],
        ),
        (
            {"headers": {"n": {"gte": "2"}, "m": {"lt": True}, "o": {"gt": float("inf")}}},
            [
                (("match", "headers", "n", "gte"), "must be a number"),
                (("match", "headers", "m", "lt"), "must be a number"),
                (("match", "headers", "o", "gt"), "must be a number"),
            ],
        ),
        (
            {"query": {"s": {"one_of": []}}, "form": {"f": {"one_of": "a"}}},
            [
                (("match", "query", "s", "one_of"), "must be a non-empty array of values"),
                (("match", "form", "f", "one_of"), "must be a non-empty array of values"),
            ],
        ),
        (
            {"query": {"s": {"one_of": [{"a": 1}]}}},
            [
                (
                    ("match", "query", "s", "one_of"),
                    "must be an array of strings, numbers or booleans",
                )
            ],
        ),
        (
            {"path": {"p": {"equals": [1]}}, "query": {"q": {"contains": [1]}}},
            [
                (("match", "path", "p", "equals"), "must be a string, number or boolean"),
                (("match", "query", "q", "contains"), "must be a string, number or boolean"),
            ],
        ),
        (
            {"query": {"q": {"equals": {"a": 1}}}},
            [
                (
                    ("match", "query", "q", "equals"),
                    "must be a string, number or boolean, or an array of them",
                )
            ],
        ),
        (
            {"query": {"q": {"exists": False, "equals": "x"}}},
            [
                (
                    ("match", "query", "q", "exists"),
                    "false cannot be combined with other conditions",
                )
            ],
        ),
        ({"json_contains": "x"}, [(("match", "json_contains"), "must be an object or an array")]),
        (
            {"json": 1, "json_contains": {}},
            [(("match",), 'takes "json" or "json_contains", not both')],
        ),
        ({"body": {}}, [(("match", "body"), "must be a non-empty array of expressions")]),
        ({"body": []}, [(("match", "body"), "must be a non-empty array of expressions")]),
        (
            {"body": ["$.a"]},
            [(("match", "body", 0), 'must be an object: {"jsonpath" or "pointer", conditions}')],
        ),
        (
            {"body": [{"equals": 1}]},
            [(("match", "body", 0), 'takes "jsonpath" or "pointer", one is needed')],
        ),
        (
            {"body": [{"jsonpath": "$.a", "pointer": "/a", "equals": 1}]},
            [(("match", "body", 0), 'takes "jsonpath" or "pointer", not both')],
        ),
        (
            {"body": [{"jsonpath": "$.a"}]},
            [(("match", "body", 0), f"names no condition ({ALLOWED})")],
        ),
        (
            {"body": [{"jsonpath": 5, "exists": True}]},
            [(("match", "body", 0, "jsonpath"), "must be a string")],
        ),
        (
            {"body": [{"jsonpath": "$.a", "exists": True}, {"jsonpath": "$.items[", "gte": 1}]},
            [
                (
                    ("match", "body", 1, "jsonpath"),
                    "is not a valid JSONPath (RFC 9535): unexpected end of query",
                )
            ],
        ),
        (
            {"body": [{"jsonpath": "items", "gte": 1}]},
            [
                (
                    ("match", "body", 0, "jsonpath"),
                    "is not a valid JSONPath (RFC 9535): expected 'TOKEN_ROOT', found 'TOKEN_NAME'",
                )
            ],
        ),
        (
            {"body": [{"pointer": "customer/age", "gte": 18}]},
            [
                (
                    ("match", "body", 0, "pointer"),
                    'is not a valid JSON pointer (RFC 6901): must be "" or start with "/"',
                )
            ],
        ),
        (
            {"body": [{"pointer": "/a~2", "gte": 18}]},
            [
                (
                    ("match", "body", 0, "pointer"),
                    "is not a valid JSON pointer (RFC 6901): token 'a~2': '~' must be "
                    "followed by 0 or 1",
                )
            ],
        ),
        (
            {"body": [{"pointer": "/a", "gte": 1, "size": 2, "one_of": []}]},
            [
                (("match", "body", 0, "size"), f"is not a condition ({ALLOWED})"),
                (("match", "body", 0, "one_of"), "must be a non-empty array of values"),
            ],
        ),
        ({"any_of": []}, [(("match", "any_of"), "must be a non-empty array of match objects")]),
        (
            {"any_of": {"query": {}}},
            [(("match", "any_of"), "must be a non-empty array of match objects")],
        ),
        (
            {"any_of": [{"query": {"a": "1"}}, {}]},
            [(("match", "any_of", 1), "is empty: it would fit every request")],
        ),
        (
            {"any_of": [{"query": {"a": {"gt": "x"}}}, "b"]},
            [
                (("match", "any_of", 0, "query", "a", "gt"), "must be a number"),
                (("match", "any_of", 1), "must be an object"),
            ],
        ),
        ({"not": {}}, [(("match", "not"), "is empty: it would fit every request")]),
        ({"not": []}, [(("match", "not"), "must be an object")]),
        (
            {"not": {"any_of": [{"body": [{"pointer": "x", "exists": True}]}]}},
            [
                (
                    ("match", "not", "any_of", 0, "body", 0, "pointer"),
                    'is not a valid JSON pointer (RFC 6901): must be "" or start with "/"',
                )
            ],
        ),
    ],
    ids=[
        "not-an-object",
        "unknown-key",
        "location-not-object",
        "header-list",
        "null-value",
        "empty-conditions",
        "unknown-condition",
        "bad-regex",
        "regex-not-string",
        "exists-not-bool",
        "numeric-not-number",
        "one-of-empty-or-not-list",
        "one-of-objects",
        "list-outside-query-or-form",
        "equals-object",
        "exists-false-combined",
        "json-contains-scalar",
        "json-and-json-contains",
        "body-not-list",
        "body-empty",
        "body-item-not-object",
        "body-no-expression",
        "body-both-expressions",
        "body-no-condition",
        "body-expression-not-string",
        "bad-jsonpath",
        "jsonpath-without-root",
        "pointer-without-slash",
        "pointer-bad-escape",
        "body-bad-conditions",
        "any-of-empty",
        "any-of-not-list",
        "any-of-empty-option",
        "any-of-bad-options",
        "not-empty",
        "not-not-object",
        "deeply-nested",
    ],
)
def test_every_problem_at_its_path(form: Any, problems: list[tuple[tuple[Any, ...], str]]) -> None:
    matchers, found = parse_match(form)
    assert matchers == ()
    assert found == [FormProblem(path, message) for path, message in problems]


def test_problems_are_found_under_another_root_and_worded_as_fields() -> None:
    _, problems = parse_match({"body": [{"jsonpath": "$.a", "regex": "("}]}, ("rules", 3, "match"))
    assert [p.field for p in problems] == ["rules[3].match.body[0].regex"]
    assert str(problems[0]).startswith('Field "rules[3].match.body[0].regex" is not a valid')


def test_every_problem_is_reported_at_once() -> None:
    _, problems = parse_match(
        {"query": {"a": {"regex": "("}}, "body": [{"pointer": "x", "gt": 1}], "zz": 1}
    )
    assert [p.at for p in problems] == [
        ("match", "query", "a", "regex"),
        ("match", "body", 0, "pointer"),
        ("match", "zz"),
    ]
