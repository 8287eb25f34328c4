"""Tests of ``petshop_client`` against a live, contract-checked mock of ``openapi.yaml``.

Strict mode is on (the default): a request the client sends that matches no operation of
the document, or breaks it (a wrong type, a missing API key, an unknown body field),
fails the test that sent it. Every test here sends only valid requests.
"""

from __future__ import annotations

import pytest
import requests
from petshop_client import (
    Pet,
    PetNotFound,
    PetShopClient,
    ServiceUnavailable,
    ValidationFailed,
)


# -- answers built from the document ----------------------------------------------------
def test_list_pets_returns_generated_pets(client, mockamocha):
    # listPets declares no example, so the mock generates pets from the schema.
    pets = client.list_pets()

    assert pets
    assert all(isinstance(pet, Pet) for pet in pets)
    assert all(pet.id >= 1 and pet.status in {"available", "pending", "sold"} for pet in pets)
    (call,) = mockamocha.requests("listPets")
    assert call.status == 200
    assert call.source == "generated"


@pytest.mark.mockamocha(seed=7)
def test_generated_data_is_reproducible(client):
    # Same seed, same request: same data, run after run.
    assert client.list_pets(limit=3) == client.list_pets(limit=3)


def test_get_pet_serves_the_first_example(client, mockamocha):
    # getPet declares the examples "cat" and "dog"; without a rule the first one answers.
    pet = client.get_pet(1)

    assert pet == Pet(id=1, name="Tom", status="available", tag="cat")
    mockamocha.assert_called("GET /pets/{petId}", times=1, path="/pets/1", status=200)


def test_prefer_header_picks_an_example(mockamocha):
    # A client (or a test) may ask for an example with a Prefer header, as with Prism.
    session = requests.Session()
    session.headers["Prefer"] = "example=dog"
    client = PetShopClient(mockamocha.base_url, api_key="test-key", session=session)

    assert client.get_pet(5).name == "Rex"
    assert mockamocha.requests("getPet")[0].source == "prefer"


# -- answers shaped by the test ---------------------------------------------------------
def test_get_pet_raises_not_found(client, mockamocha):
    mockamocha.when("GET /pets/{petId}", path={"petId": 7}).respond(status=404)

    with pytest.raises(PetNotFound) as caught:
        client.get_pet(7)

    # The 404 body is the document's example for that response.
    assert caught.value.problem["title"] == "Pet not found"
    assert client.get_pet(8).id == 1  # the rule matches petId 7 only


def test_named_example_for_one_pet(client, mockamocha):
    mockamocha.when("getPet", path={"petId": 2}).respond_example("dog")

    assert client.get_pet(2) == Pet(id=2, name="Rex", status="sold", tag="dog")


def test_create_pet_sends_the_new_pet(client, mockamocha):
    rule = mockamocha.when("createPet", json={"name": "Biscuit", "tag": "hamster"})
    rule.respond_generated(name="Biscuit", tag="hamster")

    pet = client.create_pet("Biscuit", tag="hamster")

    assert (pet.name, pet.tag) == ("Biscuit", "hamster")
    assert rule.hits == 1
    mockamocha.assert_called("POST /pets", times=1, status=201)


def test_create_pet_raises_validation_failed(client, mockamocha):
    problem = {
        "type": "https://petshop.example.com/problems/duplicate",
        "title": "Duplicate",
        "status": 400,
        "detail": "a pet called Tom already exists",
    }
    mockamocha.when("createPet", json_contains={"name": "Tom"}).respond(
        status=400, json=problem, content_type="application/problem+json"
    )

    with pytest.raises(ValidationFailed) as caught:
        client.create_pet("Tom")

    assert caught.value.status == 400
    assert caught.value.problem["detail"] == "a pet called Tom already exists"


def test_delete_pet(client, mockamocha):
    client.delete_pet(3)

    mockamocha.assert_called("deletePet", times=1, path="/pets/3", status=204)
    mockamocha.assert_not_called("getPet")


# -- retries ----------------------------------------------------------------------------
def test_list_pets_retries_once_on_503(client, mockamocha):
    rex = {"id": 2, "name": "Rex", "status": "sold", "tag": "dog"}
    mockamocha.when("GET /pets").respond(status=503).times(1).then(json=[rex])

    assert client.list_pets() == [Pet(**rex)]
    assert [r.status for r in mockamocha.requests("listPets")] == [503, 200]


def test_gives_up_after_a_second_503(client, mockamocha):
    mockamocha.when("listPets").respond(status=503)

    with pytest.raises(ServiceUnavailable):
        client.list_pets()

    mockamocha.assert_called("listPets", times=2, status=503)
