"""``/api/users``: administrators create and list users (each with its own workspace)."""

from __future__ import annotations

from pytest_mockamocha.api.accounts import create_user, public_user
from pytest_mockamocha.api.envelope import Answer
from pytest_mockamocha.api.inputs import Field, Page, checked, json_body, text_field
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call

USER_FIELDS = {
    "email": Field((str,), required=True),
    "name": Field((str,), required=True),
    "password": Field((str,), required=True),
    "is_admin": Field((bool,)),
}


def create(call: Call) -> Answer:
    call.require_admin()
    body = checked(json_body(call.request), USER_FIELDS)
    text_field(body, "name")
    user = create_user(
        call.store,
        email=body["email"],
        name=body["name"],
        password=body["password"],
        is_admin=bool(body.get("is_admin", False)),
    )
    return Answer.created(public_user(user, full=True), f"/api/users/{user['id']}")


def listing(call: Call) -> Answer:
    call.require_admin()
    page = Page.of(call.request)
    users = [public_user(u, full=True) for u in call.store.users.find()]
    return Answer(page.listing("users", users))


ROUTES = [
    Route("/api/users", ("GET",), listing),
    Route("/api/users", ("POST",), create),
]
