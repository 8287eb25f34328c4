"""An operation's name and success status are kept, and stay right on a modified copy."""

from __future__ import annotations

import dataclasses

from pytest_mockamocha.spec.model import Operation


def test_name_is_method_and_template_also_on_a_replaced_copy() -> None:
    op = Operation(method="GET", path="/pets/{petId}")
    assert op.name == "GET /pets/{petId}"
    moved = dataclasses.replace(op, path="/dogs/{dogId}")
    assert moved.name == "GET /dogs/{dogId}"
    assert op == Operation(method="GET", path="/pets/{petId}", summary="")


def test_success_status_is_the_first_2xx_then_default_then_any() -> None:
    responses = {"404": {}, "201": {}, "200": {}, "default": {}}
    op = Operation(method="POST", path="/pets", responses=responses)
    assert op.success_status() == "200"
    assert op.success_status() == "200"  # asked again: the kept answer
    assert Operation(method="GET", path="/", responses={"4XX": {}, "default": {}}
                     ).success_status() == "default"
    assert Operation(method="GET", path="/", responses={"2XX": {}}).success_status() == "2XX"
    assert Operation(method="GET", path="/", responses={"418": {}}).success_status() == "418"
    assert Operation(method="GET", path="/").success_status() is None
