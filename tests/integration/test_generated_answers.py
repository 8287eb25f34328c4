"""Generated answers are kept with the compiled-document cache: a warm start sends the
answer an earlier run generated, without loading Faker or jsonschema, and nothing stale,
cut short or oversized is ever sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from _fresh_process import answer_in_a_fresh_process  # type: ignore[import-not-found]

from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec import cache as cache_module
from pytest_mockamocha.spec.loader import load_spec


def document(required: tuple[str, ...] = ("id", "name", "email")) -> dict[str, Any]:
    """Two operations without examples: every answer is generated (names by Faker)."""
    person = {
        "type": "object",
        "required": list(required),
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "nickname": {"type": "string"},
        },
    }
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": person}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "People", "version": "1"},
        "paths": {
            "/people/{id}": {
                "get": {
                    "operationId": "person",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer"}}],
                    "responses": ok,
                }
            },
            "/me": {"get": {"operationId": "me", "responses": ok}},
        },
    }


def serve_once(spec_path: Path, cache: Path | None, *paths: str) -> list[bytes]:
    server = MockServer().start()
    try:
        server.add_spec(load_spec(spec_path, cache_dir=cache), "p")
        answers = [requests.get(server.url_for("p", path), timeout=10) for path in paths]
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        return [a.content for a in answers]
    finally:
        server.stop()


def answer_files(cache: Path) -> list[Path]:
    return sorted((cache / "answers").glob("*.jsonl"))


def test_a_warm_start_sends_the_kept_answer_without_faker_or_jsonschema(
    tmp_path: Path,
) -> None:
    spec, cache = tmp_path / "people.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    (first,) = serve_once(spec, cache, "/people/7")
    assert {"id", "name", "email"} <= set(json.loads(first))
    (kept,) = answer_files(cache)
    assert len(kept.read_text().splitlines()) == 1
    body, loaded = answer_in_a_fresh_process(spec, cache, "/people/7", ("faker", "jsonschema"))
    assert body == first  # the same bytes, not a new draw
    assert loaded == []


def test_each_request_keeps_its_own_answer_and_a_rerun_sends_the_same(tmp_path: Path) -> None:
    spec, cache = tmp_path / "people.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    cold = serve_once(spec, cache, "/people/1", "/people/2", "/me", "/people/1")
    assert cold[0] == cold[3]
    assert len({cold[0], cold[1], cold[2]}) == 3  # seeded by the request: three answers
    (kept,) = answer_files(cache)
    assert len(kept.read_text().splitlines()) == 3
    assert serve_once(spec, cache, "/people/1", "/people/2", "/me") == cold[:3]
    assert serve_once(spec, None, "/people/1", "/people/2", "/me") == cold[:3]  # generated


def test_an_edited_document_never_sends_an_old_answer(tmp_path: Path) -> None:
    spec, cache = tmp_path / "people.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    serve_once(spec, cache, "/me")
    spec.write_text(json.dumps(document(required=("id", "name", "email", "nickname"))))
    (served,) = serve_once(spec, cache, "/me")
    assert "nickname" in json.loads(served)
    assert len(answer_files(cache)) == 2


def test_a_line_cut_short_is_skipped_and_the_answer_generated_again(tmp_path: Path) -> None:
    spec, cache = tmp_path / "people.json", tmp_path / "cache"
    spec.write_text(json.dumps(document()))
    first = serve_once(spec, cache, "/me", "/people/3")
    (kept,) = answer_files(cache)
    lines = kept.read_bytes().splitlines()
    kept.write_bytes(lines[0] + b"\n" + lines[1][: len(lines[1]) // 2])  # a crash mid-write
    assert serve_once(spec, cache, "/me", "/people/3") == first
    entries = []
    for line in kept.read_bytes().splitlines():
        try:
            entries.append(json.loads(line)["key"])
        except ValueError:
            continue
    assert len(entries) == 2  # the first answer, and the cut one written again


def test_without_a_cache_folder_nothing_is_kept(tmp_path: Path) -> None:
    spec = tmp_path / "people.json"
    spec.write_text(json.dumps(document()))
    serve_once(spec, None, "/me")
    assert not list(tmp_path.rglob("answers"))


def test_the_answers_file_stops_growing_at_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "MAX_ANSWER_BYTES", 400)
    monkeypatch.setattr(cache_module, "MAX_ANSWER_BODY", 100)
    answers = cache_module.GeneratedAnswers(tmp_path, "doc")
    answers.put("big", b"x" * 101, "text/plain", [])
    answers.put("a", b"1" * 90, "text/plain", [("X-A", "1")])
    answers.put("b", b"2" * 90, "text/plain", [])
    answers.put("c", b"3" * 90, "text/plain", [])  # past 400 bytes: not written
    assert answers.path.stat().st_size <= 400
    fresh = cache_module.GeneratedAnswers(tmp_path, "doc")
    assert fresh.get("big") is None
    assert fresh.get("a") == (b"1" * 90, "text/plain", [("X-A", "1")])
    assert fresh.get("b") == (b"2" * 90, "text/plain", [])
    assert fresh.get("c") is None


def test_binary_answers_are_kept_byte_for_byte(tmp_path: Path) -> None:
    answers = cache_module.GeneratedAnswers(tmp_path, "doc")
    png = bytes(range(256)) * 3
    answers.put("image", png, "image/png", [])
    assert cache_module.GeneratedAnswers(tmp_path, "doc").get("image") == (png, "image/png", [])


def test_only_the_specs_own_answers_are_kept_not_a_rules(tmp_path: Path) -> None:
    """A rule's generated answers are keyed by its id and hit count, which no later run
    repeats: keeping them would only fill the file."""
    from pytest_mockamocha.engine.respond.responder import Prefer, Responder

    spec_path, cache = tmp_path / "people.json", tmp_path / "cache"
    spec_path.write_text(json.dumps(document()))
    spec = load_spec(spec_path, cache_dir=cache)
    responder = Responder(spec)
    me = next(op for op in spec.operations if op.operation_id == "me")
    for hit in range(3):  # as a rule's reply builds its answer
        responder.build(me, "200", 200, accept=None, seed=0, material=f"GET|/me|[]|rule_x|{hit}",
                        dynamic=True)
    responder.from_spec(me, accept=None, seed=0, material="GET|/me|[]",
                        prefer=Prefer(dynamic=True))
    assert answer_files(cache) == []
    responder.from_spec(me, accept=None, seed=0, material="GET|/me|[]")
    (kept,) = answer_files(cache)
    assert len(kept.read_text().splitlines()) == 1
