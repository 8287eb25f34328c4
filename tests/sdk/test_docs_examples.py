"""The examples of docs/sdk-python.md, run against a real server (the docs quote this file)."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SPECS  # type: ignore[import-not-found]

from pytest_mockamocha.sdk import REMOVE, AsyncClient, Client, NotFound, ValidationError


def quickstart(url: str, email: str, password: str, name: str) -> None:
    with Client(url, timeout=10.0) as mm:
        mm.login(email, password)
        coll = mm.collections.create(name, description="Mock of the pet store")
        mm.collections.import_spec(coll.id, SPECS / "petstore.yaml")

        for endpoint in mm.endpoints.iter(collection_id=coll.id, method="GET"):
            print(endpoint.method, endpoint.path, endpoint.name)

        get_pet = next(
            e for e in mm.endpoints.iter(collection_id=coll.id) if e.operation_id == "getPet"
        )
        mm.rules.create(
            get_pet.id,
            match={"path": {"petId": "42"}},
            response={"status": 200, "json": {"id": 42, "name": "Deep Thought"}},
        )
        pet = httpx.get(f"{coll.mock_url}/pets/42", timeout=5).json()
        assert pet == {"id": 42, "name": "Deep Thought"}

        stats = mm.analytics.requests(time_period="24h", collection_id=coll.id)
        print(stats.total_requests, [(t.path, t.requests_count) for t in stats.top_endpoints])

        mm.collections.delete(coll.id)


def api_keys(url: str, email: str, password: str) -> None:
    with Client(url) as mm:
        mm.login(email, password)
        made = mm.keys.create("ci")
        print("keep this secret:", made.key)  # shown this once

    with Client(url, api_key=made.key) as ci:
        print(ci.me().email)


def generated_data(mm: Client, endpoint_id: str) -> None:
    data = mm.generate_data(
        endpoint_id,
        count=50,
        seed=7,
        locale="de_DE",
        custom_fields={"tag": ["premium", "basic", "trial"]},
    )
    print(data.records_generated, data.records[0])
    assert mm.generations.get(data.generation_id).records == data.records


def sequences_and_scenarios(mm: Client, collection_id: str, endpoint_id: str) -> None:
    rule = mm.rules.create(
        endpoint_id,
        match={"path": {"petId": 7}},
        response={"status": 404, "headers": {"X-Why": "not yet"}, "times": 2},
        then=[{"json": {"id": 7, "name": "Rex"}}],
        scenario="checkout",
        next_state="paid",
    )
    print(rule.state, rule.warnings)  # started []

    pet_url = f"{mm.collections.get(collection_id).mock_url}/pets/7"
    assert httpx.get(pet_url, timeout=5).status_code == 404
    print(mm.collections.scenarios(collection_id))  # [Scenario(name='checkout', state='paid')]

    mm.collections.set_scenario(collection_id, "checkout", "started")  # fire once more
    assert httpx.get(pet_url, timeout=5).status_code == 404
    print(mm.rules.get(endpoint_id, rule.id).hits)  # 2

    mm.collections.reset(collection_id)  # scenarios, sequences and stateful data start over
    mm.rules.update(endpoint_id, rule.id, scenario=REMOVE, next_state=REMOVE)  # any state


def stateful_collection(mm: Client, collection_id: str) -> None:
    coll = mm.collections.update(collection_id, stateful=True, delay=(0.01, 0.05))
    created = httpx.post(f"{coll.mock_url}/pets", json={"name": "Rex"}, timeout=5).json()
    assert httpx.get(f"{coll.mock_url}/pets/{created['id']}", timeout=5).json() == created
    mm.collections.reset(collection_id)  # back to the seed data
    mm.collections.update(collection_id, stateful=False, delay=REMOVE)


def handling_errors(mm: Client) -> None:
    try:
        mm.collections.get("coll_does_not_exist")
    except NotFound as error:
        print(error.status, error.code, error.message, error.request_id)

    try:
        mm.collections.create("")
    except ValidationError as error:
        print(error.details)  # ['Field "name" must not be empty']


async def async_usage(url: str, email: str, password: str) -> None:
    async with AsyncClient(url) as mm:
        await mm.login(email, password)
        page = await mm.collections.list(page=1, per_page=20)
        print(page.total, [c.name for c in page.items])
        async for endpoint in mm.endpoints.iter(sort="-requests_count"):
            print(endpoint.operation, endpoint.requests_count)


def test_quickstart(server_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    quickstart(server_url, ADMIN_EMAIL, ADMIN_PASSWORD, f"Pet Store {uuid.uuid4().hex[:6]}")
    assert "GET /pets/{petId}" in capsys.readouterr().out


def test_api_keys(server_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    api_keys(server_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert ADMIN_EMAIL in capsys.readouterr().out


def test_generated_data_and_errors(client: Client, petstore: object) -> None:
    coll_id = petstore.id  # type: ignore[attr-defined]
    listing = next(
        e for e in client.endpoints.iter(collection_id=coll_id) if e.operation_id == "listPets"
    )
    generated_data(client, listing.id)
    handling_errors(client)


def test_sequences_scenarios_and_stateful(
    client: Client, petstore: object, capsys: pytest.CaptureFixture[str]
) -> None:
    coll_id = petstore.id  # type: ignore[attr-defined]
    get_pet = next(
        e for e in client.endpoints.iter(collection_id=coll_id) if e.operation_id == "getPet"
    )
    sequences_and_scenarios(client, coll_id, get_pet.id)
    out = capsys.readouterr().out.splitlines()
    assert out == ["started []", "[Scenario(name='checkout', state='paid')]", "2"]
    stateful_collection(client, coll_id)


def test_async_usage(server_url: str) -> None:
    asyncio.run(async_usage(server_url, ADMIN_EMAIL, ADMIN_PASSWORD))
