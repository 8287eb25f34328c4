"""Auth, workspaces, throttling and bad input: each answers as DESIGN.md says."""

from __future__ import annotations

import base64
import http.client
import json
import time
import urllib.parse
from typing import Any

import jwt
import pytest
import requests
from conftest import ADMIN, SECRET, Api  # type: ignore[import-not-found]

from pytest_mockamocha.api import ManagementApi
from pytest_mockamocha.server import MockServer


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _user_id(admin: Api) -> str:
    return str(admin.data("GET", "/api/auth/me")["id"])


@pytest.fixture
def other(admin: Api, anon: Api) -> Api:
    """A second user, in a workspace of its own."""
    admin.data(
        "POST",
        "/api/users",
        201,
        json={"email": "eve@example.com", "name": "Eve", "password": "eve-password"},
    )
    return anon.login("eve@example.com", "eve-password")


def _bad_tokens(sub: str) -> dict[str, str]:
    now = int(time.time())
    good = jwt.encode({"sub": sub, "exp": now + 60}, SECRET, algorithm="HS256")
    head, body, sig = good.split(".")
    return {
        "expired": jwt.encode({"sub": sub, "exp": now - 10}, SECRET, algorithm="HS256"),
        "tampered": f"{head}.{_b64({'sub': 'user_other', 'exp': now + 60})}.{sig}",
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{body}.",
        "wrong-key": jwt.encode({"sub": sub, "exp": now + 60}, b"x" * 32, algorithm="HS256"),
        "no-exp": jwt.encode({"sub": sub}, SECRET, algorithm="HS256"),
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize(
    "kind", ["expired", "tampered", "alg-none", "wrong-key", "no-exp", "garbage"]
)
def test_bad_tokens_answer_401(admin: Api, anon: Api, kind: str) -> None:
    token = _bad_tokens(_user_id(admin))[kind]
    response = anon.call("GET", "/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_no_credentials_answer_401(anon: Api) -> None:
    response = anon.call("GET", "/api/collections")
    assert response.status_code == 401
    assert response.json()["meta"]["request_id"] == response.headers["X-Request-Id"]


def test_api_keys_work_until_revoked(admin: Api, anon: Api) -> None:
    made = admin.data("POST", "/api/keys", 201, json={"name": "ci"})
    key = made["key"]
    assert key.startswith("mm_")
    assert made["prefix"] == key[:8]
    listed = admin.call("GET", "/api/keys")
    assert key not in listed.text
    assert "hash" not in listed.json()["data"]["keys"][0]
    with_key = Api(anon.base, key)
    assert with_key.data("GET", "/api/auth/me")["email"] == ADMIN["email"]
    assert admin.call("DELETE", f"/api/keys/{made['id']}").status_code == 204
    assert with_key.call("GET", "/api/auth/me").status_code == 401
    assert Api(anon.base, "mm_unknown").call("GET", "/api/auth/me").status_code == 401


def test_another_workspace_answers_404(admin: Api, other: Api, petstore: dict[str, Any]) -> None:
    ep = admin.data("GET", "/api/endpoints")["endpoints"][0]
    rule = admin.data(
        "POST", f"/api/endpoints/{ep['id']}/rules", 201, json={"response": {"status": 200}}
    )
    key = admin.data("POST", "/api/keys", 201, json={"name": "mine"})
    theirs = [
        ("GET", f"/api/collections/{petstore['id']}"),
        ("PATCH", f"/api/collections/{petstore['id']}"),
        ("DELETE", f"/api/collections/{petstore['id']}"),
        ("GET", f"/api/endpoints/{ep['id']}"),
        ("GET", f"/api/endpoints/{ep['id']}/rules"),
        ("GET", f"/api/endpoints/{ep['id']}/rules/{rule['id']}"),
        ("DELETE", f"/api/endpoints/{ep['id']}/rules/{rule['id']}"),
        ("DELETE", f"/api/keys/{key['id']}"),
    ]
    for method, path in theirs:
        response = other.call(method, path, json={"name": "x"})
        assert response.status_code == 404, (method, path)
        assert "data" not in response.json()
        assert petstore["name"] not in response.text
    assert other.data("GET", "/api/collections")["total"] == 0
    assert other.data("GET", "/api/endpoints")["total"] == 0
    assert admin.data("GET", f"/api/collections/{petstore['id']}")["id"] == petstore["id"]


def test_only_admins_manage_users(admin: Api, other: Api) -> None:
    response = other.call("GET", "/api/users")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    users = admin.data("GET", "/api/users")
    assert users["total"] == 2
    assert "password" not in json.dumps(users)
    again = admin.call(
        "POST",
        "/api/users",
        json={"email": "EVE@example.com", "name": "Eve 2", "password": "another-one"},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"


def _login_from(base: str, source: str, body: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """POST /api/auth/login from the loopback address ``source`` (127.0.0.2 is another client)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(
        url.hostname, url.port, timeout=10, source_address=(source, 0)
    )
    try:
        headers = {"Content-Type": "application/json"}
        conn.request("POST", "/api/auth/login", json.dumps(body), headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


def test_failed_logins_slow_the_client_not_the_account(anon: Api) -> None:
    wrong = {"email": ADMIN["email"], "password": "wrong password"}
    codes = [_login_from(anon.base, "127.0.0.1", wrong)[0] for _ in range(6)]
    assert codes == [401] * 5 + [429]
    status, headers, text = _login_from(anon.base, "127.0.0.1", ADMIN)
    assert status == 429  # even the right password waits: this client is guessing
    assert json.loads(text)["error"]["code"] == "RATE_LIMITED"
    assert int(headers["Retry-After"]) >= 1
    assert "wrong password" not in text
    # the owner, from another client, signs in at once
    status, _, text = _login_from(anon.base, "127.0.0.2", ADMIN)
    assert status == 200, text
    assert json.loads(text)["data"]["access_token"]


def test_many_made_up_emails_from_one_client_are_slowed_too(anon: Api) -> None:
    codes = [
        _login_from(anon.base, "127.0.0.3", {"email": f"nobody{i}@example.com", "password": "x"})[0]
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    status, _, _ = _login_from(anon.base, "127.0.0.4", ADMIN)
    assert status == 200


def test_bodies_over_the_limits_answer_413(admin: Api, petstore: dict[str, Any]) -> None:
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = admin.call(
        "POST", "/api/collections", data=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    huge = b"x" * (10 * 1024 * 1024 + 1)
    path = f"/api/collections/{petstore['id']}/import"
    response = admin.call("POST", path, data=huge, headers={"Content-Type": "application/yaml"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_malformed_json_names_the_position(admin: Api) -> None:
    response = admin.call(
        "POST",
        "/api/collections",
        data=b'{\n  "name": ,\n}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert "line 2, column 11" in error["message"]


def test_wrong_content_type_answers_415(admin: Api) -> None:
    response = admin.call(
        "POST",
        "/api/collections",
        data="name=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_unknown_fields_and_wrong_types_are_named(admin: Api, petstore: dict[str, Any]) -> None:
    response = admin.call("POST", "/api/collections", json={"name": 3, "colour": "red"})
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert 'Field "colour" is not allowed' in details
    assert 'Field "name" must be a string' in details
    ep = admin.data("GET", "/api/endpoints")["endpoints"][0]
    response = admin.call(
        "POST",
        f"/api/endpoints/{ep['id']}/rules",
        json={
            "match": {"query": {"a": {"b": 1}}, "bogus": 1},
            "response": {"status": "200", "json": 1, "body": "x"},
        },
    )
    assert response.status_code == 422
    details = " | ".join(response.json()["error"]["details"])
    for name in ("match.query.a", "match.bogus", "response.status", "not json and body"):
        assert name in details


def test_routing_errors_use_the_envelope(admin: Api) -> None:
    missing = admin.call("GET", "/api/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    wrong = admin.call("PUT", "/api/collections")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in wrong.headers["Allow"]


def test_an_unexpected_failure_says_only_internal_error(
    admin: Api, management: ManagementApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> object:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(management.state.store.collections, "select", explode)
    response = admin.call("GET", "/api/collections")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "INTERNAL_ERROR"
    assert body["meta"]["request_id"] in body["error"]["message"]
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text


def test_browsers_may_call_the_api_from_another_origin(server: MockServer) -> None:
    preflight = requests.options(
        f"{server.url}/api/collections",
        headers={
            "Origin": "http://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    answer = requests.get(
        f"{server.url}/api/collections",
        timeout=10,
        headers={"Origin": "http://app.example", "Authorization": f"Bearer {server.admin_token}"},
    )
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "http://app.example"
    no_origin = requests.get(
        f"{server.url}/api/collections",
        timeout=10,
        headers={"Authorization": f"Bearer {server.admin_token}"},
    )
    assert "Access-Control-Allow-Origin" not in no_origin.headers
