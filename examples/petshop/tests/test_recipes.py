"""Recipes: one test per behaviour a rule can give the mock (see docs/rules.md).

Each recipe drives ``petshop_client`` the way a real outage, a slow network or a
stateful backend would, and checks what the client makes of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from petshop_client import (
    Pet,
    PetNotFound,
    PetShopClient,
    ServiceUnavailable,
    ValidationFailed,
)

from pytest_mockamocha import RuleError

RULES = Path(__file__).parents[1] / "rules"


# -- matching ---------------------------------------------------------------------------
def test_match_on_conditions(client, mockamocha):
    mockamocha.when(
        "listPets",
        match={
            "query": {"limit": {"lte": 2}, "status": {"one_of": ["sold", "pending"]}},
            "headers": {"X-API-Key": {"regex": "^test-"}},
        },
    ).respond(json=[])

    assert client.list_pets(limit=2, status="sold") == []
    assert client.list_pets(limit=50, status="sold") != []  # limit 50 misses the rule


def test_match_on_the_body(client, mockamocha):
    mockamocha.when(
        "createPet",
        match={
            "body": [{"jsonpath": "$.name", "regex": "^[A-Z]"}],
            "not": {"json_contains": {"tag": "cat"}},
        },
    ).respond(
        400, json={"title": "Dogs only", "status": 400}, content_type="application/problem+json"
    )

    with pytest.raises(ValidationFailed, match="Dogs only"):
        client.create_pet("Rex", tag="dog")
    assert client.create_pet("Tom", tag="cat").name  # a cat misses the rule


# -- templates ----------------------------------------------------------------------------
def test_answer_from_a_template(client, mockamocha):
    mockamocha.when("getPet").respond_template(
        json={
            "id": "{{ request.path.petId | int }}",
            "name": "{{ fake('first_name') }}",
            "status": "{{ 'sold' if request.path.petId | int > 100 else 'available' }}",
        }
    )

    assert client.get_pet(7).id == 7
    assert client.get_pet(101).status == "sold"


# -- sequences and scenarios -------------------------------------------------------------
def test_fail_first_then_recover(client, mockamocha):
    mockamocha.when("listPets").fail_first(1, retry_after=0)

    assert isinstance(client.list_pets(), list)  # the client retries a 503 once
    assert [r.status for r in mockamocha.requests("listPets")] == [503, 200]


def test_a_scenario_across_operations(client, mockamocha):
    tom = {"id": 1, "name": "Tom", "status": "available"}
    mockamocha.when("getPet", scenario="adoption").respond(json=tom)
    mockamocha.when("deletePet", scenario="adoption").respond(204).then_state("adopted")
    mockamocha.when("getPet", scenario="adoption", state="adopted").respond(404)

    assert client.get_pet(1).name == "Tom"
    client.delete_pet(1)
    with pytest.raises(PetNotFound):
        client.get_pet(1)
    assert mockamocha.scenario_state("adoption") == "adopted"


def test_rules_from_a_file(client, mockamocha):
    mockamocha.load_rules(RULES / "outage.yaml")

    with pytest.raises(ServiceUnavailable):  # two 503s: the client gives up
        client.list_pets()
    assert client.list_pets() == [Pet(id=1, name="Tom", status="available")]
    with pytest.raises(PetNotFound):
        client.get_pet(13)


# -- stateful CRUD ------------------------------------------------------------------------
def test_stateful_crud(client, mockamocha):
    mockamocha.stateful()

    pet = client.create_pet("Biscuit", tag="hamster")
    assert client.get_pet(pet.id) == pet
    client.delete_pet(pet.id)
    with pytest.raises(PetNotFound):
        client.get_pet(pet.id)


# -- slow and broken networks --------------------------------------------------------------
def test_a_slow_answer_times_the_client_out(mockamocha):
    impatient = PetShopClient(mockamocha.base_url, api_key="test-key", timeout=0.2)
    mockamocha.when("getPet").respond_example("cat").delay(1)

    with pytest.raises(requests.ReadTimeout):
        impatient.get_pet(1)


def test_a_reset_connection(client, mockamocha):
    mockamocha.when("getPet").fault("connection_reset")

    with pytest.raises(requests.ConnectionError):
        client.get_pet(1)


def test_a_malformed_body(client, mockamocha):
    mockamocha.when("getPet").fault("malformed_body")

    with pytest.raises(requests.JSONDecodeError):
        client.get_pet(1)


# -- a rejection is the test's intent --------------------------------------------------
def test_the_client_surfaces_the_mocks_rejection(client, mockamocha):
    with mockamocha.expect_rejection(status=400), pytest.raises(ValidationFailed) as refused:
        client.create_pet("")

    assert "name" in refused.value.problem["detail"]


# -- rules keep to the contract ----------------------------------------------------------
def test_an_off_contract_rule_is_refused_in_strict_mode(mockamocha):
    with pytest.raises(RuleError, match="is not of type 'integer'"):
        mockamocha.when("getPet").respond(json={"id": "one", "name": "Tom", "status": "sold"})
