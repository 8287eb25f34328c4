"""Matchers explain every miss: which field, what it was, what the rule wanted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.engine.matchers import (
    JsonEquals,
    MatchContext,
    ParamEquals,
    nearest_miss,
    params,
)


def ctx(
    *,
    path: dict[str, str] | None = None,
    query: list[tuple[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    body: Any = None,
    raw: bytes | None = None,
) -> MatchContext:
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return MatchContext(
        path or {}, MultiDict(query or []), Headers(headers or {}), cookies or {}, data
    )


@pytest.mark.parametrize(
    ("matcher", "context"),
    [
        (ParamEquals("path", "petId", 7), ctx(path={"petId": "7"})),
        (ParamEquals("query", "status", "sold"), ctx(query=[("status", "sold")])),
        (ParamEquals("header", "x-trace", "abc"), ctx(headers={"X-Trace": "abc"})),
        (ParamEquals("cookie", "session", "s1"), ctx(cookies={"session": "s1"})),
        (ParamEquals("query", "flag", True), ctx(query=[("flag", "true")])),
        (ParamEquals("query", "tag", ["a", "b"]), ctx(query=[("tag", "a"), ("tag", "b")])),
    ],
    ids=["path-int", "query", "header-any-case", "cookie", "bool-as-true", "query-list"],
)
def test_param_equals_matches(matcher: ParamEquals, context: MatchContext) -> None:
    assert matcher.miss(context) is None


@pytest.mark.parametrize(
    ("matcher", "context", "reason"),
    [
        (
            ParamEquals("path", "petId", 7),
            ctx(path={"petId": "8"}),
            "path.petId is '8', rule wants '7'",
        ),
        (
            ParamEquals("query", "status", "sold"),
            ctx(),
            "query.status is absent, rule wants 'sold'",
        ),
        (
            ParamEquals("header", "X-Trace", "abc"),
            ctx(headers={"X-Trace": "abd"}),
            "header.X-Trace is 'abd', rule wants 'abc'",
        ),
        (
            ParamEquals("cookie", "session", "s1"),
            ctx(cookies={"other": "s1"}),
            "cookie.session is absent, rule wants 's1'",
        ),
        (
            ParamEquals("query", "tag", ["a", "b"]),
            ctx(query=[("tag", "b"), ("tag", "a")]),
            "query.tag is ['b', 'a'], rule wants ['a', 'b']",
        ),
        (
            ParamEquals("query", "flag", False),
            ctx(query=[("flag", "False")]),
            "query.flag is 'False', rule wants 'false'",
        ),
    ],
    ids=[
        "path-differs",
        "query-absent",
        "header-differs",
        "cookie-absent",
        "list-order",
        "bool-text",
    ],
)
def test_param_equals_explains_a_miss(
    matcher: ParamEquals, context: MatchContext, reason: str
) -> None:
    assert matcher.miss(context) == reason


@pytest.mark.parametrize(
    ("matcher", "body"),
    [
        (JsonEquals({"name": "Rex", "tags": [1, 2]}), {"tags": [1, 2], "name": "Rex"}),
        (JsonEquals({"n": 1}), {"n": 1.0}),
        (JsonEquals({"name": "Rex"}, partial=True), {"name": "Rex", "tag": "dog"}),
        (JsonEquals({"a": {"b": 1}}, partial=True), {"a": {"b": 1, "c": 2}, "d": 3}),
        (JsonEquals(None), None),
        (JsonEquals([1, "x"]), [1, "x"]),
    ],
    ids=["exact", "int-equals-float", "partial", "partial-nested", "null", "list"],
)
def test_json_equals_matches(matcher: JsonEquals, body: Any) -> None:
    raw = json.dumps(body).encode()
    assert matcher.miss(ctx(raw=raw)) is None


@pytest.mark.parametrize(
    ("matcher", "raw", "reason"),
    [
        (JsonEquals({"name": "Rex"}), b'{"name": "Tom"}', "body.name differs from the rule's"),
        (
            JsonEquals({"name": "Rex"}),
            b'{"name": "Rex", "tag": "x"}',
            "body.tag differs from the rule's",
        ),
        (
            JsonEquals({"a": {"b": [1, 2]}}, partial=True),
            b'{"a": {"b": [1, 3]}}',
            "body.a.b[1] differs from the rule's",
        ),
        (JsonEquals({"a": 1}, partial=True), b'{"b": 1}', "body.a differs from the rule's"),
        (JsonEquals({"flag": True}), b'{"flag": 1}', "body.flag differs from the rule's"),
        (JsonEquals([1, 2]), b"[1, 2, 3]", "body differs from the rule's"),
        (JsonEquals({"a": 1}), b"not json", "body is not JSON"),
        (JsonEquals({"a": 1}), b"", "body is not JSON"),
        (JsonEquals({"a": 1}), b"\xff\xfe", "body is not JSON"),
    ],
    ids=[
        "value",
        "extra-key",
        "nested-list",
        "partial-missing",
        "bool-is-not-int",
        "list-length",
        "not-json",
        "empty",
        "not-utf8",
    ],
)
def test_json_equals_explains_a_miss(matcher: JsonEquals, raw: bytes, reason: str) -> None:
    assert matcher.miss(ctx(raw=raw)) == reason


def test_context_parses_json_once() -> None:
    context = ctx(body={"a": 1})
    first = context.json()
    assert context.json() is first


def test_nearest_miss_counts_fits_and_lists_reasons() -> None:
    matchers = [
        ParamEquals("path", "petId", 1),
        ParamEquals("query", "q", "x"),
        JsonEquals({"a": 1}, partial=True),
    ]
    fits, reasons = nearest_miss(matchers, ctx(path={"petId": "1"}, body={"a": 2}))
    assert fits == 1
    assert reasons == ["query.q is absent, rule wants 'x'", "body.a differs from the rule's"]
    assert nearest_miss([], ctx()) == (0, [])


def test_params_helper_and_dict_forms() -> None:
    made = params("query", {"status": "sold", "limit": 2})
    assert made == [ParamEquals("query", "status", "sold"), ParamEquals("query", "limit", 2)]
    assert params("header", None) == []
    assert made[0].as_dict() == {"in": "query", "name": "status", "equals": "sold"}
    assert made[0].field == "query.status"
    assert JsonEquals({"a": 1}).as_dict() == {"in": "body", "json": {"a": 1}}
    assert JsonEquals({"a": 1}, partial=True).as_dict() == {"in": "body", "json_contains": {"a": 1}}
