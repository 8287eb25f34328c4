"""Every call of the blocking ``Client`` against a real `mockamocha serve`."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
import yaml
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SPECS  # type: ignore[import-not-found]

from pytest_mockamocha.sdk import (
    ApiKey,
    Client,
    Collection,
    Endpoint,
    Generation,
    Import,
    Me,
    NewApiKey,
    NotFound,
    Page,
    RequestAnalytics,
    Rule,
    Token,
    Unauthorized,
    ValidationError,
)


def test_login_stores_the_token_and_me_answers(server_url: str) -> None:
    with Client(server_url) as mm:
        assert mm.token is None
        token = mm.login(ADMIN_EMAIL.upper(), ADMIN_PASSWORD)
        assert isinstance(token, Token)
        assert token.token_type == "bearer"
        assert token.expires_in == 3600
        assert token.user.email == ADMIN_EMAIL
        assert mm.token == token.access_token
        me = mm.me()
    assert isinstance(me, Me)
    assert me.is_admin is True
    assert me.id == token.user.id
    assert me.created_at.endswith("Z")


def test_health_needs_no_token(server_url: str) -> None:
    with Client(server_url + "/") as mm:
        assert mm.health()["status"] == "ok"


def test_keys_create_list_use_delete(client: Client, server_url: str) -> None:
    made = client.keys.create("ci")
    assert isinstance(made, NewApiKey)
    assert made.key.startswith("mm_")
    assert made.prefix == made.key[:8]
    listed = client.keys.list()
    assert isinstance(listed, Page)
    assert made.id in {k.id for k in listed.items}
    assert all(isinstance(k, ApiKey) for k in client.keys.iter(per_page=1))
    with Client(server_url, api_key=made.key) as by_key:
        assert by_key.me().email == ADMIN_EMAIL
        client.keys.delete(made.id)
        with pytest.raises(Unauthorized):
            by_key.me()


def test_collections_crud_and_pages(client: Client) -> None:
    names = [f"Coll {uuid.uuid4().hex[:8]}" for _ in range(3)]
    made = [client.collections.create(name, description="d") for name in names]
    try:
        assert all(isinstance(c, Collection) and c.id.startswith("coll_") for c in made)
        first = client.collections.list(page=1, per_page=2)
        assert (first.page, first.per_page, len(first.items)) == (1, 2, 2)
        assert first.total >= 3
        assert first.has_next
        walked = [c.id for c in client.collections.iter(per_page=2)]
        assert len(walked) == first.total == len(set(walked))
        assert {c.id for c in made} <= set(walked)
        got = client.collections.get(made[0].id)
        assert got == made[0]
        changed = client.collections.update(made[0].id, description="v2")
        assert changed.description == "v2"
        assert changed.name == names[0]
        renamed = client.collections.update(made[0].id, name="Renamed " + names[0])
        assert renamed.description == "v2"
    finally:
        for coll in made:
            client.collections.delete(coll.id)
    with pytest.raises(NotFound):
        client.collections.get(made[0].id)


def test_create_with_slug(client: Client) -> None:
    slug = f"s-{uuid.uuid4().hex[:8]}"
    coll = client.collections.create("Slugged", slug=slug)
    try:
        assert coll.slug == slug
        assert coll.mock_url.endswith(f"/mocks/{slug}")
    finally:
        client.collections.delete(coll.id)


@pytest.mark.parametrize("form", ["yaml-path", "json-path", "str-path", "document"])
def test_import_spec_forms(client: Client, tmp_path: object, form: str) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    source = SPECS / "petstore.yaml"
    document = yaml.safe_load(source.read_text())
    as_json = tmp_path / "petstore.json"
    as_json.write_text(json.dumps(document))
    what: object = {
        "yaml-path": source,
        "json-path": as_json,
        "str-path": str(source),
        "document": document,
    }[form]
    coll = client.collections.create(f"Import {form} {uuid.uuid4().hex[:6]}")
    try:
        done = client.collections.import_spec(coll.id, what)  # type: ignore[arg-type]
        assert isinstance(done, Import)
        assert done.status == "completed"
        assert done.collection_id == coll.id
        assert done.endpoints_created == client.collections.get(coll.id).endpoints_count > 0
        assert client.imports.get(done.import_id) == done
        again = client.collections.import_spec(coll.id, source)
        assert again.endpoints_created == 0
        assert again.endpoints_updated == done.endpoints_created
    finally:
        client.collections.delete(coll.id)


def test_import_reports_progress(client: Client) -> None:
    seen: list[tuple[int, int]] = []
    coll = client.collections.create(f"Progress {uuid.uuid4().hex[:6]}")
    try:
        source = SPECS / "petstore.yaml"
        client.collections.import_spec(coll.id, source, progress=lambda s, t: seen.append((s, t)))
    finally:
        client.collections.delete(coll.id)
    size = source.stat().st_size
    assert seen[-1] == (size, size)
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)


def test_endpoints_filters_get_update_delete(client: Client, petstore: Collection) -> None:
    page = client.endpoints.list(collection_id=petstore.id, per_page=100)
    assert page.total == petstore.endpoints_count
    assert all(isinstance(e, Endpoint) and e.collection_id == petstore.id for e in page.items)
    gets = client.endpoints.list(collection_id=petstore.id, method="GET")
    assert gets.items
    assert {e.method for e in gets.items} == {"GET"}
    by_path = client.endpoints.list(collection_id=petstore.id, path="/pets/{petId}")
    assert {e.path for e in by_path.items} == {"/pets/{petId}"}
    found = client.endpoints.list(collection_id=petstore.id, q="inventory")
    assert [e.operation_id for e in found.items] == ["getInventory"]
    paths = [e.path for e in client.endpoints.list(collection_id=petstore.id, sort="-path").items]
    assert paths == sorted(paths, reverse=True)
    walked = list(client.endpoints.iter(collection_id=petstore.id, per_page=2))
    assert [e.id for e in walked] == [e.id for e in page.items]
    one = gets.items[0]
    assert client.endpoints.get(one.id) == one
    assert client.endpoints.update(one.id, name="Renamed", description="x").name == "Renamed"
    client.endpoints.delete(one.id)
    with pytest.raises(NotFound):
        client.endpoints.get(one.id)


def _op(client: Client, coll: Collection, operation_id: str) -> Endpoint:
    (endpoint,) = [
        e for e in client.endpoints.iter(collection_id=coll.id) if e.operation_id == operation_id
    ]
    return endpoint


def _get_pet(client: Client, coll: Collection) -> Endpoint:
    return _op(client, coll, "getPet")


def test_rules_crud_live_in_the_mock(client: Client, petstore: Collection) -> None:
    endpoint = _get_pet(client, petstore)
    rule = client.rules.create(
        endpoint.id,
        match={"path": {"petId": "7"}},
        response={"status": 200, "json": {"id": 7, "name": "Seven"}},
        priority=2,
        name="seven",
    )
    assert isinstance(rule, Rule)
    assert (rule.priority, rule.enabled, rule.name, rule.hits) == (2, True, "seven", 0)
    answer = httpx.get(petstore.mock_url + "/pets/7", timeout=5)
    assert answer.json() == {"id": 7, "name": "Seven"}
    assert client.rules.get(endpoint.id, rule.id).hits == 1
    listed = client.rules.list(endpoint.id)
    assert [r.id for r in listed.items] == [rule.id]
    assert [r.id for r in client.rules.iter(endpoint.id, per_page=1)] == [rule.id]
    off = client.rules.update(endpoint.id, rule.id, enabled=False)
    assert off.enabled is False
    assert off.response == rule.response
    assert httpx.get(petstore.mock_url + "/pets/7", timeout=5).json() != {"id": 7, "name": "Seven"}
    client.rules.delete(endpoint.id, rule.id)
    assert client.rules.list(endpoint.id).total == 0


def test_generate_data_and_generations(client: Client, petstore: Collection) -> None:
    listing = _op(client, petstore, "listPets")
    made = client.generate_data(
        listing.id, count=12, seed=3, locale="de_DE", custom_fields={"tag": ["a", "b"]}
    )
    assert isinstance(made, Generation)
    assert (made.records_generated, made.seed, made.locale) == (12, 3, "de_DE")
    assert len(made.records) == 12
    assert made.data_preview == made.records[:10]
    assert {r["tag"] for r in made.records} <= {"a", "b"}
    assert client.generations.get(made.generation_id) == made
    again = client.generate_data(
        listing.id, count=12, seed=3, locale="de_DE", custom_fields={"tag": ["a", "b"]}
    )
    assert again.records == made.records
    single = client.generate_data(_get_pet(client, petstore).id, count=1, status_code=200)
    assert single.records_generated == 1


def test_analytics_counts_mock_traffic(client: Client, petstore: Collection) -> None:
    for _ in range(3):
        httpx.get(petstore.mock_url + "/pets/1", timeout=5)
    stats = client.analytics.requests(time_period="7d", collection_id=petstore.id)
    assert isinstance(stats, RequestAnalytics)
    assert stats.time_period == "7d"
    assert stats.total_requests == 3
    assert stats.unique_endpoints == 1
    assert sum(d.count for d in stats.requests_by_day) == 3
    (top,) = stats.top_endpoints
    assert (top.method, top.path, top.requests_count) == ("GET", "/pets/{petId}", 3)
    assert top.endpoint_id == _get_pet(client, petstore).id
    assert client.endpoints.get(top.endpoint_id).requests_count == 3
    assert client.analytics.requests().time_period == "30d"


# -- imports that finish in the background ------------------------------------------------------
def test_a_background_import_is_waited_for(client: Client) -> None:
    coll = client.collections.create(f"Background {uuid.uuid4().hex[:6]}")
    try:
        done = client.collections.import_spec(coll.id, SPECS / "petstore.yaml", background=True)
        assert (done.status, done.stage, done.endpoints_created) == ("completed", "completed", 8)
        assert done.finished_at is not None
    finally:
        client.collections.delete(coll.id)


def test_wait_false_returns_the_processing_import(client: Client) -> None:
    coll = client.collections.create(f"No wait {uuid.uuid4().hex[:6]}")
    try:
        started = client.collections.import_spec(
            coll.id, SPECS / "petstore.yaml", background=True, wait=False
        )
        assert started.status == "processing"
        assert started.finished_at is None
        found = started
        for _ in range(300):
            found = client.imports.get(started.import_id)
            if found.status != "processing":
                break
            time.sleep(0.05)
        assert found.status == "completed"
    finally:
        client.collections.delete(coll.id)


def test_a_failed_background_import_raises_as_a_refused_one(client: Client) -> None:
    coll = client.collections.create(f"Refused {uuid.uuid4().hex[:6]}")
    try:
        with pytest.raises(ValidationError) as caught:
            client.collections.import_spec(
                coll.id, {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}},
                background=True,
            )
        assert caught.value.message.startswith("Import failed:")
        assert any("paths" in d for d in caught.value.details)
    finally:
        client.collections.delete(coll.id)
