"""The dashboard's session: cookie sign-in, CSRF, origin checks, sign-out, expiry, and the
page's headers, against a real `mockamocha serve` with a TinyDB file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from dashboard_server import (  # type: ignore[import-not-found]
    ADMIN,
    SECRET,
    SPECS,
    Served,
    serve,
    served_fixture,  # noqa: F401 -- the fixture
)


def _error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code
    assert body["meta"]["request_id"].startswith("req_")
    return dict(body["error"])


def _signed_in(served: Served) -> tuple[requests.Session, str]:
    http = requests.Session()
    answer = http.post(
        served.url + "/api/auth/session",
        json={"email": ADMIN[0], "password": ADMIN[1]},
        headers={"Origin": served.url},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return http, answer.json()["data"]["csrf_token"]


def test_signing_in_sets_a_strict_httponly_cookie_for_the_api_only(served: Served) -> None:
    answer = requests.post(
        served.url + "/api/auth/session",
        json={"email": ADMIN[0], "password": ADMIN[1]},
        timeout=10,
    )
    assert answer.status_code == 201
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("mm_session=")
    for part in ("HttpOnly", "SameSite=Strict", "Path=/api/", "Max-Age=28800"):
        assert part in cookie
    data = answer.json()["data"]
    assert data["user"]["email"] == ADMIN[0]
    assert data["user"]["is_admin"] is True
    assert len(data["csrf_token"]) == 64
    assert "access_token" not in data  # the page never holds a token


def test_the_cookie_reads_and_with_the_csrf_token_writes(served: Served) -> None:
    http, csrf = _signed_in(served)
    assert http.get(served.url + "/api/auth/me", timeout=10).json()["data"]["email"] == ADMIN[0]
    again = http.get(served.url + "/api/auth/session", timeout=10).json()["data"]
    assert again["csrf_token"] == csrf
    made = http.post(
        served.url + "/api/collections",
        json={"name": "by cookie"},
        headers={"X-CSRF-Token": csrf, "Origin": served.url},
        timeout=10,
    )
    assert made.status_code == 201, made.text


def test_a_state_changing_call_without_the_csrf_token_is_refused(served: Served) -> None:
    http, _ = _signed_in(served)
    error = _error(
        http.post(served.url + "/api/collections", json={"name": "x"}, timeout=10), 403, "FORBIDDEN"
    )
    assert error["message"] == "the CSRF token is missing"
    assert "X-CSRF-Token" in error["details"][0]


def test_a_wrong_csrf_token_is_refused(served: Served) -> None:
    http, csrf = _signed_in(served)
    _, other = _signed_in(served)
    assert other != csrf  # each session has its own
    error = _error(
        http.post(
            served.url + "/api/collections",
            json={"name": "x"},
            headers={"X-CSRF-Token": other},
            timeout=10,
        ),
        403,
        "FORBIDDEN",
    )
    assert error["message"] == "the CSRF token is not valid for this session"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:1"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
    ids=["other-port", "null-origin", "same-site", "cross-site"],
)
def test_a_cookie_call_from_another_origin_is_refused_even_with_the_token(
    served: Served, headers: dict[str, str]
) -> None:
    http, csrf = _signed_in(served)
    for method in ("GET", "POST"):
        answer = http.request(
            method,
            served.url + "/api/collections",
            json={"name": "x"},
            headers={"X-CSRF-Token": csrf, **headers},
            timeout=10,
        )
        error = _error(answer, 403, "FORBIDDEN")
        assert "not accepted from" in error["message"]


def test_signing_in_from_another_origin_is_refused(served: Served) -> None:
    answer = requests.post(
        served.url + "/api/auth/session",
        json={"email": ADMIN[0], "password": ADMIN[1]},
        headers={"Origin": "http://evil.example"},
        timeout=10,
    )
    _error(answer, 403, "FORBIDDEN")
    assert "Set-Cookie" not in answer.headers


def test_a_wrong_password_is_a_clear_401(served: Served) -> None:
    answer = requests.post(
        served.url + "/api/auth/session", json={"email": ADMIN[0], "password": "wrong"}, timeout=10
    )
    assert _error(answer, 401, "UNAUTHORIZED")["message"] == "invalid email or password"
    assert "Set-Cookie" not in answer.headers
    missing = requests.post(served.url + "/api/auth/session", json={"email": ADMIN[0]}, timeout=10)
    _error(missing, 422, "VALIDATION_ERROR")


def test_signing_out_ends_the_session_even_for_a_kept_cookie(served: Served) -> None:
    http, csrf = _signed_in(served)
    kept = http.cookies["mm_session"]
    refused = http.delete(served.url + "/api/auth/session", timeout=10)
    _error(refused, 403, "FORBIDDEN")  # signing out needs the CSRF token too
    out = http.delete(served.url + "/api/auth/session", headers={"X-CSRF-Token": csrf}, timeout=10)
    assert out.status_code == 204
    assert "Max-Age=0" in out.headers["Set-Cookie"]
    replay = requests.get(served.url + "/api/auth/me", cookies={"mm_session": kept}, timeout=10)
    assert _error(replay, 401, "UNAUTHORIZED")["message"] == "the session has ended; sign in again"


def test_an_expired_or_forged_session_is_a_clear_401(served: Served) -> None:
    user = requests.post(
        served.url + "/api/auth/session", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10
    )
    user_id = user.json()["data"]["user"]["id"]
    now = int(time.time())
    claims = {
        "sub": user_id,
        "sid": "x",
        "aud": "mockamocha-dashboard",
        "iat": now - 100,
        "exp": now - 10,
    }
    expired = jwt.encode(claims, SECRET.encode(), algorithm="HS256")
    answer = requests.get(served.url + "/api/auth/me", cookies={"mm_session": expired}, timeout=10)
    assert (
        _error(answer, 401, "UNAUTHORIZED")["message"] == "the session has expired; sign in again"
    )
    forged = jwt.encode(claims | {"exp": now + 100}, b"another secret" * 3, algorithm="HS256")
    answer = requests.get(served.url + "/api/auth/me", cookies={"mm_session": forged}, timeout=10)
    assert "not valid" in _error(answer, 401, "UNAUTHORIZED")["message"]
    none = requests.get(served.url + "/api/auth/session", timeout=10)
    _error(none, 401, "UNAUTHORIZED")


def test_bearer_tokens_work_unchanged_and_are_no_session(served: Served) -> None:
    token = requests.post(
        served.url + "/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10
    ).json()["data"]["access_token"]
    bearer = {"Authorization": f"Bearer {token}", "Origin": "http://elsewhere.example"}
    made = requests.post(
        served.url + "/api/collections", json={"name": "by bearer"}, headers=bearer, timeout=10
    )
    assert made.status_code == 201  # no CSRF token, any origin: Bearer is not ambient
    as_cookie = requests.get(served.url + "/api/auth/me", cookies={"mm_session": token}, timeout=10)
    _error(as_cookie, 401, "UNAUTHORIZED")  # a Bearer token is not a session
    http, _ = _signed_in(served)
    session = http.cookies["mm_session"]
    as_bearer = requests.get(
        served.url + "/api/auth/me", headers={"Authorization": f"Bearer {session}"}, timeout=10
    )
    _error(as_bearer, 401, "UNAUTHORIZED")  # nor a session a Bearer token


def test_the_page_and_its_files_carry_a_strict_csp(served: Served) -> None:
    page = requests.get(served.url + "/", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "'unsafe-inline'" not in csp
    for part in (
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
    ):
        assert part in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert '<script type="module" src="/assets/app.js"></script>' in page.text
    assert "<script>" not in page.text  # no inline script: CSP would block it
    script = requests.get(served.url + "/assets/app.js", timeout=10)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    again = requests.get(
        served.url + "/assets/app.js", headers={"If-None-Match": script.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    ["/assets/../pages.py", "/assets/%2e%2e/pages.py", "/assets/nope.js", "/assets/x.py"],
    ids=["dotdot", "encoded-dotdot", "missing", "not-an-asset"],
)
def test_no_file_outside_the_assets_is_served(served: Served, path: str) -> None:
    answer = requests.get(served.url + path, timeout=10)
    assert answer.status_code == 404


def test_the_page_takes_only_get(served: Served) -> None:
    answer = requests.post(served.url + "/", timeout=10)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, HEAD"


def test_a_request_detail_has_headers_and_bodies_once_the_dashboard_is_open(
    tmp_path: Path,
) -> None:
    served = serve(tmp_path)  # a server whose dashboard nobody has opened yet
    try:
        _detail(served)
    finally:
        served.stop()


def _detail(served: Served) -> None:
    token = requests.post(
        served.url + "/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10
    ).json()["data"]["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    coll = requests.post(
        served.url + "/api/collections", json={"name": "Detail"}, headers=bearer, timeout=10
    ).json()["data"]
    requests.post(
        served.url + f"/api/collections/{coll['id']}/import",
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={**bearer, "Content-Type": "application/yaml"},
        timeout=30,
    )
    before = requests.get(coll["mock_url"] + "/pets/1", timeout=10).headers["X-Request-Id"]
    detail = requests.get(
        served.url + f"/api/requests/{before}", headers=bearer, timeout=10
    ).json()["data"]
    assert detail["status"] == 200
    assert detail["exchange"] is None  # nobody had opened the dashboard yet
    assert requests.get(served.url + "/", timeout=10).ok
    sent = requests.post(
        coll["mock_url"] + "/pets",
        json={"name": "Rex", "x": "y"},
        headers={"Authorization": "Bearer secret-value", "X-Trace": "t1"},
        timeout=10,
    )
    detail = requests.get(
        served.url + f"/api/requests/{sent.headers['X-Request-Id']}", headers=bearer, timeout=10
    ).json()["data"]
    exchange = detail["exchange"]
    headers = dict(exchange["request"]["headers"])
    assert headers["X-Trace"] == "t1"
    assert headers["Authorization"] == "Bearer ***"  # credentials are never kept
    assert '"Rex"' in exchange["request"]["body"]["text"]
    assert exchange["response"]["status"] == sent.status_code == 422  # "x" is not allowed
    assert "x" in exchange["response"]["body"]["text"]
    assert detail["violations"]
    missing = requests.get(served.url + "/api/requests/req_nope", headers=bearer, timeout=10)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"


def test_a_rule_can_be_sent_as_yaml_and_bad_yaml_names_its_line(served: Served) -> None:
    token = requests.post(
        served.url + "/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10
    ).json()["data"]["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    coll = requests.post(
        served.url + "/api/collections", json={"name": "Yaml rules"}, headers=bearer, timeout=10
    ).json()["data"]
    requests.post(
        served.url + f"/api/collections/{coll['id']}/import",
        data=(SPECS / "petstore.yaml").read_bytes(),
        headers={**bearer, "Content-Type": "application/yaml"},
        timeout=30,
    )
    endpoints = requests.get(
        served.url + "/api/endpoints",
        params={"collection_id": coll["id"], "method": "GET"},
        headers=bearer,
        timeout=10,
    ).json()["data"]["endpoints"]
    ep = next(e for e in endpoints if e["path"] == "/pets/{petId}")
    yaml_headers = {**bearer, "Content-Type": "application/yaml"}
    made = requests.post(
        served.url + f"/api/endpoints/{ep['id']}/rules",
        data="name: gone\nresponse:\n  status: 404\n",
        headers=yaml_headers,
        timeout=10,
    )
    assert made.status_code == 201, made.text
    assert made.json()["data"]["response"] == {"status": 404}
    bad = requests.post(
        served.url + f"/api/endpoints/{ep['id']}/rules",
        data="response: [unclosed\n",
        headers=yaml_headers,
        timeout=10,
    )
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["message"] == "the body is not valid YAML"
    assert "line" in error["details"][0]


def test_a_sign_out_holds_across_a_restart(tmp_path: Path) -> None:
    first = serve(tmp_path)
    try:
        http, csrf = _signed_in(first)
        kept = http.cookies["mm_session"]
        out = http.delete(
            first.url + "/api/auth/session", headers={"X-CSRF-Token": csrf}, timeout=10
        )
        assert out.status_code == 204
    finally:
        first.stop()
    again = serve(tmp_path)  # the same database file, a new process
    try:
        replay = requests.get(again.url + "/api/auth/me", cookies={"mm_session": kept}, timeout=10)
        assert (
            _error(replay, 401, "UNAUTHORIZED")["message"] == "the session has ended; sign in again"
        )
        fresh, _ = _signed_in(again)  # signing in again works
        assert fresh.get(again.url + "/api/auth/me", timeout=10).status_code == 200
    finally:
        again.stop()
