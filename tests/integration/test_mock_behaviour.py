"""The mock's behaviour contract, end to end through requests, httpx and urllib.request."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import ServerThread

REX = {
    "id": 1,
    "name": "Rex",
    "tag": "dog",
    "status": "available",
    "created_at": "2024-03-01T10:15:00Z",
}
TOM = {"id": 2, "name": "Tom", "tag": "cat", "status": "sold", "created_at": "2024-03-02T08:00:00Z"}
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def pets(base_url: str) -> str:
    return f"{base_url}/mocks/petstore"


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as c:
        yield c


def urlopen(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """urllib.request without exceptions for 4xx/5xx: (status, headers, body)."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), error.read()


def violations(body: Any) -> set[tuple[str, str]]:
    return {(v["location"], v["name"]) for v in body["violations"]}


# -- health and unknown places ------------------------------------------------------------------
def test_health_lists_the_collections(base_url: str) -> None:
    status, headers, body = urlopen(f"{base_url}/api/health")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert data["status"] == "ok"
    assert {"petstore", "api", "openapi31", "security", "media", "large", "params"} <= set(
        data["collections"]
    )


def test_unknown_collection_is_a_404_problem(base_url: str) -> None:
    response = requests.get(f"{base_url}/mocks/nope/pets", timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    assert "petstore" in response.json()["detail"]


def test_outside_mocks_is_a_404_naming_the_mocks(base_url: str) -> None:
    response = requests.get(f"{base_url}/elsewhere", timeout=10)
    assert response.status_code == 404
    assert "/mocks/petstore/" in response.json()["detail"]


# -- routing ------------------------------------------------------------------------------------
def test_static_segment_beats_the_template(pets: str, engine: Engine, client: httpx.Client) -> None:
    response = client.get(f"{pets}/pets/mine")
    assert response.status_code == 200
    assert isinstance(response.json(), list)
    record = engine.journal.records(collection="petstore")[-1]
    assert (record.path, record.operation) == ("/pets/mine", "GET /pets/mine")


def test_template_still_matches_other_values(pets: str, client: httpx.Client) -> None:
    response = client.get(f"{pets}/pets/2")
    assert response.status_code == 200
    assert response.json() == REX


def test_dashed_path_parameter(pets: str, client: httpx.Client) -> None:
    response = client.get(f"{pets}/stores/downtown-1/inventory")
    assert response.status_code == 200
    assert response.json() == {"available": 12, "pending": 3, "sold": 40}


def test_dot_in_a_path(base_url: str) -> None:
    status, headers, body = urlopen(f"{base_url}/mocks/media/reports/loans.csv")
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    assert body.startswith(b"loan_id,isbn,member,due\n")


def test_unknown_path_is_404_naming_the_nearest(pets: str) -> None:
    status, headers, body = urlopen(f"{pets}/pet/3")
    assert status == 404
    assert headers["Content-Type"] == PROBLEM
    problem = json.loads(body)
    assert problem["status"] == 404
    assert "GET /pets/{petId}" in problem["nearest"]
    assert "GET /pets/{petId}" in problem["detail"]


def test_unknown_method_is_405_with_allow(pets: str, client: httpx.Client) -> None:
    response = client.patch(f"{pets}/pets")
    assert response.status_code == 405
    assert response.headers["Content-Type"] == PROBLEM
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert "PATCH" not in allowed


# -- request validation --------------------------------------------------------------------------
def test_path_param_of_wrong_type_is_400(pets: str) -> None:
    response = requests.get(f"{pets}/pets/abc", timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM
    assert ("path", "petId") in violations(response.json())


def test_query_param_out_of_bounds_is_400(pets: str, client: httpx.Client) -> None:
    response = client.get(f"{pets}/pets", params={"limit": 500})
    assert response.status_code == 400
    body = response.json()
    assert ("query", "limit") in violations(body)
    assert "limit" in body["detail"]


def test_missing_required_query_param_is_400(pets: str) -> None:
    status, _, body = urlopen(f"{pets}/pets/search")
    assert status == 400
    assert ("query", "q") in violations(json.loads(body))


@pytest.mark.parametrize(
    ("headers", "cookies", "query", "expected"),
    [
        ({}, {"lang": "en"}, "fields=id", ("header", "X-Tenant")),
        ({"X-Tenant": "ACME!"}, {"lang": "en"}, "fields=id", ("header", "X-Tenant")),
        ({"X-Tenant": "acme"}, {}, "fields=id", ("cookie", "lang")),
        ({"X-Tenant": "acme"}, {"lang": "de"}, "fields=id", ("cookie", "lang")),
        ({"X-Tenant": "acme"}, {"lang": "en"}, "", ("query", "fields")),
        ({"X-Tenant": "acme"}, {"lang": "en"}, "fields=id&verbose=perhaps", ("query", "verbose")),
    ],
    ids=[
        "header-missing",
        "header-pattern",
        "cookie-missing",
        "cookie-enum",
        "query-missing",
        "query-boolean",
    ],
)
def test_parameters_of_every_location_are_validated(
    base_url: str,
    headers: dict[str, str],
    cookies: dict[str, str],
    query: str,
    expected: tuple[str, str],
) -> None:
    response = requests.get(
        f"{base_url}/mocks/params/items/3?{query}", headers=headers, cookies=cookies, timeout=10
    )
    assert response.status_code == 400
    assert expected in violations(response.json())


def test_parameters_of_every_location_valid(base_url: str) -> None:
    response = requests.get(
        f"{base_url}/mocks/params/items/3?fields=id&fields=name",
        headers={"X-Tenant": "acme"},
        cookies={"lang": "fr"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) >= {"id", "name"}


def test_invalid_json_body_uses_the_specs_422(pets: str, client: httpx.Client) -> None:
    response = client.post(f"{pets}/pets", json={"name": "", "colour": "red"})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 422
    assert {loc for loc, _ in violations(body)} == {"body"}
    assert any("colour" in v["message"] for v in body["violations"])


def test_invalid_json_body_is_400_where_the_spec_declares_400(base_url: str) -> None:
    response = requests.post(f"{base_url}/mocks/api/users", json={"name": "Ada"}, timeout=10)
    assert response.status_code == 400
    # the spec's own 400 schema is served; the violations travel in a header
    assert "email" in response.headers["MockaMocha-Violations"]


def test_form_body_is_validated(base_url: str) -> None:
    url = f"{base_url}/mocks/media/login"
    bad = requests.post(url, data={"username": "ada"}, timeout=10)
    assert bad.status_code == 400
    assert any("password" in v["message"] for v in bad.json()["violations"])
    good = requests.post(url, data={"username": "ada", "password": "pw"}, timeout=10)
    assert good.status_code == 200
    assert "token" in good.json()


def test_multipart_body_is_validated(base_url: str) -> None:
    url = f"{base_url}/mocks/media/files"
    bad = requests.post(url, files={"title": (None, "scan")}, timeout=10)
    assert bad.status_code == 400
    good = requests.post(
        url,
        files={"file": ("scan.pdf", b"%PDF-1.4", "application/pdf"), "title": (None, "scan")},
        timeout=10,
    )
    assert good.status_code == 201, good.text
    assert set(good.json()) >= {"id", "size"}


def test_wildcard_request_body_accepts_any_type(base_url: str, client: httpx.Client) -> None:
    response = client.post(
        f"{base_url}/mocks/media/blobs", content=b"\x00\x01", headers={"Content-Type": "image/jpeg"}
    )
    assert response.status_code == 201
    assert response.json() == {"id": "7f3c2a", "size": 2048, "content_type": "image/jpeg"}


# -- responses ---------------------------------------------------------------------------------
def test_first_2xx_example_and_declared_header(pets: str) -> None:
    status, headers, body = urlopen(f"{pets}/pets")
    assert status == 200
    assert [p["name"] for p in json.loads(body)] == ["Rex", "Tom"]
    assert headers["X-Total-Count"] == "2"


def test_prefer_code(pets: str, client: httpx.Client) -> None:
    response = client.get(f"{pets}/pets/1", headers={"Prefer": "code=404"})
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "Pet not found"}


def test_prefer_example(pets: str) -> None:
    response = requests.get(f"{pets}/pets/1", headers={"Prefer": "example=cat"}, timeout=10)
    assert response.status_code == 200
    assert response.json() == TOM


def test_prefer_dynamic(pets: str, client: httpx.Client) -> None:
    response = client.get(f"{pets}/pets/1", headers={"Prefer": "dynamic=true"})
    assert response.status_code == 200
    body = response.json()
    assert body not in (REX, TOM)
    assert {"id", "name"} <= set(body)


def test_generated_data_is_deterministic(pets: str, client: httpx.Client) -> None:
    first = client.get(f"{pets}/pets/mine").content
    assert client.get(f"{pets}/pets/mine").content == first
    assert requests.get(f"{pets}/pets/mine", timeout=10).content == first


def test_204_has_no_body(pets: str) -> None:
    status, headers, body = urlopen(f"{pets}/pets/3", method="DELETE")
    assert status == 204
    assert body == b""
    assert "Content-Type" not in headers


@pytest.mark.parametrize(
    ("accept", "ctype", "start"),
    [
        ("application/json", "application/json", b"{"),
        ("application/xml", "application/xml", b"<book"),
        ("application/xml;q=0.2, application/json", "application/json", b"{"),
    ],
    ids=["json", "xml", "quality"],
)
def test_content_negotiation(base_url: str, accept: str, ctype: str, start: bytes) -> None:
    status, headers, body = urlopen(
        f"{base_url}/mocks/media/books/9780262033848", headers={"Accept": accept}
    )
    assert status == 200
    assert headers["Content-Type"].startswith(ctype)
    assert body.startswith(start)


def test_nothing_acceptable_is_406(base_url: str, client: httpx.Client) -> None:
    response = client.get(
        f"{base_url}/mocks/media/books/9780262033848", headers={"Accept": "text/html"}
    )
    assert response.status_code == 406
    assert response.headers["Content-Type"] == PROBLEM


def test_vendor_json_type(base_url: str) -> None:
    response = requests.get(f"{base_url}/mocks/media/articles", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.api+json"
    assert response.json()["data"][0]["type"] == "articles"


def test_binary_download(base_url: str, client: httpx.Client) -> None:
    response = client.get(f"{base_url}/mocks/media/files/abcdef")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == 'attachment; filename="scan.pdf"'
    assert response.content


# -- HEAD and CORS ---------------------------------------------------------------------------
def test_head_has_headers_and_no_body(server: ServerThread) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("HEAD", "/mocks/petstore/pets")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "application/json"
        assert response.getheader("X-Total-Count") == "2"
        assert response.read() == b""
        # the connection is still usable: no stray body bytes were sent
        conn.request("GET", "/api/health")
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_cors_preflight(pets: str, client: httpx.Client) -> None:
    response = client.options(
        f"{pets}/pets",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-trace",
        },
    )
    assert response.status_code == 204
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "OPTIONS"} <= methods
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type, x-trace"
    assert response.content == b""


def test_cors_preflight_on_a_template_path(pets: str) -> None:
    response = requests.options(
        f"{pets}/pets/7",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"},
        timeout=10,
    )
    assert response.status_code == 204
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "PUT", "DELETE"} <= methods


