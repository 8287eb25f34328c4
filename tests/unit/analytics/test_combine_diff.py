"""Combine and diff on report models made by a real engine: the inverse of the report,
the shard checks, and what counts as a loss."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import Headers, MultiDict

from pytest_mockamocha.analytics import coverage
from pytest_mockamocha.analytics.combine import Shard, combine, read_shard, summaries_of
from pytest_mockamocha.analytics.diff import diff, has_loss, render_markdown, render_term
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.exchange import MockRequest
from pytest_mockamocha.errors import ReportError
from pytest_mockamocha.spec.loader import load_spec

SPECS = Path(__file__).parents[2] / "data" / "specs"
CALLS = [
    ("t::list", "/pets", {"limit": "1"}, {}),
    ("t::get", "/pets/1", {}, {}),
    ("t::gone", "/pets/2", {}, {"Prefer": "code=404"}),
    ("t::bad", "/pets/abc", {}, {}),
    ("t::mine", "/pets/mine", {}, {}),
    ("t::nowhere", "/nowhere", {}, {}),
]


def run(calls: list[tuple[str, str, dict[str, str], dict[str, str]]], **settings: Any) -> Any:
    """The report model of one process that made ``calls``."""
    engine = Engine()
    engine.add(load_spec((SPECS / "petstore.yaml").resolve()))
    for test, path, query, headers in calls:
        engine.begin_test(test)
        engine.handle("petstore", MockRequest("GET", path, MultiDict(query), Headers(headers)))
    stats = engine.journal.stats()
    summaries = {
        c.slug: coverage.summarize(c.slug, c.spec, stats.get(c.slug)) for c in engine
    }
    return coverage.report(summaries, coverage.run_info({"seed": 0, **settings}))


def shard(model: Any, name: str = "s.json") -> Shard:
    return Shard(name, json.loads(json.dumps(model)), name)


def without_timing(model: Any) -> Any:
    model = copy.deepcopy(model)
    model.pop("run")
    for coll in model["collections"]:
        for op in coll["operation_list"]:
            op["time_us"] = op["avg_response_ms"] = 0
    return model


def test_a_report_gives_back_the_summaries_it_was_made_from() -> None:
    model = run(CALLS)
    assert without_timing(coverage.report(summaries_of(model))) | {"tests": model["tests"]} == (
        without_timing(model)
    )


@pytest.mark.parametrize("cut", [1, 3, 5])
def test_any_split_combines_to_the_whole(cut: int) -> None:
    whole = run(CALLS)
    parts = [shard(run(CALLS[:cut]), "a.json"), shard(run(CALLS[cut:]), "b.json")]
    combined = combine(parts)
    assert without_timing(combined) == without_timing(whole)
    assert combined["run"] == {"shards": 2, "settings": {"seed": [0]}, "notes": []}


def test_combining_combined_reports_counts_every_run_once() -> None:
    a, b, c = (shard(run(CALLS[i : i + 2]), f"{i}.json") for i in (0, 2, 4))
    nested = combine([shard(combine([a, b]), "ab.json"), c])
    assert nested["run"]["shards"] == 3
    assert without_timing(nested) == without_timing(combine([a, b, c]))


def test_the_same_file_twice_and_a_test_in_two_shards_are_noted() -> None:
    a = shard(run(CALLS[:2]), "a.json")
    twin = Shard("copy.json", a.model, a.digest)
    notes = combine([a, twin])["run"]["notes"]
    assert "copy.json is the same report as a.json: counted twice" in notes
    assert any(n.startswith("t::get and 1 more ran in more than one shard") for n in notes)


def test_settings_that_differ_are_kept_and_noted() -> None:
    model = combine([shard(run(CALLS[:1], strict=True)), shard(run(CALLS[1:], strict=False))])
    assert model["run"]["settings"]["strict"] == [True, False]
    assert model["run"]["notes"] == ["the shards ran with different strict: true, false"]


def test_a_collection_from_another_document_is_refused() -> None:
    other = run(CALLS)
    other["collections"][0]["document_hash"] = "f" * 64
    with pytest.raises(ReportError, match=r"^b.json: collection 'petstore' was served from"):
        combine([shard(run(CALLS), "a.json"), shard(other, "b.json")])


def test_nothing_to_combine_is_an_error() -> None:
    with pytest.raises(ReportError, match=r"no report could be read: x\.json: cut short"):
        combine([], [ReportError("cut short", source="x.json")])


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"x\.json: No such file"):
        read_shard(tmp_path / "x.json")


def test_a_loss_is_what_base_covered_and_head_still_declares_but_misses() -> None:
    base, head = run(CALLS), run([c for c in CALLS if c[0] != "t::gone"])
    change = diff(base, head)
    assert change["collections"][0]["responses"]["lost"] == ["GET /pets/{petId} 404"]
    assert change["lost"] == 1
    assert has_loss(change)
    assert not has_loss(diff(head, base))
    assert diff(head, base)["collections"][0]["responses"]["gained"] == ["GET /pets/{petId} 404"]


def test_what_the_document_dropped_is_not_a_loss() -> None:
    base, head = run(CALLS), run(CALLS)
    ops = head["collections"][0]["operation_list"]
    head["collections"][0]["operation_list"] = [o for o in ops if o["name"] != "GET /pets/mine"]
    head["collections"][0]["document_hash"] = "0" * 64
    change = diff(base, head)
    coll = change["collections"][0]
    assert coll["operations"]["undeclared"] == ["GET /pets/mine"]
    assert coll["document_changed"]
    assert not has_loss(change)
    assert "no longer declared: GET /pets/mine" in render_term(change)
    assert "(document changed)" in render_term(change)


def test_new_violations_are_a_loss_and_listed() -> None:
    clean = run([c for c in CALLS if c[0] != "t::bad"])
    dirty = run(CALLS)
    dirty["collections"][0]["problems"] = ["GET /pets/abc -> 400 (invalid): path.petId"]
    change = diff(clean, dirty)
    assert change["new_violations"] == 1
    assert has_loss(change)
    assert "new violation: GET /pets/abc -> 400 (invalid): path.petId" in render_term(change)


def test_a_collection_that_comes_or_goes_is_said() -> None:
    model = run(CALLS)
    empty = copy.deepcopy(model) | {"collections": []}
    assert diff(empty, model)["collections"][0]["state"] == "added"
    gone = diff(model, empty)
    assert gone["collections"][0]["state"] == "removed"
    assert not gone["lost"]
    assert "petstore (no longer served)" in render_term(gone)


def test_the_markdown_fits_a_pull_request_comment() -> None:
    base = run(CALLS)
    head = copy.deepcopy(base)
    coll = head["collections"][0]
    coll["violations"] += 5000
    coll["problems"] = [f"GET /pets/{n} -> 400 (invalid): " + "x" * 200 for n in range(5000)]
    text = render_markdown(diff(base, head))
    assert len(text) < 65_536
    assert "… and 4950 more" in text
