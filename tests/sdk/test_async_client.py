"""Every call of ``AsyncClient`` against a real `mockamocha serve`, run with ``asyncio.run``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import TypeVar

import httpx
import pytest
import yaml
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SPECS  # type: ignore[import-not-found]

from pytest_mockamocha.sdk import (
    AsyncClient,
    Endpoint,
    Generation,
    Import,
    NotFound,
    RequestAnalytics,
    Rule,
    TransportError,
    Unauthorized,
    ValidationError,
)

T = TypeVar("T")


async def _all(items: AsyncIterator[T]) -> list[T]:
    return [item async for item in items]


def test_login_me_health_and_keys(server_url: str) -> None:
    async def main() -> None:
        async with AsyncClient(server_url) as mm:
            assert (await mm.health())["status"] == "ok"
            token = await mm.login(ADMIN_EMAIL, ADMIN_PASSWORD)
            assert mm.token == token.access_token
            me = await mm.me()
            assert me.email == ADMIN_EMAIL
            made = await mm.keys.create("async")
            assert made.id in {k.id for k in (await mm.keys.list()).items}
            assert made.id in {k.id for k in await _all(mm.keys.iter(per_page=1))}
            async with AsyncClient(server_url, api_key=made.key) as by_key:
                assert (await by_key.me()).id == me.id
                await mm.keys.delete(made.id)
                with pytest.raises(Unauthorized):
                    await by_key.me()

    asyncio.run(main())


def test_collections_imports_endpoints_rules(server_url: str, admin_token: str) -> None:
    async def main() -> None:
        async with AsyncClient(server_url, token=admin_token) as mm:
            coll = await mm.collections.create(f"Async {uuid.uuid4().hex[:8]}", description="a")
            try:
                await _walk(mm, coll.id)
            finally:
                await mm.collections.delete(coll.id)
            with pytest.raises(NotFound):
                await mm.collections.get(coll.id)

    asyncio.run(main())


async def _walk(mm: AsyncClient, coll_id: str) -> None:
    assert coll_id in {c.id for c in await _all(mm.collections.iter(per_page=1))}
    assert (await mm.collections.list(per_page=1)).per_page == 1
    assert (await mm.collections.update(coll_id, description="b")).description == "b"
    document = yaml.safe_load((SPECS / "petstore.yaml").read_text())
    done = await mm.collections.import_spec(coll_id, document)
    assert isinstance(done, Import)
    assert await mm.imports.get(done.import_id) == done
    sent: list[int] = []
    again = await mm.collections.import_spec(
        coll_id, SPECS / "petstore.yaml", progress=lambda s, t: sent.append(s)
    )
    assert again.endpoints_updated == done.endpoints_created
    assert sent[-1] == (SPECS / "petstore.yaml").stat().st_size
    coll = await mm.collections.get(coll_id)
    endpoints = await _all(mm.endpoints.iter(collection_id=coll_id, per_page=3))
    assert len(endpoints) == coll.endpoints_count == done.endpoints_created
    gets = await mm.endpoints.list(collection_id=coll_id, method="GET", sort="path", q="pets")
    assert {e.method for e in gets.items} == {"GET"}
    (pet,) = [e for e in endpoints if e.operation_id == "getPet"]
    await _rules(mm, pet, coll.mock_url)
    await _data(mm, next(e for e in endpoints if e.operation_id == "listPets"))
    stats = await mm.analytics.requests("24h", collection_id=coll_id)
    assert isinstance(stats, RequestAnalytics)
    assert stats.total_requests == 1
    assert (await mm.endpoints.get(pet.id)).requests_count == 1
    assert (await mm.endpoints.update(pet.id, name="Pet")).name == "Pet"
    await mm.endpoints.delete(pet.id)
    with pytest.raises(NotFound):
        await mm.endpoints.get(pet.id)


async def _rules(mm: AsyncClient, pet: Endpoint, mock_url: str) -> None:
    rule = await mm.rules.create(pet.id, response={"status": 404, "json": {"gone": True}})
    assert isinstance(rule, Rule)
    async with httpx.AsyncClient(timeout=5) as http:
        answer = await http.get(mock_url + "/pets/3")
    assert (answer.status_code, answer.json()) == (404, {"gone": True})
    assert (await mm.rules.get(pet.id, rule.id)).hits == 1
    assert [r.id for r in (await mm.rules.list(pet.id)).items] == [rule.id]
    assert [r.id for r in await _all(mm.rules.iter(pet.id))] == [rule.id]
    assert (await mm.rules.update(pet.id, rule.id, priority=5)).priority == 5
    await mm.rules.delete(pet.id, rule.id)
    with pytest.raises(NotFound):
        await mm.rules.get(pet.id, rule.id)


async def _data(mm: AsyncClient, listing: Endpoint) -> None:
    made = await mm.generate_data(listing.id, count=4, seed=9, custom_fields={"tag": "fixed"})
    assert isinstance(made, Generation)
    assert [r["tag"] for r in made.records] == ["fixed"] * 4
    assert await mm.generations.get(made.generation_id) == made
    with pytest.raises(ValidationError) as caught:
        await mm.generate_data(listing.id, count=0)
    assert caught.value.status == 422


def test_async_connection_refused_is_a_transport_error(free_port: int) -> None:
    async def main() -> None:
        async with AsyncClient(f"http://127.0.0.1:{free_port}", timeout=2) as mm:
            with pytest.raises(TransportError):
                await mm.health()

    asyncio.run(main())


def test_a_background_import_is_awaited(server_url: str, admin_token: str) -> None:
    async def main() -> None:
        async with AsyncClient(server_url, token=admin_token) as mm:
            coll = await mm.collections.create(f"Async bg {uuid.uuid4().hex[:6]}")
            try:
                done = await mm.collections.import_spec(
                    coll.id, SPECS / "petstore.yaml", background=True
                )
                assert (done.status, done.endpoints_created) == ("completed", 8)
                started = await mm.collections.import_spec(
                    coll.id, SPECS / "petstore.yaml", background=True, wait=False
                )
                assert started.status == "processing"
            finally:
                await mm.collections.delete(coll.id)

    asyncio.run(main())
