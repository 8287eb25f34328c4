"""Every route's live answers validate against the document at /api/openapi.json."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from conftest import ADMIN, SPECS, Api  # type: ignore[import-not-found]
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse


class Checked(Api):
    """An API client that validates every answer against the live document."""

    def __init__(self, base: str, token: str | None, spec: OpenAPI, seen: set[str]) -> None:
        super().__init__(base, token)
        self.spec = spec
        self.seen = seen

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = super().call(method, path, **kwargs)
        prepared = response.request
        self.spec.validate_response(
            RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(response)
        )
        self.seen.add(f"{method} {response.status_code}")
        return response


@pytest.fixture
def checked(anon: Api) -> Checked:
    document = requests.get(anon.base + "/api/openapi.json", timeout=5).json()
    spec = OpenAPI.from_dict(document)
    seen: set[str] = set()
    public = Checked(anon.base, None, spec, seen)
    token = public.data("POST", "/api/auth/login", json=ADMIN)["access_token"]
    return Checked(anon.base, token, spec, seen)


def test_every_route_answers_as_documented(checked: Checked) -> None:
    c = checked
    assert c.call("GET", "/api/health").status_code == 200
    assert c.call("GET", "/api/openapi.json").status_code == 200
    c.data("GET", "/api/auth/me")
    key = c.data("POST", "/api/keys", 201, json={"name": "ci"})
    c.data("GET", "/api/keys")
    c.call("DELETE", f"/api/keys/{key['id']}")
    c.data(
        "POST",
        "/api/users",
        201,
        json={"email": "u@example.com", "name": "U", "password": "12345678"},
    )
    c.data("GET", "/api/users")
    coll = c.data("POST", "/api/collections", 201, json={"name": "pets"})
    c.data("GET", "/api/collections")
    c.data("GET", f"/api/collections/{coll['id']}")
    c.data("PATCH", f"/api/collections/{coll['id']}", json={"description": "d"})
    imp = c.data(
        "POST",
        f"/api/collections/{coll['id']}/import",
        201,
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )
    c.data("GET", f"/api/imports/{imp['import_id']}")
    ep = c.data("GET", "/api/endpoints", params={"sort": "-requests_count"})["endpoints"][0]
    c.data("GET", f"/api/endpoints/{ep['id']}")
    c.data("PATCH", f"/api/endpoints/{ep['id']}", json={"name": "n"})
    rules = f"/api/endpoints/{ep['id']}/rules"
    rule = c.data(
        "POST",
        rules,
        201,
        json={"match": {"query": {"a": "1"}}, "response": {"status": 200, "body": "x"}},
    )
    c.data("GET", rules)
    c.data("GET", f"{rules}/{rule['id']}")
    c.data("PATCH", f"{rules}/{rule['id']}", json={"priority": 3})
    c.call("DELETE", f"{rules}/{rule['id']}")
    c.data("POST", f"/api/endpoints/{ep['id']}/generate-data", 201, json={"count": 2})
    c.data("GET", "/api/analytics/requests")
    c.call("DELETE", f"/api/endpoints/{ep['id']}")
    c.call("DELETE", f"/api/collections/{coll['id']}")
    assert "DELETE 204" in c.seen


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/api/collections/coll_missing", {}, 404),
        ("POST", "/api/collections", {"json": {"nam": "x"}}, 422),
        (
            "POST",
            "/api/collections",
            {"data": "{", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/api/collections", {"data": "x", "headers": {"Content-Type": "text/plain"}}, 415),
        ("GET", "/api/endpoints", {"params": {"page": "0"}}, 422),
        ("POST", "/api/auth/login", {"json": {"email": ADMIN["email"], "password": "no"}}, 401),
    ],
    ids=["not-found", "unknown-field", "malformed", "content-type", "bad-page", "bad-login"],
)
def test_errors_answer_as_documented(
    checked: Checked, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    assert checked.call(method, path, **kwargs).status_code == status


def test_the_document_is_openapi_31(checked: Checked) -> None:
    document = requests.get(checked.base + "/api/openapi.json", timeout=5).json()
    assert document["openapi"].startswith("3.1")
    assert "data" not in document


def test_the_check_catches_a_response_that_breaks_the_document(checked: Checked) -> None:
    document = requests.get(checked.base + "/api/openapi.json", timeout=5).json()
    document["components"]["schemas"]["Meta"]["required"].append("not_there")
    strict = Checked(checked.base, None, OpenAPI.from_dict(document), set())
    with pytest.raises(Exception, match=r"not_there|Invalid|invalid"):
        strict.call("POST", "/api/auth/login", json=ADMIN)


def test_the_dashboard_session_answers_as_documented(anon: Api) -> None:
    document = requests.get(anon.base + "/api/openapi.json", timeout=5).json()
    c = Checked(anon.base, None, OpenAPI.from_dict(document), set())
    made = c.data("POST", "/api/auth/session", 201, json=ADMIN)
    assert c.data("GET", "/api/auth/session")["csrf_token"] == made["csrf_token"]
    assert c.call("DELETE", "/api/auth/session").status_code == 403  # no CSRF token
    out = c.call("DELETE", "/api/auth/session", headers={"X-CSRF-Token": made["csrf_token"]})
    assert out.status_code == 204
    assert c.call("GET", "/api/auth/session").status_code == 401
