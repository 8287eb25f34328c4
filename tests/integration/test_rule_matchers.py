"""Rich request matchers through a real server and a real client (``requests``).

Each matcher picks the rule it should, precedence (priority, then newest) still holds,
a near miss is journaled with the nearest rule's reason, and a bad ``match`` is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_mockamocha.errors import RuleError
from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.server.runtime import MockServer

PETSTORE = Path(__file__).parents[1] / "data" / "specs" / "petstore.yaml"

#: free-form JSON, urlencoded and multipart bodies, and answers that are any object
SHOP = """
openapi: 3.0.3
info: {title: shop, version: "1"}
components:
  responses:
    Any:
      description: any object
      content:
        application/json:
          schema: {type: object}
          example: {rule: none}
paths:
  /orders:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object}
      responses:
        "201": {$ref: "#/components/responses/Any"}
  /login:
    post:
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                username: {type: string}
                tags: {type: array, items: {type: string}}
                age: {type: integer}
      responses:
        "200": {$ref: "#/components/responses/Any"}
  /files:
    post:
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                title: {type: string}
                file: {type: string, format: binary}
      responses:
        "201": {$ref: "#/components/responses/Any"}
"""
PET = {"id": 1, "name": "Rex", "status": "available", "created_at": "2024-03-01T10:15:00Z"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    folder = tmp_path_factory.mktemp("matchers")
    (folder / "shop.yaml").write_text(SHOP)
    with MockServer() as srv:
        srv.add_spec(PETSTORE, "petstore")
        srv.add_spec(folder / "shop.yaml", "shop")
        yield srv


@pytest.fixture
def pets(server: MockServer, request: pytest.FixtureRequest) -> Iterator[Mockamocha]:
    with Mockamocha(server, test=request.node.name, strict=False, collection="petstore") as mock:
        yield mock


@pytest.fixture
def shop(server: MockServer, request: pytest.FixtureRequest) -> Iterator[Mockamocha]:
    with Mockamocha(server, test=request.node.name, strict=False, collection="shop") as mock:
        yield mock


def pet_rule(mock: Mockamocha, name: str, match: dict[str, Any], **kwargs: Any) -> str:
    """A rule on ``GET /pets`` answering one pet named ``name``; returns its id."""
    return (
        mock.when("GET /pets", match=match, **kwargs).respond(200, json=[{**PET, "name": name}]).id
    )


def answered_by(response: requests.Response) -> str:
    """Which rule answered: the pet's name, the ``rule`` field, or "spec" for no rule."""
    assert response.ok, response.text
    body = response.json()
    if isinstance(body, list):
        return str(body[0]["name"]) if body and body[0]["name"] != "Rex" else "spec"
    return str(body["rule"]) if body["rule"] != "none" else "spec"


def test_param_conditions_pick_their_rule(pets: Mockamocha) -> None:
    pet_rule(pets, "Sold", {"query": {"status": {"regex": "^(sold|pending)$"}}})
    pet_rule(pets, "Count", {"headers": {"X-Count": {"gte": 2}}})
    pet_rule(pets, "Session", {"cookies": {"session": {"exists": True, "not_equals": "x"}}})
    pet_rule(pets, "Limit", {"query": {"limit": {"one_of": [5, 50]}}})
    url = pets.url_for("petstore", "/pets")

    assert answered_by(requests.get(url, params={"status": "pending"}, timeout=10)) == "Sold"
    assert answered_by(requests.get(url, params={"status": "available"}, timeout=10)) == "spec"
    assert answered_by(requests.get(url, headers={"X-Count": "3"}, timeout=10)) == "Count"
    assert answered_by(requests.get(url, headers={"X-Count": "1"}, timeout=10)) == "spec"
    assert answered_by(requests.get(url, cookies={"session": "s1"}, timeout=10)) == "Session"
    assert answered_by(requests.get(url, cookies={"session": "x"}, timeout=10)) == "spec"
    assert answered_by(requests.get(url, params={"limit": 50}, timeout=10)) == "Limit"
    assert answered_by(requests.get(url, params={"limit": 6}, timeout=10)) == "spec"


