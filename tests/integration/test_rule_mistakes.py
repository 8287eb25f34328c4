"""One rule validator: the same mistake, made through the fixture's builder, a rule file
and the management API, is refused in the same words by all three.

The builder raises ``RuleError``, a rule file ``RuleFileError`` naming the line, the API
a 422 envelope naming the field; the words after the field are ``engine/rules/form.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.rules.files import load_rule_file
from pytest_mockamocha.errors import RuleError, RuleFileError
from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.rulebuilder import RuleBuilder
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.store import memory_store

SPECS = Path(__file__).parents[1] / "data" / "specs"
ADMIN = ("admin@example.com", "correct horse battery")

Build = Callable[[Mockamocha], RuleBuilder]


def _when(mock: Mockamocha, **match: Any) -> RuleBuilder:
    return mock.when("getPet", **match)


# (what goes wrong, the builder's calls, the rule object files and the API take, the words)
MISTAKES: list[tuple[str, Build, dict[str, Any], str]] = [
    (
        "status out of range",
        lambda m: _when(m).respond(99, json={}),
        {"response": {"status": 99, "json": {}}},
        "must be an HTTP status code from 100 to 599",
    ),
    (
        "a line break in a header",
        lambda m: _when(m).respond(json={}, headers={"X-Note": "a\nb"}, check=False),
        {"response": {"json": {}, "headers": {"X-Note": "a\nb"}}},
        "must not contain line breaks",
    ),
    (
        "a framing header",
        lambda m: _when(m).respond(json={}, headers={"Content-Length": "9"}, check=False),
        {"response": {"json": {}, "headers": {"Content-Length": "9"}}},
        "is written by the server from the body it sends",
    ),
    (
        "a delay past the limit",
        lambda m: _when(m).respond_generated().delay(601),
        {"response": {"generate": True, "delay": 601}},
        "must be seconds (0-600) or [min, max]",
    ),
    (
        "a delay range upside down",
        lambda m: _when(m).respond_generated().delay(2, 1),
        {"response": {"generate": True, "delay": [2, 1]}},
        "maximum 1 is below the minimum 2",
    ),
    (
        "an example the operation lacks",
        lambda m: _when(m).respond_example("lion"),
        {"response": {"example": "lion"}},
        "names 'lion', no example of GET /pets/{petId} (its examples: cat, dog)",
    ),
    (
        "an undeclared status without a body",
        lambda m: _when(m).respond(418),
        {"response": {"status": 418}},
        "GET /pets/{petId} declares no 418 response (it declares 200, 404); "
        "give json or body to send one anyway",
    ),
    (
        "an unknown fault",
        lambda m: _when(m).fault("explode"),
        {"response": {"fault": "explode"}},
        "must be one of connection_reset, close, empty_response",
    ),
    (
        "a step that answers no request",
        lambda m: _when(m).respond_generated().times(0),
        {"response": {"generate": True, "times": 0}},
        "must be a whole number >= 1",
    ),
    (
        "overrides the schema refuses",
        lambda m: _when(m).respond_generated(id="seven"),
        {"response": {"generate": {"id": "seven"}}},
        "do not fit the 200 response schema of GET /pets/{petId}",
    ),
    (
        "a path parameter the operation lacks",
        lambda m: _when(m, path={"id": 1}).respond_generated(),
        {"match": {"path": {"id": 1}}, "response": {"generate": True}},
        "GET /pets/{petId} has no path parameter 'id'; it has: petId",
    ),
    (
        "a state without a scenario",
        lambda m: _when(m, state="paid").respond_generated(),
        {"state": "paid", "response": {"generate": True}},
        'needs "scenario": the state of which scenario?',
    ),
]
IDS = [mistake[0] for mistake in MISTAKES]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    engine = Engine()
    api = build_api(memory_store(), engine, b"k" * 32, cache_dir=tmp_path_factory.mktemp("c"))
    api.ensure_admin(*ADMIN)
    with MockServer(engine, management=api) as running:
        running.add_spec(SPECS / "petstore.yaml", slug="petstore")  # listed in the API too
        yield running


@pytest.fixture(scope="module")
def rules_url(server: MockServer) -> Iterator[tuple[requests.Session, str]]:
    http = requests.Session()
    login = http.post(
        f"{server.url}/api/auth/login",
        json={"email": ADMIN[0], "password": ADMIN[1]},
        timeout=10,
    )
    http.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"
    found = http.get(f"{server.url}/api/endpoints", timeout=10).json()["data"]["endpoints"]
    endpoint = next(e for e in found if e["operation"] == "GET /pets/{petId}")
    yield http, f"{server.url}/api/endpoints/{endpoint['id']}/rules"
    http.close()


@pytest.mark.parametrize(("mistake", "build", "form", "words"), MISTAKES, ids=IDS)
def test_the_builder_words_it_like_the_form(
    server: MockServer, mistake: str, build: Build, form: dict[str, Any], words: str
) -> None:
    with Mockamocha(server, test=f"mistake {mistake}") as mock, pytest.raises(RuleError) as raised:
        build(mock)
    assert words in str(raised.value)


def test_a_refused_call_leaves_the_rule_as_it_was(server: MockServer) -> None:
    with Mockamocha(server, test="refused") as mock:
        rule = mock.when("getPet").respond(json={"id": 7, "name": "Rex"}, headers={"X-A": "1"})
        with pytest.raises(RuleError, match="below the minimum"):
            rule.delay(2, 1)
        with pytest.raises(RuleError, match="whole number"):
            rule.times(0)
        answer = requests.get(mock.url_for("petstore", "/pets/7"), timeout=10)
        assert (answer.json(), answer.headers["X-A"]) == ({"id": 7, "name": "Rex"}, "1")
        live = mock.engine.rules.get(rule.id)
        assert live is not None
        assert [(s.reply.delay, s.times) for s in live.steps] == [(0.0, None)]


@pytest.mark.parametrize(("mistake", "build", "form", "words"), MISTAKES, ids=IDS)
def test_a_rule_file_words_it_like_the_form(
    server: MockServer, tmp_path: Path, mistake: str, build: Build, form: dict[str, Any], words: str
) -> None:
    rule = {"collection": "petstore", "operation": "GET /pets/{petId}", **form}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "rules": [rule]}), encoding="utf-8")
    with pytest.raises(RuleFileError) as raised:
        load_rule_file(path, server.engine)
    assert words in str(raised.value)
    assert f"{path}:" in str(raised.value)


@pytest.mark.parametrize(("mistake", "build", "form", "words"), MISTAKES, ids=IDS)
def test_the_api_words_it_like_the_form(
    rules_url: tuple[requests.Session, str],
    mistake: str,
    build: Build,
    form: dict[str, Any],
    words: str,
) -> None:
    http, url = rules_url
    answer = http.post(url, json=form, timeout=10)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert any(words in detail for detail in error["details"]), error["details"]
