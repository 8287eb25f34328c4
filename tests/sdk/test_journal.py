"""``requests.list`` / ``requests.iter`` and ``coverage``, sync and async."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from pytest_mockamocha.sdk import (
    AsyncClient,
    Client,
    Collection,
    Coverage,
    NotFound,
    Page,
    RequestRecord,
)


def _traffic(coll: Collection) -> None:
    httpx.get(coll.mock_url + "/pets/1", timeout=5)
    httpx.get(coll.mock_url + "/pets/2", timeout=5)
    httpx.get(coll.mock_url + "/pets", params={"limit": "abc"}, timeout=5)


def test_requests_list_filters_and_iter(client: Client, petstore: Collection) -> None:
    _traffic(petstore)
    page = client.requests.list(collection_id=petstore.id)
    assert isinstance(page, Page)
    assert page.total == 3
    assert all(isinstance(r, RequestRecord) for r in page.items)
    newest = page.items[0]
    assert (newest.method, newest.path, newest.status) == ("GET", "/pets", 400)
    assert newest.violations
    assert newest.collection_id == petstore.id
    assert newest.timestamp.endswith("Z")
    pets = client.requests.list(collection_id=petstore.id, operation="GET /pets/{petId}")
    assert [r.path for r in pets.items] == ["/pets/2", "/pets/1"]
    assert client.requests.list(collection_id=petstore.id, status=400).total == 1
    walked = list(client.requests.iter(collection_id=petstore.id, per_page=1))
    assert [r.id for r in walked] == [r.id for r in page.items]


def test_coverage_of_one_collection(client: Client, petstore: Collection) -> None:
    _traffic(petstore)
    report = client.coverage(petstore.id)
    assert isinstance(report, Coverage)
    (coll,) = report.collections
    assert coll.slug == petstore.slug
    assert coll.requests == 3
    assert 0 < coll.operations.declared <= petstore.endpoints_count
    assert coll.operations.hit == 1  # the request that broke the contract does not cover
    assert coll.violations == 1
    assert "GET /pets/{petId}" in {o.name for o in coll.operation_list if o.hits}
    assert report.raw["schema"] == "mockamocha-report"
    (today,) = client.coverage(petstore.id, time_period="24h").collections
    assert today.requests == 3  # all made just now
    with pytest.raises(NotFound):
        client.coverage("coll_missing")


def test_async_requests_and_coverage(
    server_url: str, admin_token: str, petstore: Collection
) -> None:
    _traffic(petstore)

    async def main() -> None:
        async with AsyncClient(server_url, token=admin_token) as mm:
            page = await mm.requests.list(collection_id=petstore.id, per_page=2)
            assert (page.total, len(page.items), page.has_next) == (3, 2, True)
            walked = [r async for r in mm.requests.iter(collection_id=petstore.id, per_page=2)]
            assert len(walked) == 3
            report = await mm.coverage(petstore.id)
            assert report.collections[0].requests == 3

    asyncio.run(main())