def test_path_conditions_pick_their_rule(pets: Mockamocha) -> None:
    pets.when("GET /pets/{petId}", path={"petId": {"one_of": [7, 8]}}).respond(
        200, json={**PET, "name": "Lucky"}
    )
    pets.when("GET /pets/{petId}", match={"path": {"petId": {"gt": 100}}}).respond(404)
    assert requests.get(pets.url_for("petstore", "/pets/8"), timeout=10).json()["name"] == "Lucky"
    assert requests.get(pets.url_for("petstore", "/pets/101"), timeout=10).status_code == 404
    missed = requests.get(pets.url_for("petstore", "/pets/9"), timeout=10)
    assert missed.status_code == 200
    assert missed.json()["name"] != "Lucky"


def test_body_expressions_pick_their_rule(shop: Mockamocha) -> None:
    shop.when(
        "POST /orders",
        match={"body": [{"jsonpath": "$.items[*].sku", "contains": "A-1"}]},
    ).respond(201, json={"rule": "sku"})
    shop.when(
        "POST /orders",
        match={
            "body": [
                {"pointer": "/customer/age", "gte": 18},
                {"jsonpath": "$.note", "exists": False},
            ]
        },
    ).respond(201, json={"rule": "adult"})
    url = shop.url_for("shop", "/orders")

    def post(body: dict[str, Any]) -> str:
        return answered_by(requests.post(url, json=body, timeout=10))

    assert post({"items": [{"sku": "B-2"}, {"sku": "A-1"}]}) == "sku"
    assert post({"items": [{"sku": "B-2"}], "customer": {"age": 18}}) == "adult"
    assert post({"items": [], "customer": {"age": 18.5}}) == "adult"
    assert post({"customer": {"age": 40}, "note": "gift"}) == "spec"
    assert post({"customer": {"age": "40"}}) == "spec"
    assert post({"customer": {"age": 16}}) == "spec"


def test_urlencoded_form_fields_pick_their_rule(shop: Mockamocha) -> None:
    shop.when(
        "POST /login", match={"form": {"username": "ada", "tags": {"contains": "x"}}}
    ).respond(200, json={"rule": "ada-x"})
    shop.when("POST /login", match={"form": {"age": {"lt": 18}}}).respond(
        200, json={"rule": "minor"}
    )
    url = shop.url_for("shop", "/login")

    def post(data: Any) -> str:
        return answered_by(requests.post(url, data=data, timeout=10))

    assert post({"username": "ada", "tags": ["y", "x"]}) == "ada-x"
    assert post({"username": "ada", "tags": ["y"]}) == "spec"
    assert post({"username": "bob", "age": 12}) == "minor"
    assert post({"username": "bob", "age": 30}) == "spec"


def test_multipart_fields_and_file_names_pick_their_rule(shop: Mockamocha) -> None:
    shop.when(
        "POST /files", match={"form": {"file": {"regex": r"\.pdf$"}, "title": "Scan"}}
    ).respond(201, json={"rule": "pdf"})
    url = shop.url_for("shop", "/files")

    def post(filename: str, title: str) -> str:
        files = {"file": (filename, b"%PDF-1.4 \x00\xff bytes", "application/pdf")}
        return answered_by(requests.post(url, files=files, data={"title": title}, timeout=10))

    assert post("scan.pdf", "Scan") == "pdf"
    assert post("scan.png", "Scan") == "spec"
    assert post("scan.pdf", "Other") == "spec"


