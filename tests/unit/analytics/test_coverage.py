"""The coverage model: from exact journal counters, through JSON summaries, to the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.analytics import coverage
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.exchange import MockRequest
from pytest_mockamocha.spec.loader import load_spec

SPECS = Path(__file__).parents[2] / "data" / "specs"


@pytest.fixture
def engine() -> Engine:
    engine = Engine()
    engine.add(load_spec((SPECS / "petstore.yaml").resolve()))
    return engine


def get(engine: Engine, path: str, query: dict[str, str] | None = None, **headers: str) -> int:
    request = MockRequest("GET", path, MultiDict(query or {}), Headers(headers))
    return engine.handle("petstore", request).status


def summaries(engine: Engine) -> coverage.Summaries:
    stats = engine.journal.stats()
    return {c.slug: coverage.summarize(c.slug, c.spec, stats.get(c.slug)) for c in engine}


def test_operations_hit_count_only_valid_requests_and_deprecated_apart(engine: Engine) -> None:
    engine.begin_test("t::one")
    get(engine, "/pets")
    get(engine, "/pets/abc")  # invalid: petId is an integer
    get(engine, "/pets/search", {"q": "rex"})  # deprecated
    coll = coverage.report(summaries(engine))["collections"][0]
    assert coll["operations"] == {"hit": 1, "declared": 7, "percent": 14.29}
    assert "GET /pets/{petId}" in coll["uncovered"]
    assert "GET /pets" not in coll["uncovered"]
    assert coll["deprecated"] == [{"name": "GET /pets/search", "hits": 1}]
    assert coll["violations"] == 1


def test_responses_map_to_exact_codes_ranges_and_default(engine: Engine) -> None:
    get(engine, "/pets/1")
    get(engine, "/pets/2", Prefer="code=404")
    get(engine, "/pets", Prefer="code=500")  # GET /pets declares 200 and default
    ops = {
        o["name"]: o for o in coverage.report(summaries(engine))["collections"][0]["operation_list"]
    }
    assert ops["GET /pets/{petId}"]["statuses_hit"] == ["200", "404"]
    assert ops["GET /pets/{petId}"]["statuses_missing"] == []
    assert ops["GET /pets"]["statuses_hit"] == ["default"]
    assert ops["GET /pets"]["statuses_missing"] == ["200"]


@pytest.mark.parametrize(
    ("declared", "status", "key"),
    [
        (["200", "4XX", "default"], 200, "200"),
        (["200", "4XX", "default"], 404, "4XX"),
        (["200", "4xx"], 429, "4xx"),
        (["200", "default"], 503, "default"),
        (["200"], 500, None),
    ],
    ids=["exact", "range", "lower-case-range", "default", "undeclared"],
)
def test_status_key(declared: list[str], status: int, key: str | None) -> None:
    assert coverage.status_key(status, declared) == key


def test_optional_params_sent_are_recorded_by_name(engine: Engine) -> None:
    get(engine, "/pets", {"limit": "2"})
    record = engine.journal.records()[-1]
    assert record.params == ("query.limit",)
    coll = coverage.report(summaries(engine))["collections"][0]
    op = next(o for o in coll["operation_list"] if o["name"] == "GET /pets")
    assert op["params_sent"] == ["query.limit"]
    assert op["params_missing"] == ["query.status"]
    assert coll["parameters"] == {"hit": 1, "declared": 2, "percent": 50.0}


def test_per_test_requests_operations_statuses_violations(engine: Engine) -> None:
    engine.begin_test("t::a")
    get(engine, "/pets")
    get(engine, "/pets/abc")
    engine.end_test()
    engine.begin_test("t::b")
    get(engine, "/nope")
    engine.end_test()
    get(engine, "/pets")  # outside any test: counted, not listed per test
    tests = {t["nodeid"]: t for t in coverage.report(summaries(engine))["tests"]}
    assert set(tests) == {"t::a", "t::b"}
    assert tests["t::a"]["requests"] == 2
    assert tests["t::a"]["statuses"] == {"200": 1, "400": 1}
    assert tests["t::a"]["violations"][0].startswith("GET /pets/abc -> 400")
    assert tests["t::b"]["operations"] == [
        {"collection": "petstore", "operation": "(unmatched)", "count": 1}
    ]


def test_merged_json_summaries_equal_one_process(engine: Engine) -> None:
    calls = [("/pets", {"limit": "1"}), ("/pets/1", {}), ("/pets/abc", {}), ("/pets/mine", {})]
    parts = []
    for n, (path, query) in enumerate(calls):
        worker = Engine()
        worker.add(load_spec((SPECS / "petstore.yaml").resolve()))
        worker.begin_test(f"t::{n}")
        engine.begin_test(f"t::{n}")
        get(worker, path, query)
        get(engine, path, query)
        parts.append(json.loads(json.dumps(summaries(worker))))  # shipped as JSON
    merged = coverage.report(coverage.merge(parts))
    plain = coverage.report(summaries(engine))
    for model in (merged, plain):
        for coll in model["collections"]:
            for op in coll["operation_list"]:
                op["avg_response_ms"] = op["time_us"] = 0  # timing is the one thing that differs
    assert merged == plain


def test_a_collection_without_traffic_reports_zero(engine: Engine) -> None:
    model = coverage.report(summaries(engine))
    assert model["totals"]["operations"] == {"hit": 0, "declared": 7, "percent": 0.0}
    assert coverage.operation_coverage(model) == 0.0
    assert coverage.report({})["totals"]["operations"]["percent"] == 100.0
