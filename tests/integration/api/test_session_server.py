"""In pytest, the session's server speaks the management API over an in-memory store."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
import requests

from pytest_mockamocha.server import MockServer


def test_admin_token_drives_the_session_api(mockamocha_server: MockServer) -> None:
    token = mockamocha_server.admin_token
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"].startswith("user_")
    assert claims["exp"] > claims["iat"]
    headers = {"Authorization": f"Bearer {token}"}
    me = requests.get(f"{mockamocha_server.url}/api/auth/me", headers=headers, timeout=5)
    assert me.status_code == 200
    assert me.json()["data"]["is_admin"] is True
    assert mockamocha_server.management is not None
    assert mockamocha_server.management.state.store.path is None


def test_session_specs_are_listed_and_take_stored_rules(pytester: pytest.Pytester) -> None:
    spec = Path(__file__).parents[2] / "data" / "specs" / "petstore.yaml"
    pytester.makepyfile(
        """
        import requests

        def test_api(mockamocha_server):
            url = mockamocha_server.url
            auth = {"Authorization": "Bearer " + mockamocha_server.admin_token}
            colls = requests.get(url + "/api/collections", headers=auth).json()["data"]
            assert [c["slug"] for c in colls["collections"]] == ["shop"]
            assert colls["collections"][0]["endpoints_count"] > 0
            eps = requests.get(url + "/api/endpoints", headers=auth,
                               params={"q": "/pets/{petId}", "method": "GET"}).json()
            ep = eps["data"]["endpoints"][0]
            rule = {"response": {"status": 404, "json": {"x": 1}}}
            made = requests.post(url + f"/api/endpoints/{ep['id']}/rules", json=rule,
                                 headers=auth)
            assert made.status_code == 201
            answer = requests.get(url + "/mocks/shop/pets/3")
            assert answer.status_code == 404
            assert answer.json() == {"x": 1}
        """
    )
    result = pytester.runpytest_subprocess(
        f"--mockamocha-spec=shop={spec}", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)