def test_any_of_and_not_pick_their_rule(pets: Mockamocha) -> None:
    pet_rule(
        pets,
        "Either",
        {
            "any_of": [{"query": {"status": "sold"}}, {"headers": {"X-Vip": {"exists": True}}}],
            "not": {"headers": {"X-Dry-Run": "1"}},
        },
    )
    url = pets.url_for("petstore", "/pets")
    assert answered_by(requests.get(url, params={"status": "sold"}, timeout=10)) == "Either"
    assert answered_by(requests.get(url, headers={"X-Vip": "yes"}, timeout=10)) == "Either"
    assert answered_by(requests.get(url, params={"status": "pending"}, timeout=10)) == "spec"
    dry = requests.get(url, params={"status": "sold"}, headers={"X-Dry-Run": "1"}, timeout=10)
    assert answered_by(dry) == "spec"
    notes = [r.note for r in pets.requests("GET /pets")]
    assert "any_of: none fits (query.status is 'pending', rule wants 'sold'; " in notes[2]
    assert "header.X-Vip is absent, rule wants it present)" in notes[2]
    assert 'not: the request fits {"headers":{"X-Dry-Run":"1"}}' in notes[3]


def test_precedence_is_priority_then_newest(pets: Mockamocha) -> None:
    url = pets.url_for("petstore", "/pets")
    pet_rule(pets, "Important", {"query": {"status": {"regex": "^s"}}}, priority=5)
    pet_rule(pets, "Older", {"headers": {"X-Count": {"gte": 1}}})
    pet_rule(pets, "Newer", {"headers": {"X-Count": {"lte": 10}}})
    both = {"X-Count": "3"}
    assert answered_by(requests.get(url, headers=both, timeout=10)) == "Newer"
    assert answered_by(requests.get(url, headers={"X-Count": "30"}, timeout=10)) == "Older"
    sold = requests.get(url, params={"status": "sold"}, headers=both, timeout=10)
    assert answered_by(sold) == "Important"


def test_a_near_miss_is_journaled_with_its_reason(shop: Mockamocha) -> None:
    rule_id = (
        shop.when(
            "POST /orders",
            match={
                "json_contains": {"kind": "order"},
                "body": [{"pointer": "/customer/age", "gte": 18}],
            },
        )
        .respond(201, json={"rule": "adult"})
        .id
    )
    url = shop.url_for("shop", "/orders")
    answer = requests.post(url, json={"kind": "order", "customer": {"age": 16}}, timeout=10)
    assert answered_by(answer) == "spec"
    form = requests.post(url, json={"kind": "order", "customer": {"age": "x"}}, timeout=10)
    assert answered_by(form) == "spec"
    first, second = shop.requests("POST /orders")
    assert first.rule_id is None
    assert first.note == f"nearest rule {rule_id}: body /customer/age is 16, rule wants >= 18"
    assert second.note == (
        f"nearest rule {rule_id}: body /customer/age is 'x', not a number, rule wants >= 18"
    )


def test_a_near_miss_on_a_param_names_the_field(pets: Mockamocha) -> None:
    rule_id = pet_rule(pets, "Sold", {"query": {"status": {"regex": "^(sold|pending)$"}}})
    requests.get(pets.url_for("petstore", "/pets"), params={"status": "available"}, timeout=10)
    (record,) = pets.requests("GET /pets")
    assert record.note == (
        f"nearest rule {rule_id}: query.status is 'available', rule wants regex '^(sold|pending)$'"
    )


@pytest.mark.parametrize(
    ("match", "message"),
    [
        (
            {"query": {"status": {"regex": "("}}},
            'Field "match.query.status.regex" is not a valid regular expression',
        ),
        (
            {"body": [{"jsonpath": "$.items[", "exists": True}]},
            'Field "match.body[0].jsonpath" is not a valid JSONPath (RFC 9535)',
        ),
        (
            {"headers": {"X-T": {"regex": "(?=a)a+"}}},
            'Field "match.headers.X-T.regex" uses what linear-time matching cannot run',
        ),
        ({"any_of": []}, 'Field "match.any_of" must be a non-empty array of match objects'),
        ({"headers": {"X-A": {"like": "a"}}}, 'Field "match.headers.X-A.like" is not a condition'),
    ],
    ids=["regex", "jsonpath", "lookahead", "any-of", "condition"],
)
def test_a_bad_match_is_refused_with_its_field(pets: Mockamocha, match: Any, message: str) -> None:
    with pytest.raises(RuleError) as raised:
        pets.when("GET /pets", match=match)
    assert str(raised.value).startswith(message)