def test_cors_origin_is_echoed_on_responses(pets: str) -> None:
    status, headers, _ = urlopen(f"{pets}/pets", headers={"Origin": "https://app.example"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Origin" in headers["Vary"]


def test_cors_origin_is_echoed_on_errors_too(pets: str, client: httpx.Client) -> None:
    response = client.get(f"{pets}/pets/abc", headers={"Origin": "https://app.example"})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"


def test_no_cors_headers_without_origin(pets: str) -> None:
    response = requests.get(f"{pets}/pets", timeout=10)
    assert "Access-Control-Allow-Origin" not in response.headers


# -- security ------------------------------------------------------------------------------------
SECURED = [
    ("GET", "/orders", {"headers": {"X-API-Key": "k"}}, "apiKey header"),
    ("POST", "/orders", {"headers": {"Authorization": "Bearer t"}}, "oauth2"),
    ("GET", "/orders/17", {"headers": {"Authorization": "Bearer t"}}, "apiKey or bearer"),
    ("GET", "/me", {"headers": {"Authorization": "Bearer t"}}, "bearer"),
    ("GET", "/admin/reports", {"auth": ("ada", "pw")}, "basic"),
    (
        "DELETE",
        "/admin/orders/17",
        {"headers": {"X-API-Key": "k"}, "auth": ("ada", "pw")},
        "apiKey and basic",
    ),
    ("GET", "/exports/orders", {"params": {"api_key": "k"}}, "apiKey query"),
    ("GET", "/session", {"cookies": {"session_id": "s"}}, "apiKey cookie"),
]
ORDER = {"item": "coffee beans", "quantity": 2}


@pytest.mark.parametrize(
    ("method", "path", "credentials"), [c[:3] for c in SECURED], ids=[c[3] for c in SECURED]
)
def test_missing_credentials_are_401_per_scheme(
    base_url: str, server: ServerThread, method: str, path: str, credentials: dict[str, Any]
) -> None:
    url = f"{base_url}/mocks/security{path}"
    body = {"json": ORDER} if method == "POST" else {}
    response = requests.request(method, url, timeout=10, **body)
    assert response.status_code == 401, response.text
    assert "WWW-Authenticate" in response.headers
    health_ok = requests.get(f"{server.url}/api/health", timeout=10)
    assert health_ok.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "credentials"), [c[:3] for c in SECURED], ids=[c[3] for c in SECURED]
)
def test_present_credentials_pass_per_scheme(
    base_url: str, method: str, path: str, credentials: dict[str, Any]
) -> None:
    url = f"{base_url}/mocks/security{path}"
    body = {"json": ORDER} if method == "POST" else {}
    response = requests.request(method, url, timeout=10, **body, **credentials)
    assert 200 <= response.status_code < 300, response.text


def test_conjunction_needs_both_credentials(base_url: str) -> None:
    url = f"{base_url}/mocks/security/admin/orders/17"
    only_key = requests.delete(url, headers={"X-API-Key": "k"}, timeout=10)
    only_basic = requests.delete(url, auth=("ada", "pw"), timeout=10)
    assert (only_key.status_code, only_basic.status_code) == (401, 401)


def test_public_operation_needs_no_credentials(base_url: str) -> None:
    response = requests.get(f"{base_url}/mocks/security/status", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# -- the journal sees what went over the wire ----------------------------------------------------
def test_test_header_tags_the_journal(pets: str, engine: Engine) -> None:
    requests.get(f"{pets}/pets?limit=3", headers={"X-MockaMocha-Test": "wire::tagged"}, timeout=10)
    records = engine.journal.records(test="wire::tagged")
    assert [(r.method, r.path, r.query, r.status) for r in records] == [
        ("GET", "/pets", "limit=3", 200)
    ]
