"""The dict form of a rule: every field parsed, every mistake named at its path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.engine import Collection, Engine
from pytest_mockamocha.engine.respond.reply import Reply, contract_problems
from pytest_mockamocha.engine.rules.book import STARTED
from pytest_mockamocha.engine.rules.form import parse_rule
from pytest_mockamocha.spec.loader import load_spec

SPECS = Path(__file__).parents[2] / "data" / "specs"


@pytest.fixture(scope="module")
def coll() -> Collection:
    engine = Engine()
    return engine.add(load_spec(SPECS / "petstore.yaml"), "petstore")


def parse(coll: Collection, form: Any, operation: str = "getPet") -> Any:
    return parse_rule(form, (), coll=coll, op=coll.operation(operation), rule_id="r1")


def fields(problems: list[Any]) -> list[str]:
    return [p.field for p in problems]


def test_a_full_rule_becomes_the_engine_rule(coll: Collection) -> None:
    rule, problems = parse(
        coll,
        {
            "name": "gone then back",
            "priority": 5,
            "match": {"path": {"petId": 7}},
            "scenario": "adoption",
            "state": "listed",
            "next_state": "adopted",
            "response": {"status": 404, "times": 2, "delay": [0.1, 0.2]},
            "then": [{"json": {"id": 7, "name": "Rex"}, "headers": {"X-Seen": "yes"}}],
        },
    )
    assert problems == []
    assert rule is not None
    assert (rule.priority, rule.name, rule.scenario, rule.state, rule.next_state) == (
        5,
        "gone then back",
        "adoption",
        "listed",
        "adopted",
    )
    first, second = rule.steps
    assert first.times == 2
    assert first.reply.status == 404
    assert (first.reply.delay, first.reply.delay_max) == (0.1, 0.2)
    assert second.times is None
    assert second.reply.json == {"id": 7, "name": "Rex"}
    assert second.reply.headers == (("X-Seen", "yes"),)


def test_steps_before_the_last_answer_once_unless_told(coll: Collection) -> None:
    rule, _ = parse(coll, {"response": {"status": 404}, "then": [{"status": 200}, {}]})
    assert rule is not None
    assert [s.times for s in rule.steps] == [1, 1, None]


def test_a_scenario_rule_starts_in_started(coll: Collection) -> None:
    rule, _ = parse(coll, {"scenario": "s", "response": {}})
    assert rule is not None
    assert rule.state == STARTED


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"response": {}, "colour": 1}, "colour", "is not a rule field"),
        ({}, "(rule)", 'needs "response"'),
        ({"response": {"status": 99}}, "response.status", "from 100 to 599"),
        ({"response": {"status": "200"}}, "response.status", "HTTP status"),
        ({"response": {"json": 1, "body": "x"}}, "response", "not json and body"),
        ({"response": {"body": 3}}, "response.body", "must be a string"),
        ({"response": {"times": 0}}, "response.times", ">= 1"),
        ({"response": {"delay": -1}}, "response.delay", "seconds"),
        ({"response": {"delay": [2, 1]}}, "response.delay", "below the minimum"),
        ({"response": {"fault": "explode"}}, "response.fault", "connection_reset"),
        (
            {"response": {"fault": {"kind": "hang", "seconds": 9999}}},
            "response.fault.seconds",
            "0-600",
        ),
        (
            {"response": {"fault": {"kind": "hang", "x": 1}}},
            "response.fault.x",
            "not a fault field",
        ),
        ({"response": {"headers": {"A": {"b": 1}}}}, "response.headers.A", "must be a string"),
        ({"response": {"headers": {"A": "x\r\nB: y"}}}, "response.headers.A", "line breaks"),
        (
            {"response": {"headers": {"Content-Length": "5"}}},
            "response.headers.Content-Length",
            "written by the server",
        ),
        (
            {"response": {"headers": {"transfer-encoding": "chunked"}}},
            "response.headers.transfer-encoding",
            "written by the server",
        ),
        ({"response": {"example": "nope"}}, "response.example", "no example of"),
        ({"response": {"status": 418}}, "response.status", "declares no 418"),
        ({"response": {"generate": {"id": "seven"}}}, "response.generate", "do not fit"),
        ({"response": {"generate": 3}}, "response.generate", "true or an object"),
        ({"response": {}, "then": {}}, "then", "list of steps"),
        ({"response": {}, "then": [{"status": 1000}]}, "then[0].status", "100 to 599"),
        ({"response": {}, "priority": "high"}, "priority", "whole number"),
        ({"response": {}, "enabled": "yes"}, "enabled", "true or false"),
        ({"response": {}, "state": "x"}, "state", 'needs "scenario"'),
        ({"response": {}, "scenario": ""}, "scenario", "non-empty"),
        ({"response": {}, "match": {"nope": 1}}, "match.nope", "not a matcher"),
        ({"response": {"template": "{{ oops"}}, "response.template", "template"),
        ("not a rule", "(rule)", "must be an object"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_mistake_is_named_at_its_path(
    coll: Collection, form: Any, field: str, words: str
) -> None:
    rule, problems = parse(coll, form)
    assert rule is None
    assert field in fields(problems), problems
    assert any(words in str(p) for p in problems), problems


def test_every_problem_is_reported_at_once(coll: Collection) -> None:
    _, problems = parse(coll, {"priority": "x", "response": {"status": 1, "times": 0}})
    assert {"priority", "response.status", "response.times"} <= set(fields(problems))


def test_a_fault_that_sends_nothing_needs_no_declared_status(coll: Collection) -> None:
    rule, problems = parse(coll, {"response": {"status": 599, "fault": "connection_reset"}})
    assert problems == []
    assert rule is not None
    assert rule.steps[0].reply.fault == "connection_reset"


def test_the_contract_check_names_undeclared_statuses_and_schema_breaks(
    coll: Collection,
) -> None:
    op, responder = coll.operation("getPet"), coll.responder
    assert contract_problems(responder, op, Reply(status=200, json={"id": 1, "name": "Rex"})) == []
    undeclared = contract_problems(responder, op, Reply(status=418, json={}))
    assert undeclared == ["GET /pets/{petId} declares no 418 response (it declares 200, 404)"]
    wrong = contract_problems(responder, op, Reply(status=200, json={"id": "seven", "name": "Rex"}))
    assert len(wrong) == 1
    assert "body.id" in wrong[0]
    assert "integer" in wrong[0]
    missing = contract_problems(responder, op, Reply(status=200, json={"id": 1}))
    assert "'name' is a required property" in missing[0]
    assert contract_problems(responder, op, Reply(status=418, fault="close")) == []
