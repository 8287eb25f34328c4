"""``/api/requests`` and ``/api/analytics/coverage`` over a real server, checked against
the live document."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from conftest import Api  # type: ignore[import-not-found]
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from pytest_mockamocha.analytics.journal import RequestRecord
from pytest_mockamocha.api import ManagementApi


class Checked(Api):
    """A client whose every answer must validate against /api/openapi.json."""

    def __init__(self, base: str, token: str | None, spec: OpenAPI) -> None:
        super().__init__(base, token)
        self.spec = spec

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = super().call(method, path, **kwargs)
        self.spec.validate_response(
            RequestsOpenAPIRequest(response.request), RequestsOpenAPIResponse(response)
        )
        return response


@pytest.fixture
def checked(admin: Api) -> Checked:
    document = requests.get(admin.base + "/api/openapi.json", timeout=5).json()
    token = admin.http.headers["Authorization"].split()[1]
    return Checked(admin.base, token, OpenAPI.from_dict(document))


def _traffic(mock: str) -> None:
    requests.get(f"{mock}/pets", params={"limit": "2"}, timeout=5)
    requests.get(f"{mock}/pets/1", timeout=5, headers={"X-MockaMocha-Test": "t::one"})
    requests.get(f"{mock}/pets/abc", timeout=5, headers={"X-MockaMocha-Test": "t::two"})
    requests.get(f"{mock}/pets/1", timeout=5, headers={"Prefer": "code=404"})


def test_requests_lists_the_journal_newest_first(
    checked: Checked, petstore: dict[str, Any]
) -> None:
    _traffic(petstore["mock_url"])
    page = checked.data("GET", "/api/requests")
    assert page["total"] == 4
    assert (page["page"], page["per_page"]) == (1, 20)
    first = page["requests"][0]
    assert (first["path"], first["status"]) == ("/pets/1", 404)
    assert first["collection_id"] == petstore["id"]
    assert first["id"].startswith("req_")
    assert first["timestamp"].endswith("Z")
    last = page["requests"][-1]
    assert last["params"] == ["query.limit"]


@pytest.mark.parametrize(
    ("params", "paths"),
    [
        ({"status": "400"}, ["/pets/abc"]),
        ({"operation": "GET /pets"}, ["/pets"]),
        ({"test": "t::one"}, ["/pets/1"]),
        ({"per_page": "1", "page": "2"}, ["/pets/abc"]),
    ],
    ids=["status", "operation", "test", "page"],
)
def test_requests_filters(
    checked: Checked, petstore: dict[str, Any], params: dict[str, str], paths: list[str]
) -> None:
    _traffic(petstore["mock_url"])
    params = {"collection_id": petstore["id"], **params}
    page = checked.data("GET", "/api/requests", params=params)
    assert [r["path"] for r in page["requests"]] == paths


def test_requests_refuses_a_bad_status(checked: Checked) -> None:
    assert checked.call("GET", "/api/requests", params={"status": "abc"}).status_code == 422


def test_requests_of_another_workspace_are_not_listed(admin: Api, petstore: dict[str, Any]) -> None:
    _traffic(petstore["mock_url"])
    admin.data(
        "POST",
        "/api/users",
        201,
        json={"email": "o@example.com", "name": "O", "password": "12345678"},
    )
    other = admin.login("o@example.com", "12345678")
    assert other.data("GET", "/api/requests")["total"] == 0
    assert other.data("GET", "/api/analytics/coverage")["collections"] == []
    missing = other.call("GET", "/api/analytics/coverage", params={"collection_id": petstore["id"]})
    assert missing.status_code == 404


def test_coverage_of_a_collection(checked: Checked, petstore: dict[str, Any]) -> None:
    _traffic(petstore["mock_url"])
    model = checked.data("GET", "/api/analytics/coverage", params={"collection_id": petstore["id"]})
    assert model["schema"] == "mockamocha-report"
    (coll,) = model["collections"]
    assert coll["slug"] == petstore["slug"]
    assert coll["operations"] == {"hit": 2, "declared": 7, "percent": 28.57}
    ops = {o["name"]: o for o in coll["operation_list"]}
    assert ops["GET /pets/{petId}"]["statuses_hit"] == ["200", "404"]
    assert coll["violations"] == 1
    assert [t["nodeid"] for t in model["tests"]] == ["t::one", "t::two"]


def test_coverage_over_a_period_counts_only_that_periods_requests(
    checked: Checked, petstore: dict[str, Any], management: ManagementApi
) -> None:
    requests.get(f"{petstore['mock_url']}/pets", params={"limit": "2"}, timeout=5)
    old = RequestRecord(
        id="req_old",
        time=time.time() - 40 * 86400,  # 40 days ago: in 90d, not in 30d
        collection=petstore["slug"],
        operation="GET /pets/{petId}",
        method="GET",
        path="/pets/1",
        query="",
        status=200,
        duration_us=100,
        source="example",
    )
    management.state.engine.journal.restore([old])

    def hit(**params: str) -> int:
        query = {"collection_id": petstore["id"], **params}
        (coll,) = checked.data("GET", "/api/analytics/coverage", params=query)["collections"]
        return int(coll["operations"]["hit"])

    assert hit() == 2  # every request since the counts began
    assert hit(time_period="90d") == 2
    assert hit(time_period="30d") == 1
    assert hit(time_period="24h") == 1
    refused = checked.call("GET", "/api/analytics/coverage", params={"time_period": "1y"})
    assert refused.status_code == 422
