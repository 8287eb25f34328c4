"""``/api/auth``: log in with email and password; who am I."""

from __future__ import annotations

from pytest_mockamocha.api.accounts import find_user, normal_email, public_user
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, checked, json_body
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.security import verify_password
from pytest_mockamocha.api.state import Call

LOGIN_FIELDS = {"email": Field((str,), required=True), "password": Field((str,), required=True)}


def login(call: Call) -> Answer:
    body = checked(json_body(call.request), LOGIN_FIELDS)
    email = normal_email(body["email"])
    throttle = call.state.throttle
    client = call.request.remote_addr or "unknown"
    throttle.check(client, email)
    user = find_user(call.store, email)
    if not verify_password(body["password"], None if user is None else user["password_hash"]):
        throttle.failed(client, email)
        raise ApiError(401, "invalid email or password")
    assert user is not None
    throttle.succeeded(client, email)
    tokens = call.state.tokens
    return Answer(
        {
            "access_token": tokens.issue(user["id"]),
            "token_type": "bearer",
            "expires_in": tokens.ttl,
            "user": public_user(user),
        }
    )


def me(call: Call) -> Answer:
    return Answer(public_user(call.me, full=True))


ROUTES = [
    Route("/api/auth/login", ("POST",), login, public=True),
    Route("/api/auth/me", ("GET",), me),
]
