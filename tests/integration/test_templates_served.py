"""Response templates through a real server and ``requests``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pytest_mockamocha.errors import RuleError
from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.server.runtime import MockServer

PETSTORE = Path(__file__).resolve().parents[1] / "data" / "specs" / "petstore.yaml"


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        running.add_spec(PETSTORE, slug="pets")
        yield running


@pytest.fixture
def mock(server: MockServer, request: pytest.FixtureRequest) -> Iterator[Mockamocha]:
    with Mockamocha(server, test=request.node.name, strict=False, seed=5) as handle:
        yield handle


def test_json_template_with_request_and_generated(mock: Mockamocha) -> None:
    mock.when("GET /pets/{petId}").respond_template(
        json={
            "id": "{{ request.path.petId | int }}",
            "name": "{{ generated.name }}",
            "trace": "{{ request.headers['x-trace-id'] }}",
            "status": "{{ request.query.status | default('available') }}",
        }
    )
    url = mock.url_for("pets", "/pets/7")
    answer = requests.get(url, headers={"X-Trace-Id": "t-1"}, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert body["id"] == 7
    assert isinstance(body["name"], str)
    assert body["name"]
    assert body["trace"] == "t-1"
    assert body["status"] == "available"
    again = requests.get(url, headers={"X-Trace-Id": "t-2"}, timeout=10).json()
    assert again["id"] == 7
    assert again["trace"] == "t-2"


def test_text_template_with_a_content_type(mock: Mockamocha) -> None:
    mock.when("GET /pets/{petId}").respond_template(
        "pet {{ request.path.petId }} for {{ request.method }}\n",
        content_type="text/plain; charset=utf-8",
        status=200,
    )
    answer = requests.get(mock.url_for("pets", "/pets/12"), timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.text == "pet 12 for GET\n"


def test_json_typed_text_template(mock: Mockamocha) -> None:
    mock.when("GET /pets/{petId}").respond_template(
        '{"id": {{ request.path.petId }}, "name": {{ "Rex" | tojson }}}',
        content_type="application/json",
    )
    answer = requests.get(mock.url_for("pets", "/pets/3"), timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"id": 3, "name": "Rex"}


def test_json_typed_text_that_is_not_json_is_a_500_naming_the_operation(
    mock: Mockamocha,
) -> None:
    mock.when("GET /pets/{petId}").respond_template(
        "not json {{ request.path.petId }}", content_type="application/json"
    )
    answer = requests.get(mock.url_for("pets", "/pets/3"), timeout=10)
    assert answer.status_code == 500
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert "GET /pets/{petId}" in problem["detail"]
    assert "not JSON" in problem["detail"]


def test_a_failing_template_answers_500_and_the_server_keeps_serving(mock: Mockamocha) -> None:
    mock.when("GET /pets/{petId}", path={"petId": 1}).respond_template(
        json={"id": "{{ request.path.nope }}"}
    )
    mock.when("GET /pets/{petId}", path={"petId": 2}).respond_template(
        json={"leak": "{{ ''.__class__.__mro__ }}"}
    )
    mock.when("GET /pets/{petId}", path={"petId": 3}).respond_template(
        "{% for i in range(10**9) %}x{% endfor %}"
    )
    failed = requests.get(mock.url_for("pets", "/pets/1"), timeout=10)
    assert failed.status_code == 500
    assert failed.headers["Content-Type"].startswith("application/problem+json")
    detail = failed.json()["detail"]
    assert "GET /pets/{petId}" in detail
    assert "template.id" in detail
    assert "'nope'" in detail
    assert "Traceback" not in failed.text
    escaped = requests.get(mock.url_for("pets", "/pets/2"), timeout=10)
    assert escaped.status_code == 500
    assert "sandbox" in escaped.json()["detail"]
    assert "object>" not in escaped.text
    assert "mro" not in escaped.json().get("leak", "")
    looped = requests.get(mock.url_for("pets", "/pets/3"), timeout=10)
    assert looped.status_code == 500
    assert "range" in looped.json()["detail"]
    still = requests.get(mock.url_for("pets", "/pets/9"), timeout=10)
    assert still.status_code == 200
    assert still.json()["id"] >= 1


def test_syntax_errors_are_refused_when_the_rule_is_made(mock: Mockamocha) -> None:
    with pytest.raises(RuleError, match=r"template\.items\[0\]\.name"):
        mock.when("GET /pets/{petId}").respond_template(json={"items": [{"name": "{{ x "}]})
