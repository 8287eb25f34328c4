"""Users and workspaces: creation (API, CLI and first start) and the public view."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha._ids import new_id, record_id
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.api.security import HashingLater, hash_password
from pytest_mockamocha.store import Record, Store, utc_now


def normal_email(email: str) -> str:
    return email.strip().lower()


def find_user(store: Store, email: str) -> Record | None:
    wanted = normal_email(email)
    found = store.users.find(email_key=wanted)
    return found[0] if found else None


def create_user(
    store: Store,
    *,
    email: str,
    name: str,
    password: str | None,
    is_admin: bool = False,
    hash_later: bool = False,
) -> Record:
    """A new user with a workspace of its own; 409 when the email is taken.

    ``password=None`` makes a user nobody can sign in as (a pytest session's administrator:
    its fixtures are given tokens). ``hash_later`` hashes the password in a background
    thread (``HashingLater``): for stores in memory only."""
    if "@" not in email or len(email) > 320:
        raise ApiError(422, "the request body is not valid", ['Field "email" must be an email'])
    if password is not None and len(password) < 8:
        raise ApiError(
            422,
            "the request body is not valid",
            ['Field "password" must have at least 8 characters'],
        )
    later = HashingLater(password) if password is not None and hash_later else None
    if later is not None:
        digest: str | None = later.placeholder
    else:
        digest = None if password is None else hash_password(password)
    record = {
        "id": record_id("user"),
        "email": email.strip(),
        "email_key": normal_email(email),
        "name": name.strip(),
        "password_hash": digest,
        "is_admin": is_admin,
        "workspace_id": new_id("ws"),
        "created_at": utc_now(),
    }
    try:
        with store.transaction():
            if find_user(store, email) is not None:
                raise ApiError(409, "a user with this email exists")
            store.users.insert(record)
    except BaseException:
        if later is not None:
            later.discard()
        raise
    if later is not None:
        user_id = str(record["id"])
        later.start(lambda done: _replace_hash(store, user_id, later.placeholder, done))
    return record


def _replace_hash(store: Store, user_id: str, placeholder: str, done: str) -> None:
    """The finished hash in place of its placeholder (unless the password changed since)."""
    with store.transaction():
        user = store.users.get(user_id)
        if user is not None and user.get("password_hash") == placeholder:
            store.users.update(user_id, {"password_hash": done})


def public_user(user: Record, *, full: bool = False) -> dict[str, Any]:
    """What responses show of a user: never the password hash."""
    view = {"id": user["id"], "email": user["email"], "name": user["name"]}
    if full:
        view |= {
            "is_admin": bool(user.get("is_admin")),
            "workspace_id": user["workspace_id"],
            "created_at": user["created_at"],
        }
    return view
