"""Parsing the ``Prefer`` header as Prism reads it, and choosing declared statuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_mockamocha.engine.respond.responder import Prefer
from pytest_mockamocha.spec.model import ApiSpec, Operation


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("code=404", Prefer(code="404")),
        ("example=cat", Prefer(example="cat")),
        ("dynamic=true", Prefer(dynamic=True)),
        ("dynamic=TRUE", Prefer(dynamic=True)),
        ("code=404, example=cat", Prefer(code="404", example="cat")),
        ("code=200; dynamic=true", Prefer(code="200", dynamic=True)),
        ("  Code = 422 ", Prefer(code="422")),
        ('example="cat"', Prefer(example="cat")),
        ("respond-async, code=500", Prefer(code="500")),
        ("return=minimal, example=dog", Prefer(example="dog")),
    ],
    ids=[
        "code",
        "example",
        "dynamic",
        "dynamic-upper",
        "code-and-example",
        "semicolon",
        "spaces-and-case",
        "quoted",
        "with-other-token",
        "return-minimal",
    ],
)
def test_prefer_parse(header: str, expected: Prefer) -> None:
    assert Prefer.parse(header) == expected


@pytest.mark.parametrize(
    "header",
    [None, "", "dynamic=false", "return=minimal", "code=", "example=", "wait=10", ",,;;"],
    ids=[
        "none",
        "empty",
        "dynamic-false",
        "unrelated",
        "empty-code",
        "empty-example",
        "wait",
        "only-separators",
    ],
)
def test_prefer_that_says_nothing_is_none(header: str | None) -> None:
    assert Prefer.parse(header) is None


@pytest.mark.parametrize(
    ("code", "fallback", "expected"),
    [
        ("201", 200, 201),
        ("2XX", 200, 200),
        ("4xx", 200, 400),
        ("default", 500, 500),
        ("default", 200, 200),
    ],
)
def test_status_int(code: str, fallback: int, expected: int) -> None:
    assert Operation.status_int(code, fallback) == expected


def _op(*codes: str) -> Operation:
    return Operation(method="GET", path="/x", responses={c: {"description": c} for c in codes})


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("404", "201", "200"), "200"),
        (("422", "201"), "201"),
        (("204", "404"), "204"),
        (("2XX", "default"), "2XX"),
        (("default", "404"), "default"),
        (("404",), "404"),
        ((), None),
    ],
    ids=["lowest-2xx", "201", "204", "range", "default", "only-error", "nothing"],
)
def test_success_status(codes: tuple[str, ...], expected: str | None) -> None:
    assert _op(*codes).success_status() == expected


def test_declared_key_exact_then_range_then_default() -> None:
    op = _op("200", "4XX", "default")
    assert op.declared_key(200) == "200"
    assert op.declared_key(404) == "4XX"
    assert op.declared_key(503) == "default"
    assert _op("200").declared_key(404) is None


def test_petstore_success_statuses(load: Callable[[str], ApiSpec]) -> None:
    ops = {op.operation_id: op for op in load("petstore.yaml").operations}
    assert ops["createPet"].success_status() == "201"
    assert ops["deletePet"].success_status() == "204"
    assert ops["listPets"].success_status() == "200"
