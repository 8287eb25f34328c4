"""Sequences, scenarios, delays, the failures every API has, and the contract check of
rules: through the fixture object, a real server and real clients."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from pytest_mockamocha.engine.respond.reply import render
from pytest_mockamocha.errors import MockamochaWarning, RuleError
from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.server.runtime import MockServer

SPECS = Path(__file__).parents[1] / "data" / "specs"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        running.add_spec(SPECS / "petstore.yaml", "petstore")
        yield running


@pytest.fixture
def mock(server: MockServer, request: pytest.FixtureRequest) -> Iterator[Mockamocha]:
    with Mockamocha(server, test=request.node.nodeid, strict=False) as handle:
        yield handle


def get(mock: Mockamocha, path: str, **kwargs: object) -> requests.Response:
    return requests.get(mock.base_url + path, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_times_then_sequences_answer_in_order_and_retire(mock: Mockamocha) -> None:
    rule = mock.when("getPet").respond(404).times(2).then(200, json={"id": 1, "name": "Rex"})
    statuses = [get(mock, "/pets/1").status_code for _ in range(4)]
    assert statuses == [404, 404, 200, 200]
    assert rule.hits == 4
    once = mock.when("listPets").respond(json=[]).times(1)
    assert get(mock, "/pets").json() == []
    assert get(mock, "/pets").json() != []  # retired: the spec answers again
    assert once.hits == 1


def test_a_scenario_moves_through_its_states(mock: Mockamocha) -> None:
    mock.when("getPet", scenario="adoption").respond(
        json={"id": 1, "name": "Rex", "status": "available"}
    )
    mock.when("updatePet", scenario="adoption").respond(
        json={"id": 1, "name": "Rex", "status": "sold"}
    ).then_state("adopted")
    mock.when("getPet", scenario="adoption", state="adopted").respond(
        json={"id": 1, "name": "Rex", "status": "sold"}
    )
    assert mock.scenario_state("adoption") == "started"
    assert get(mock, "/pets/1").json()["status"] == "available"
    put = requests.put(mock.base_url + "/pets/1", json={"name": "Rex"}, timeout=5)
    assert put.status_code == 200
    assert mock.scenario_state("adoption") == "adopted"
    assert get(mock, "/pets/1").json()["status"] == "sold"
    mock.reset()
    assert mock.scenario_state("adoption") == "started"
    assert get(mock, "/pets/1").json()["status"] == "available"
    mock.set_scenario_state("adoption", "adopted")
    assert get(mock, "/pets/1").json()["status"] == "sold"


def test_a_rule_waiting_for_another_state_explains_the_miss(mock: Mockamocha) -> None:
    mock.when("getPet", scenario="s", state="later").respond(json={"id": 1, "name": "Later"})
    get(mock, "/pets/1")
    note = mock.requests("getPet")[-1].note
    assert "scenario 's' is in state 'started', rule wants 'later'" in note


def test_each_test_starts_its_scenarios_and_sequences_afresh(server: MockServer) -> None:
    with Mockamocha(server, test="first", strict=False) as mock:
        mock.when("getPet", scenario="s").respond(json={"id": 1, "name": "A"}).then_state("b")
        get(mock, "/pets/1")
        assert mock.scenario_state("s") == "b"
    with Mockamocha(server, test="second", strict=False) as mock:
        assert mock.scenario_state("s") == "started"


def test_fixed_and_ranged_delays(mock: Mockamocha) -> None:
    mock.when("getPet").respond(json={"id": 1, "name": "Rex"}).delay(0.3)
    started = time.perf_counter()
    assert get(mock, "/pets/1").status_code == 200
    assert time.perf_counter() - started >= 0.3
    mock.when("listPets").respond(json=[]).delay(0.05, 0.25)
    waited = []
    for _ in range(3):
        started = time.perf_counter()
        get(mock, "/pets")
        waited.append(time.perf_counter() - started)
    assert min(waited) >= 0.05


def test_a_delay_alone_delays_what_the_operation_would_answer(mock: Mockamocha) -> None:
    mock.when("getPet").delay(0.3)
    started = time.perf_counter()
    answer = get(mock, "/pets/1")
    assert time.perf_counter() - started >= 0.3
    assert answer.status_code == 200
    assert answer.json()["id"] == 1  # the spec's answer, as without the rule


def test_a_ranged_delay_is_the_same_for_the_same_seed_and_request(server: MockServer) -> None:
    coll = server.engine.collection("petstore")
    picks = []
    for _ in range(2):
        with Mockamocha(server, test="seeded", seed=7, strict=False) as mock:
            rule = mock.when("getPet").respond(json={"id": 1, "name": "R"}).delay(0.0, 600)
            ruled = server.engine.rules.get(rule.id)
            assert ruled is not None
            reply = ruled.steps[0].reply
            answer = render(
                coll.responder, coll.operation("getPet"), reply, accept=None, seed=7, material="m"
            )
            picks.append(answer.delay)
    assert picks[0] == picks[1]
    assert 0 <= picks[0] <= 600
    other = render(
        coll.responder, coll.operation("getPet"), reply, accept=None, seed=8, material="m"
    )
    assert other.delay != picks[0]


def test_a_collection_default_delay_lasts_for_the_test(server: MockServer) -> None:
    with Mockamocha(server, test="slow", strict=False) as mock:
        mock.delay(0.25)
        started = time.perf_counter()
        get(mock, "/pets")
        assert time.perf_counter() - started >= 0.25
        with pytest.raises(RuleError, match="below the minimum"):
            mock.delay(1, 0.5)
    assert server.engine.collection("petstore").delay == (0.0, None)


def test_fail_first_lets_a_retrying_client_through(mock: Mockamocha) -> None:
    mock.when("listPets").fail_first(2, retry_after=0)
    session = requests.Session()
    retry = Retry(total=3, status_forcelist=[503], backoff_factor=0, allowed_methods=None)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    answer = session.get(mock.base_url + "/pets", timeout=5)
    assert answer.status_code == 200
    assert isinstance(answer.json(), list)
    assert [r.status for r in mock.requests("listPets")] == [503, 503, 200]


def test_rate_limited_and_unavailable_send_the_usual_headers(mock: Mockamocha) -> None:
    mock.when("listPets").rate_limited(retry_after=2, times=1)
    answer = httpx.get(mock.base_url + "/pets", timeout=5)
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 429
    assert httpx.get(mock.base_url + "/pets", timeout=5).status_code == 200
    mock.when("getPet").unavailable()
    assert httpx.get(mock.base_url + "/pets/1", timeout=5).status_code == 503


def test_a_declared_failure_status_answers_the_spec_body(mock: Mockamocha) -> None:
    mock.when("createPet").fail_first(1, status=422)
    first = requests.post(mock.base_url + "/pets", json={"name": "Rex"}, timeout=5)
    assert first.status_code == 422
    assert first.json()["title"] == "Validation failed"  # the spec's own 422 example
    second = requests.post(mock.base_url + "/pets", json={"name": "Rex"}, timeout=5)
    assert second.status_code == 201


def test_a_rule_off_the_contract_warns_unless_strict(server: MockServer) -> None:
    with (
        Mockamocha(server, test="lenient", strict=False) as mock,
        pytest.warns(MockamochaWarning, match=r"body.id.*integer"),
    ):
        mock.when("getPet").respond(json={"id": "seven", "name": "Rex"})
    with Mockamocha(server, test="strict", strict=True) as mock:
        with pytest.raises(RuleError, match=r"breaks the contract.*declares no 418"):
            mock.when("getPet").respond(418, json={})
        mock.when("getPet").respond(418, json={}, check=False)
        assert get(mock, "/pets/1").status_code == 418


def test_the_same_rule_from_the_fixture_and_a_file_answers_alike(
    server: MockServer, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - operation: getPet\n"
        "    match: {path: {petId: 7}, headers: {X-Tenant: acme}}\n"
        "    response: {status: 404, headers: {X-Why: gone}, times: 1}\n"
        "    then: [{json: {id: 7, name: Max}}]\n"
    )
    seen = []
    for how in ("fixture", "file"):
        with Mockamocha(server, test=f"same-{how}", strict=True) as mock:
            if how == "fixture":
                mock.when("getPet", path={"petId": 7}, headers={"X-Tenant": "acme"}).respond(
                    404, headers={"X-Why": "gone"}
                ).times(1).then(json={"id": 7, "name": "Max"})
            else:
                mock.load_rules(rules)
            tenant = {"X-Tenant": "acme"}
            answers = [get(mock, "/pets/7", headers=tenant) for _ in range(2)]
            other = get(mock, "/pets/8", headers=tenant)
            seen.append(
                (
                    [(a.status_code, a.headers.get("X-Why"), a.content) for a in answers],
                    other.status_code,
                    other.json().get("name") != "Max",
                )
            )
    assert seen[0] == seen[1]
    assert seen[0][0][0][:2] == (404, "gone")
    assert seen[0][0][1][0] == 200


def test_assert_called_shows_why_the_nearest_rule_did_not_answer(mock: Mockamocha) -> None:
    mock.when("getPet", match={"query": {"expand": "owner"}}).respond(404)
    get(mock, "/pets/1", params={"expand": "vet"})
    with pytest.raises(AssertionError) as caught:
        mock.assert_called("getPet", status=404)
    text = str(caught.value)
    assert "GET /pets/1?expand=vet -> 200" in text
    assert "query.expand is 'vet', rule wants 'owner'" in text


def test_a_template_answer_off_the_contract_fails_strict_mode(server: MockServer) -> None:
    mock = Mockamocha(server, test="template-drift", strict=True).__enter__()
    mock.when("getPet").respond_template(
        json={"id": "{{ request.path.petId }}", "name": "Rex"}  # a string id
    )
    answer = get(mock, "/pets/7")
    assert answer.json() == {"id": "7", "name": "Rex"}  # sent as rendered
    (record,) = mock.requests("getPet")
    assert record.violations == (
        "response: GET /pets/{petId} 200 body.id: '7' is not of type 'integer'",
    )
    with pytest.raises(AssertionError, match=r"body.id: '7' is not of type 'integer'"):
        mock.__exit__(None, None, None)


def test_a_failing_template_is_a_violation_of_the_test(mock: Mockamocha) -> None:
    mock.when("getPet").respond_template(json={"id": "{{ request.path.nope }}"})
    assert get(mock, "/pets/7").status_code == 500
    (record,) = mock.requests("getPet")
    assert record.violations[0].startswith("response.template: GET /pets/{petId}:")
    assert "nope" in record.violations[0]


def test_a_valid_template_answer_is_no_violation(mock: Mockamocha) -> None:
    mock.when("getPet").respond_template(json={"id": "{{ request.path.petId | int }}", "name": "R"})
    assert get(mock, "/pets/7").json() == {"id": 7, "name": "R"}
    assert mock.requests("getPet")[0].violations == ()
