"""The reference's flow through a real client: login, collections, import, endpoints, rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import yaml
from conftest import ADMIN, SPECS, Api, pet_store  # type: ignore[import-not-found]

from pytest_mockamocha.api.routes import endpoints as endpoints_routes
from pytest_mockamocha.server import MockServer


def test_login_answers_as_the_reference(anon: Api) -> None:
    response = anon.call("POST", "/api/auth/login", json=ADMIN)
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["request_id"] == response.headers["X-Request-Id"]
    assert body["meta"]["request_id"].startswith("req_")
    assert body["meta"]["timestamp"].endswith("Z")
    data = body["data"]
    assert data["token_type"] == "bearer"
    assert data["expires_in"] == 3600
    assert set(data["user"]) == {"id", "email", "name"}
    assert data["user"]["id"].startswith("user_")
    assert "password" not in response.text
    assert ADMIN["password"] not in response.text


def test_answers_carry_their_length_and_head_gets_the_headers_alone(
    admin: Api, petstore: dict[str, Any]
) -> None:
    got = admin.call("GET", "/api/auth/me")
    assert got.headers["Content-Type"] == "application/json"
    assert int(got.headers["Content-Length"]) == len(got.content) > 0
    assert got.json()["meta"]["request_id"] == got.headers["X-Request-Id"]
    head = admin.call("HEAD", "/api/auth/me")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == "application/json"
    assert head.headers["X-Request-Id"].startswith("req_")
    imported = admin.call(
        "POST",
        f"/api/collections/{petstore['id']}/import",
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert imported.status_code == 201
    assert imported.headers["Location"] == f"/api/imports/{imported.json()['data']['import_id']}"
    gone = admin.call("DELETE", f"/api/collections/{petstore['id']}")
    assert gone.status_code == 204
    assert gone.content == b""
    assert "Content-Length" not in gone.headers
    assert gone.headers["X-Request-Id"].startswith("req_")
    assert admin.call("GET", f"/api/collections/{petstore['id']}").status_code == 404


def test_me_and_email_is_case_insensitive(anon: Api) -> None:
    api = anon.login(ADMIN["email"].upper(), ADMIN["password"])
    me = api.data("GET", "/api/auth/me")
    assert me["email"] == ADMIN["email"]
    assert me["is_admin"] is True
    assert "password_hash" not in me


def test_collections_list_as_the_reference(admin: Api, petstore: dict[str, Any]) -> None:
    listed = admin.data("GET", "/api/collections")
    assert listed["total"] == 1
    assert listed["page"] == 1
    assert listed["per_page"] == 20
    (coll,) = listed["collections"]
    assert coll["id"].startswith("coll_")
    assert coll["name"] == "Pet Store"
    assert coll["slug"] == "pet-store"
    assert coll["endpoints_count"] == petstore["endpoints_count"] > 0
    assert coll["mock_url"].endswith("/mocks/pet-store")
    assert coll["created_at"].endswith("Z")
    assert coll["updated_at"].endswith("Z")


def test_import_mounts_the_mock_at_once(admin: Api, petstore: dict[str, Any]) -> None:
    response = requests.get(petstore["mock_url"] + "/pets/1", timeout=5)
    assert response.status_code == 200
    assert "name" in response.json()


def test_import_forms_and_reimport_keeps_rules(admin: Api, server: MockServer) -> None:
    coll = admin.data("POST", "/api/collections", 201, json={"name": "shop"})
    path = f"/api/collections/{coll['id']}/import"
    text = (SPECS / "petstore.yaml").read_text()
    first = admin.data("POST", path, 201, json={"spec": text})
    assert first["status"] == "completed"
    assert first["import_id"].startswith("imp_")
    assert first["collection_id"] == coll["id"]
    assert first["endpoints_created"] > 0
    assert first["endpoints_updated"] == first["endpoints_removed"] == 0
    assert admin.data("GET", f"/api/imports/{first['import_id']}")["status"] == "completed"
    query = {"collection_id": coll["id"], "per_page": 100}
    eps = admin.data("GET", "/api/endpoints", params=query)["endpoints"]
    target = next(e for e in eps if e["path"] == "/pets/{petId}" and e["method"] == "GET")
    admin.data(
        "POST",
        f"/api/endpoints/{target['id']}/rules",
        201,
        json={"response": {"status": 404, "json": {"gone": True}}},
    )
    files = {"file": ("petstore.yaml", text.encode(), "application/yaml")}
    again = admin.data("POST", path, 201, files=files)
    assert again["endpoints_created"] == 0
    assert again["endpoints_updated"] == first["endpoints_created"]
    kept = admin.data("GET", f"/api/endpoints/{target['id']}")
    assert kept["response_rules_count"] == 1
    response = requests.get(server.url + "/mocks/shop/pets/7", timeout=5)
    assert response.status_code == 404
    assert response.json() == {"gone": True}
    doc = json.loads(json.dumps(yaml.safe_load(text)))
    del doc["paths"]["/pets/{petId}"]
    third = admin.data("POST", path, 201, json=doc)
    assert third["endpoints_removed"] >= 1
    assert admin.call("GET", f"/api/endpoints/{target['id']}").status_code == 404


def test_a_failed_import_leaves_the_collection_as_it_was(
    admin: Api, petstore: dict[str, Any]
) -> None:
    path = f"/api/collections/{petstore['id']}/import"
    response = admin.call("POST", path, json={"spec": "openapi: 3.0.3\ninfo: {}\n"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]
    same = admin.data("GET", f"/api/collections/{petstore['id']}")
    assert same["endpoints_count"] == petstore["endpoints_count"]
    assert requests.get(petstore["mock_url"] + "/pets/1", timeout=5).status_code == 200


def test_rules_crud_and_the_mock_honours_them(admin: Api, petstore: dict[str, Any]) -> None:
    eps = admin.data(
        "GET", "/api/endpoints", params={"path": "/pets", "method": "get", "sort": "path"}
    )["endpoints"]
    listing = next(e for e in eps if e["path"] == "/pets")
    base = f"/api/endpoints/{listing['id']}/rules"
    rule = admin.data(
        "POST",
        base,
        201,
        json={
            "match": {"query": {"status": "sold"}},
            "response": {"status": 200, "json": [], "headers": {"X-Total-Count": "0"}},
            "priority": 5,
        },
    )
    assert rule["id"].startswith("rule_")
    url = petstore["mock_url"] + "/pets"
    sold = requests.get(url, params={"status": "sold"}, timeout=5)
    assert sold.json() == []
    assert sold.headers["X-Total-Count"] == "0"
    assert requests.get(url, timeout=5).json() != []
    assert admin.data("GET", f"{base}/{rule['id']}")["hits"] == 1
    admin.data("PATCH", f"{base}/{rule['id']}", json={"enabled": False})
    assert requests.get(url, params={"status": "sold"}, timeout=5).json() != []
    assert admin.data("GET", base)["total"] == 1
    assert admin.call("DELETE", f"{base}/{rule['id']}").status_code == 204
    assert admin.data("GET", base)["total"] == 0


def test_endpoints_count_real_traffic(admin: Api, petstore: dict[str, Any]) -> None:
    def pets_endpoint() -> dict[str, Any]:
        eps = admin.data("GET", "/api/endpoints", params={"q": "list pets"})["endpoints"]
        return dict(next(e for e in eps if e["path"] == "/pets" and e["method"] == "GET"))

    before = pets_endpoint()
    assert before["requests_count"] == 0
    assert before["last_request_at"] is None
    for _ in range(3):
        requests.get(petstore["mock_url"] + "/pets", timeout=5)
    after = pets_endpoint()
    assert after["requests_count"] == 3
    assert after["last_request_at"].endswith("Z")
    assert after["name"] == "List pets"


def test_each_view_counts_its_own_collections_traffic(admin: Api, petstore: dict[str, Any]) -> None:
    """A view reads the counters of the collections it shows (not a copy of every
    collection's): each still shows its own traffic, and a new collection none."""
    other = pet_store(admin, "Other Store")
    for _ in range(2):
        requests.get(petstore["mock_url"] + "/pets", timeout=5)
    requests.get(other["mock_url"] + "/pets", timeout=5)
    fresh = admin.data("POST", "/api/collections", 201, json={"name": "Pet Store"})
    assert fresh["requests_count"] == 0
    assert fresh["slug"] != petstore["slug"]
    shown = {c["id"]: admin.data("GET", f"/api/collections/{c['id']}") for c in (petstore, other)}
    assert [shown[c["id"]]["requests_count"] for c in (petstore, other)] == [2, 1]
    listed = admin.data("GET", "/api/collections")["collections"]
    assert {c["id"]: c["requests_count"] for c in listed} == {
        petstore["id"]: 2,
        other["id"]: 1,
        fresh["id"]: 0,
    }
    patched = admin.data("PATCH", f"/api/collections/{other['id']}", json={"description": "x"})
    assert patched["requests_count"] == 1
    eps = admin.data("GET", "/api/endpoints", params={"per_page": 100})["endpoints"]
    pets = {e["collection_id"]: e for e in eps if (e["method"], e["path"]) == ("GET", "/pets")}
    assert {k: e["requests_count"] for k, e in pets.items()} == {petstore["id"]: 2, other["id"]: 1}
    one = admin.data("GET", f"/api/endpoints/{pets[other['id']]['id']}")
    assert one["requests_count"] == 1
    renamed = admin.data("PATCH", f"/api/endpoints/{one['id']}", json={"name": "Renamed"})
    assert renamed["requests_count"] == 1


def test_json_bodies_nest_200_levels_and_no_more(admin: Api) -> None:
    """A body of at most 200 brackets is not walked for its depth (it cannot nest deeper);
    one that opens more still is, and past 200 levels it is refused, saying where."""

    def create(levels: int) -> Any:
        inner = "[" * levels + "]" * levels
        body = f'{{"name": "deep {levels}", "description": {inner}}}'
        return admin.call("POST", "/api/collections", data=body, headers=_JSON)

    fits = create(199)  # the object and 199 arrays: 200 levels, 200 brackets
    assert fits.status_code == 422, fits.text  # nesting is fine; a list is no description
    refused = create(200)
    assert refused.status_code == 400, refused.text
    assert "nested more than 200 levels" in refused.json()["error"]["message"]
    assert refused.json()["error"]["details"][0].startswith("at /description/0/0/0/")
    many = '{"name": "brackets", "description": "' + "[{" * 150 + '"}'
    flat = admin.call("POST", "/api/collections", data=many, headers=_JSON)
    assert flat.status_code == 201, flat.text  # 300 brackets in a string: walked, 1 level
    assert flat.json()["data"]["description"] == "[{" * 150


_JSON = {"Content-Type": "application/json"}


def test_mock_urls_follow_each_requests_host(admin: Api, petstore: dict[str, Any]) -> None:
    """The host URL is built once per Host (and kept for at most 64): each answer still
    names the host its request was sent to, whatever came before it."""
    path = f"/api/collections/{petstore['id']}"
    own = admin.base.removeprefix("http://")
    hosts = [f"h{n}.example:{8000 + n}" for n in range(70)] + ["h1.example:8001", own]
    for host in hosts:
        shown = admin.data("GET", path, headers={"Host": host})
        assert shown["mock_url"] == f"http://{host}/mocks/{petstore['slug']}"
    made = admin.data("POST", "/api/collections", 201, json={"name": "x"}, headers={"Host": "a.b"})
    assert made["mock_url"] == f"http://a.b/mocks/{made['slug']}"
    assert petstore["mock_url"] == f"{admin.base}/mocks/{petstore['slug']}"


def test_only_the_spec_route_reads_the_stored_document(
    admin: Api, petstore: dict[str, Any]
) -> None:
    path = f"/api/collections/{petstore['id']}"
    stored = admin.data("GET", f"{path}/spec")
    assert stored["spec"]["info"]["title"] == "Swagger-style Pet Store"
    assert "/pets" in stored["spec"]["paths"]
    assert "spec" not in admin.data("GET", path)
    assert admin.data("PATCH", path, json={"name": "Renamed"})["name"] == "Renamed"
    assert admin.data("GET", f"{path}/spec") == stored  # a patch keeps the document


def test_a_new_collection_takes_its_names_slug_or_the_first_free_suffix(admin: Api) -> None:
    """The name's own slug when free (whatever other slugs start with it), else -2, -3...;
    a slug asked for explicitly must be free."""

    def slug_of(name: str, **more: str) -> str:
        body = {"name": name} | more
        return str(admin.data("POST", "/api/collections", 201, json=body)["slug"])

    assert [slug_of(n) for n in ("API Gateway", "api users", "API-3")] == [
        "api-gateway",
        "api-users",
        "api-3",
    ]
    assert [slug_of("API") for _ in range(4)] == ["api", "api-2", "api-4", "api-5"]
    assert slug_of("whatever", slug="API 6") == "api-6"
    taken = admin.call("POST", "/api/collections", json={"name": "x", "slug": "api-users"})
    assert taken.status_code == 409, taken.text


def test_endpoint_filters_sort_and_pages(admin: Api, petstore: dict[str, Any]) -> None:
    all_eps = admin.data("GET", "/api/endpoints", params={"per_page": 100})
    total = all_eps["total"]
    assert total == petstore["endpoints_count"]
    page = admin.data("GET", "/api/endpoints", params={"per_page": 2, "page": 2, "sort": "-path"})
    assert len(page["endpoints"]) == min(2, max(0, total - 2))
    paths = [e["path"] for e in all_eps["endpoints"]]
    assert paths == sorted(paths)
    posts = admin.data("GET", "/api/endpoints", params={"method": "POST"})["endpoints"]
    assert posts
    assert all(e["method"] == "POST" for e in posts)
    bad = admin.call("GET", "/api/endpoints", params={"per_page": 101})
    assert bad.status_code == 422


def test_every_endpoint_sort_reversed_is_the_exact_reverse(
    admin: Api, petstore: dict[str, Any]
) -> None:
    """Ties go by method (by path when sorting by method), then by creation; each
    descending sort lists the ascending one backwards, page after page."""
    second = pet_store(admin, "Pet store twin")

    def listed(sort: str) -> list[dict[str, Any]]:
        pages = [
            admin.data("GET", "/api/endpoints", params={"sort": sort, "per_page": 3, "page": n})
            for n in range(1, 10)
        ]
        return [e for page in pages for e in page["endpoints"]]

    for field in ("path", "method", "name", "created_at", "requests_count"):
        up, down = listed(field), listed(f"-{field}")
        assert len(up) == 2 * petstore["endpoints_count"]
        assert [e["id"] for e in down] == [e["id"] for e in reversed(up)], field
    by_method = [(e["method"], e["path"]) for e in listed("method")]
    assert by_method == sorted(by_method)
    first_twin = [e["collection_id"] for e in listed("path")][:2]
    assert first_twin == [petstore["id"], second["id"]]  # the same path and method: created first


def test_a_traffic_sorted_page_is_the_page_of_every_endpoint_sorted(
    admin: Api, petstore: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sorted by traffic, a page reads the endpoints with traffic and an indexed page of
    the others; it is the same page as sorting every endpoint, at any page size, with
    filters, both ways."""
    twin = pet_store(admin, "Pet store twin")
    sent = [(petstore, "/pets")] * 3 + [(twin, "/pets"), (petstore, "/pets/1")]
    sent += [(twin, "/pets/mine")] * 2
    for coll, path in sent:
        requests.get(coll["mock_url"] + path, timeout=5)

    def listed(params: dict[str, Any], per_page: int) -> list[tuple[str, int]]:
        rows: list[dict[str, Any]] = []
        while True:
            asked = params | {"per_page": per_page, "page": len(rows) // per_page + 1}
            page = admin.data("GET", "/api/endpoints", params=asked)["endpoints"]
            rows += page
            if len(page) < per_page:
                return [(e["id"], e["requests_count"]) for e in rows]

    cases = [
        {"sort": sort} | extra
        for sort in ("requests_count", "-requests_count", "last_request_at", "-last_request_at")
        for extra in ({}, {"method": "GET"}, {"collection_id": twin["id"]}, {"q": "pet"})
    ]
    fast = {i: {n: listed(case, n) for n in (1, 5)} for i, case in enumerate(cases)}
    busiest = fast[4][5][:3]  # -requests_count, no filter
    assert [count for _, count in busiest] == [3, 2, 1]
    assert len(fast[0][5]) == 2 * petstore["endpoints_count"]
    monkeypatch.setattr(endpoints_routes, "MAX_WITH_TRAFFIC", -1)  # every match read, sorted
    for i, case in enumerate(cases):
        for per_page, rows in fast[i].items():
            assert rows == listed(case, per_page), (case, per_page)


def test_collection_patch_and_delete_unmounts(admin: Api, petstore: dict[str, Any]) -> None:
    path = f"/api/collections/{petstore['id']}"
    changed = admin.data("PATCH", path, json={"description": "for tests"})
    assert changed["description"] == "for tests"
    assert admin.call("DELETE", path).status_code == 204
    assert admin.call("GET", path).status_code == 404
    assert admin.data("GET", "/api/endpoints")["total"] == 0
    assert requests.get(petstore["mock_url"] + "/pets", timeout=5).status_code == 404


def test_endpoint_patch_and_delete(admin: Api, petstore: dict[str, Any]) -> None:
    ep = admin.data("GET", "/api/endpoints")["endpoints"][0]
    renamed = admin.data("PATCH", f"/api/endpoints/{ep['id']}", json={"name": "Renamed"})
    assert renamed["name"] == "Renamed"
    assert admin.call("DELETE", f"/api/endpoints/{ep['id']}").status_code == 204
    assert admin.call("GET", f"/api/endpoints/{ep['id']}").status_code == 404


def test_generate_data_from_the_response_schema(admin: Api, petstore: dict[str, Any]) -> None:
    eps = admin.data("GET", "/api/endpoints", params={"q": "list pets"})["endpoints"]
    ep = next(e for e in eps if e["path"] == "/pets" and e["method"] == "GET")
    made = admin.data(
        "POST",
        f"/api/endpoints/{ep['id']}/generate-data",
        201,
        json={"count": 12, "schema_type": "json", "custom_fields": {"tag": ["premium", "basic"]}},
    )
    assert made["generation_id"].startswith("gen_")
    assert made["status"] == "completed"
    assert made["records_generated"] == 12
    assert len(made["data_preview"]) == 10
    assert {r["tag"] for r in made["records"]} <= {"premium", "basic"}
    assert all("name" in r for r in made["records"])
    again = admin.data(
        "POST",
        f"/api/endpoints/{ep['id']}/generate-data",
        201,
        json={"count": 12, "custom_fields": {"tag": ["premium", "basic"]}},
    )
    assert again["records"] == made["records"]
    bad = admin.call("POST", f"/api/endpoints/{ep['id']}/generate-data", json={"count": 0})
    assert bad.status_code == 422


def test_request_analytics_count_real_traffic(admin: Api, petstore: dict[str, Any]) -> None:
    for path in ("/pets", "/pets", "/pets/1"):
        requests.get(petstore["mock_url"] + path, timeout=5)
    report = admin.data("GET", "/api/analytics/requests", params={"time_period": "7d"})
    assert report["total_requests"] == 3
    assert report["unique_endpoints"] == 2
    assert report["time_period"] == "7d"
    assert sum(d["count"] for d in report["requests_by_day"]) == 3
    top = report["top_endpoints"][0]
    assert (top["method"], top["path"], top["requests_count"]) == ("GET", "/pets", 2)
    assert top["endpoint_id"].startswith("ep_")
    assert top["avg_response_time"] >= 0


def test_a_deleted_endpoint_is_no_longer_served_until_reimported(
    admin: Api, petstore: dict[str, Any]
) -> None:
    eps = admin.data("GET", "/api/endpoints", params={"collection_id": petstore["id"]})
    get_pet = next(e for e in eps["endpoints"] if e["operation"] == "GET /pets/{petId}")
    mock = petstore["mock_url"]
    assert requests.get(f"{mock}/pets/1", timeout=10).status_code == 200
    assert admin.call("DELETE", f"/api/endpoints/{get_pet['id']}").status_code == 204
    gone = requests.get(f"{mock}/pets/1", timeout=10)
    assert gone.status_code == 404
    assert gone.json()["title"] == "No such operation"
    admin.data(
        "POST",
        f"/api/collections/{petstore['id']}/import",
        201,
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    assert requests.get(f"{mock}/pets/1", timeout=10).status_code == 200


def test_generated_data_sets_are_reproducible_and_kept(
    admin: Api, petstore: dict[str, Any]
) -> None:
    eps = admin.data("GET", "/api/endpoints", params={"collection_id": petstore["id"]})
    get_pet = next(e for e in eps["endpoints"] if e["operation"] == "GET /pets/{petId}")
    url = f"/api/endpoints/{get_pet['id']}/generate-data"
    body = {
        "count": 5,
        "seed": 7,
        "custom_fields": {"tag": ["gold", "silver"], "id": {"min": 1, "max": 9}},
    }
    first = admin.data("POST", url, 201, json=body)
    again = admin.data("POST", url, 201, json=body)
    assert first["records"] == again["records"]
    assert all(r["tag"] in ("gold", "silver") and 1 <= r["id"] <= 9 for r in first["records"])
    kept = admin.data("GET", f"/api/generations/{first['generation_id']}")
    assert kept["records"] == first["records"]
    not_found = admin.data("POST", url, 201, json=body | {"status_code": 404})
    assert all("message" in r for r in not_found["records"])
    bad = admin.call("POST", url, json={"count": 2, "locale": "xx_YY"})
    assert bad.status_code == 422
    breaking = admin.call("POST", url, json={"count": 2, "custom_fields": {"id": "not a number"}})
    assert breaking.status_code == 422
    assert admin.call("GET", "/api/generations/gen_000000000000").status_code == 404


def test_an_attached_data_set_is_paged_found_by_id_and_404s(
    admin: Api, petstore: dict[str, Any]
) -> None:
    eps = admin.data("GET", "/api/endpoints", params={"collection_id": petstore["id"]})
    list_pets = next(e for e in eps["endpoints"] if e["operation"] == "GET /pets")
    made = admin.data(
        "POST",
        f"/api/endpoints/{list_pets['id']}/generate-data",
        201,
        json={"count": 30, "seed": 3, "attach": True},
    )
    assert set(made["attached"]) == {"GET /pets", "GET /pets/{petId}"}
    mock = petstore["mock_url"]
    first = requests.get(f"{mock}/pets", params={"limit": 5}, timeout=10)
    assert first.status_code == 200
    assert first.json() == made["records"][:5]
    everything = requests.get(f"{mock}/pets", params={"limit": 100}, timeout=10).json()
    assert everything == made["records"]
    wanted = made["records"][7]
    one = requests.get(f"{mock}/pets/{wanted['id']}", timeout=10)
    assert one.status_code == 200
    assert one.json() == wanted
    unknown = max(r["id"] for r in made["records"]) + 1
    missing = requests.get(f"{mock}/pets/{unknown}", timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"code": 404, "message": "Pet not found"}
