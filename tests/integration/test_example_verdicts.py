"""Verdicts on a document's examples are kept with the compiled-document cache: a warm
start serves an example without importing jsonschema, and nothing stale is ever read."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from _fresh_process import answer_in_a_fresh_process  # type: ignore[import-not-found]

from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec import cache as cache_module
from pytest_mockamocha.spec.loader import load_spec

GOOD = {"id": 7, "name": "Rex"}
BAD = {"id": "seven"}  # id must be an integer: never served


def document(good: object = GOOD, bad: object = BAD) -> dict[str, object]:
    pet = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }

    def answer(example: object) -> dict[str, object]:
        return {
            "200": {
                "description": "a pet",
                "content": {
                    "application/json": {"schema": pet, "examples": {"one": {"value": example}}}
                },
            }
        }

    return {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": {
            "/good": {"get": {"operationId": "good", "responses": answer(good)}},
            "/bad": {"get": {"operationId": "bad", "responses": answer(bad)}},
        },
    }


def serve_once(spec_path: Path, cache: Path, *paths: str) -> list[object]:
    server = MockServer().start()
    try:
        spec = load_spec(spec_path, cache_dir=cache)
        server.add_spec(spec, "p")
        return [requests.get(server.url_for("p", path), timeout=10).json() for path in paths]
    finally:
        server.stop()


def verdict_files(cache: Path) -> list[Path]:
    return sorted((cache / "verdicts").glob("*.json"))


def test_verdicts_are_kept_and_an_invalid_example_stays_unserved(tmp_path: Path) -> None:
    spec, cache = tmp_path / "pets.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    good, bad = serve_once(spec, cache, "/good", "/bad")
    assert good == GOOD
    assert bad != BAD
    assert isinstance(bad["id"], int)  # type: ignore[index]
    (kept,) = verdict_files(cache)
    assert sorted(json.loads(kept.read_text()).values()) == [False, True]
    # a second run reads the verdicts: the same answers
    again_good, again_bad = serve_once(spec, cache, "/good", "/bad")
    assert again_good == GOOD
    assert again_bad != BAD


def test_a_warm_start_serves_an_example_without_jsonschema(tmp_path: Path) -> None:
    spec, cache = tmp_path / "pets.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    serve_once(spec, cache, "/good")
    body, loaded = answer_in_a_fresh_process(spec, cache, "/good", ("jsonschema",))
    assert [json.loads(body), loaded] == [GOOD, []]


def test_an_edited_document_never_reads_the_old_verdicts(tmp_path: Path) -> None:
    spec, cache = tmp_path / "pets.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    assert serve_once(spec, cache, "/good") == [GOOD]
    spec.write_text(json.dumps(document(good={"id": "now a string"})))  # the same pointer
    (served,) = serve_once(spec, cache, "/good")
    assert served != {"id": "now a string"}
    assert len(verdict_files(cache)) == 2


def test_a_corrupt_verdict_file_is_decided_again_and_rewritten(tmp_path: Path) -> None:
    spec, cache = tmp_path / "pets.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    serve_once(spec, cache, "/good")
    (kept,) = verdict_files(cache)
    kept.write_bytes(b'{"truncated')
    assert serve_once(spec, cache, "/good", "/bad")[0] == GOOD
    assert sorted(json.loads(kept.read_text()).values()) == [False, True]


def test_without_a_cache_folder_nothing_is_kept(tmp_path: Path) -> None:
    spec = tmp_path / "pets.json"
    spec.write_text(json.dumps(document()))
    server = MockServer().start()
    try:
        server.add_spec(load_spec(spec), "p")
        assert requests.get(server.url_for("p", "/good"), timeout=10).json() == GOOD
    finally:
        server.stop()
    assert not list(tmp_path.rglob("verdicts"))


def test_the_verdicts_folder_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 2)
    for digest in ("one", "two", "three"):
        cache_module.ExampleVerdicts(tmp_path, digest).put("/a", True)
        time.sleep(0.01)  # distinct modification times
    kept = verdict_files(tmp_path)
    assert len(kept) == 2
    assert not [p for p in kept if p.name.startswith("one-")]  # the least recently used went
    assert cache_module.ExampleVerdicts(tmp_path, "three").get("/a") is True
