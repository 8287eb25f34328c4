"""The rule model's calls of ``AsyncClient`` (sequences, scenarios, reset, stateful
collections, delays) against a real server, run with ``asyncio.run``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from conftest import SPECS  # type: ignore[import-not-found]

from pytest_mockamocha.sdk import (
    REMOVE,
    AsyncClient,
    Collection,
    Endpoint,
    NotFound,
    Scenario,
    ValidationError,
)

Body = Callable[[AsyncClient, Collection, Endpoint, httpx.AsyncClient], Awaitable[None]]


def run(server_url: str, admin_token: str, body: Body) -> None:
    """``body`` with a logged-in client, a fresh pet store (deleted afterwards), its
    ``getPet`` endpoint and an httpx client of the mock."""

    async def main() -> None:
        async with AsyncClient(server_url, token=admin_token) as mm:
            coll = await mm.collections.create(f"Async rules {uuid.uuid4().hex[:8]}")
            try:
                await mm.collections.import_spec(coll.id, SPECS / "petstore.yaml")
                coll = await mm.collections.get(coll.id)
                pages = await mm.endpoints.list(collection_id=coll.id, per_page=100)
                pet = next(e for e in pages.items if e.operation_id == "getPet")
                async with httpx.AsyncClient(base_url=coll.mock_url, timeout=5) as http:
                    await body(mm, coll, pet, http)
            finally:
                await mm.collections.delete(coll.id)

    asyncio.run(main())


def test_async_sequence_scenarios_set_scenario_and_reset(server_url: str, admin_token: str) -> None:
    async def body(
        mm: AsyncClient, coll: Collection, pet: Endpoint, http: httpx.AsyncClient
    ) -> None:
        rule = await mm.rules.create(
            pet.id,
            match={"path": {"petId": 3}},
            response={"status": 404, "times": 1},
            then=[{"json": {"id": 3, "name": "Tom"}}],
            scenario="visit",
            next_state="done",
        )
        assert (rule.then, rule.state, rule.hits) == (
            [{"json": {"id": 3, "name": "Tom"}}],
            "started",
            0,
        )
        assert await mm.collections.scenarios(coll.id) == [Scenario("visit", "started")]
        assert (await http.get("/pets/3")).status_code == 404
        assert await mm.collections.scenarios(coll.id) == [Scenario("visit", "done")]
        assert (await mm.rules.get(pet.id, rule.id)).hits == 1
        moved = await mm.collections.set_scenario(coll.id, "visit", "started")
        assert moved == [Scenario("visit", "started")]
        second = await http.get("/pets/3")
        assert (second.status_code, second.json()) == (200, {"id": 3, "name": "Tom"})
        assert await mm.collections.reset(coll.id) == [Scenario("visit", "started")]
        assert (await http.get("/pets/3")).status_code == 404
        with pytest.raises(ValidationError) as caught:  # next_state would have no scenario
            await mm.rules.update(pet.id, rule.id, scenario=REMOVE)
        assert any('"next_state"' in d for d in caught.value.details)
        gone = await mm.rules.update(
            pet.id, rule.id, then=REMOVE, scenario=REMOVE, next_state=REMOVE
        )
        assert (gone.then, gone.scenario, gone.state) == ([], None, None)
        await mm.collections.set_scenario(coll.id, "visit", "elsewhere")
        await mm.collections.reset(coll.id)  # its one step (times 1) was used up
        assert (await http.get("/pets/3")).status_code == 404  # no scenario: fires anyway

    run(server_url, admin_token, body)


def test_async_stateful_collection_and_delay(server_url: str, admin_token: str) -> None:
    async def body(
        mm: AsyncClient, coll: Collection, pet: Endpoint, http: httpx.AsyncClient
    ) -> None:
        changed = await mm.collections.update(coll.id, stateful=True, delay=[0.0, 0.01])
        assert (changed.stateful, changed.delay) == (True, [0.0, 0.01])
        seeded = (await http.get("/pets")).json()
        made = await http.post("/pets", json={"name": "Rex"})
        assert made.status_code == 201
        pet_id = made.json()["id"]
        assert (await http.get(f"/pets/{pet_id}")).json()["name"] == "Rex"
        assert (await http.delete(f"/pets/{pet_id}")).status_code == 204
        assert (await http.get(f"/pets/{pet_id}")).status_code == 404
        await http.post("/pets", json={"name": "Max"})
        assert await mm.collections.reset(coll.id) == []
        assert (await http.get("/pets")).json() == seeded
        plain = await mm.collections.update(coll.id, stateful=False, delay=REMOVE)
        assert (plain.stateful, plain.delay) == (False, None)

    run(server_url, admin_token, body)


def test_async_errors(server_url: str, admin_token: str) -> None:
    async def body(
        mm: AsyncClient, coll: Collection, pet: Endpoint, http: httpx.AsyncClient
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            await mm.rules.create(pet.id, response={"status": 200}, then=[{"fault": "explode"}])
        assert any('"then[0].fault"' in d for d in caught.value.details)
        with pytest.raises(ValidationError):
            await mm.collections.update(coll.id, delay=[3, 1])
        for call in (
            mm.collections.scenarios("coll_missing"),
            mm.collections.set_scenario("coll_missing", "a", "b"),
            mm.collections.reset("coll_missing"),
            mm.collections.update("coll_missing", stateful=True),
        ):
            with pytest.raises(NotFound):
                await call

    run(server_url, admin_token, body)
