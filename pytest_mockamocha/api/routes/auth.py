"""``/api/auth``: log in with email and password (a Bearer token, or the dashboard's
session cookie); who am I; sign out."""

from __future__ import annotations

import time

from pytest_mockamocha.api.accounts import find_user, normal_email, public_user
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, checked, json_body
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.security import verify_password
from pytest_mockamocha.api.sessions import refuse_foreign, session_cookies
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.store import Record

LOGIN_FIELDS = {"email": Field((str,), required=True), "password": Field((str,), required=True)}


def _signed_in(call: Call) -> Record:
    """The user whose email and password the body holds; 401 (or 429 while throttled)."""
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
    return user


def login(call: Call) -> Answer:
    user = _signed_in(call)
    tokens = call.state.tokens
    return Answer(
        {
            "access_token": tokens.issue(user["id"]),
            "token_type": "bearer",
            "expires_in": tokens.ttl,
            "user": public_user(user),
        }
    )


def open_session(call: Call) -> Answer:
    """Sign in to the dashboard: the session cookie, and the CSRF token to send with it."""
    refuse_foreign(call.request)  # no signing a browser in from another origin's page
    user = _signed_in(call)
    sessions = call.state.sessions
    token, session = sessions.issue(user["id"])
    secure = call.request.scheme == "https"
    return Answer(
        {
            "user": public_user(user, full=True),
            "csrf_token": sessions.csrf_token(session),
            "expires_in": sessions.ttl,
        },
        201,
        headers=session_cookies(token, sessions.ttl, secure),
    )


def show_session(call: Call) -> Answer:
    """The signed-in user and the session's CSRF token (a page reloaded asks again)."""
    sessions = call.state.sessions
    session = sessions.check(call.request)
    user = call.store.users.get(session.user_id)
    if user is None:
        raise ApiError(401, "the session names no user; sign in again")
    return Answer(
        {
            "user": public_user(user, full=True),
            "csrf_token": sessions.csrf_token(session),
            "expires_in": max(0, session.expires - int(time.time())),
        }
    )


def close_session(call: Call) -> Answer:
    """Sign out: the session ends on the server and its cookie is cleared."""
    sessions = call.state.sessions
    sessions.revoke(sessions.check(call.request))
    secure = call.request.scheme == "https"
    return Answer(None, 204, headers=session_cookies("", 0, secure))


def me(call: Call) -> Answer:
    return Answer(public_user(call.me, full=True))


ROUTES = [
    Route("/api/auth/login", ("POST",), login, public=True),
    Route("/api/auth/me", ("GET",), me),
    Route("/api/auth/session", ("POST",), open_session, public=True),
    Route("/api/auth/session", ("GET",), show_session, public=True),
    Route("/api/auth/session", ("DELETE",), close_session, public=True),
]
