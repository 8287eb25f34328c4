"""``/api/keys``: API keys, shown once at creation, stored as hashes, revoked at once."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha._ids import record_id
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, Page, checked, json_body, text_field
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.security import key_hash, new_api_key
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.store import Record, utc_now

KEY_FIELDS = {"name": Field((str,), required=True)}


def view(record: Record) -> dict[str, Any]:
    return {
        "id": record["id"],
        "name": record["name"],
        "prefix": record["prefix"],
        "created_at": record["created_at"],
        "last_used_at": record.get("last_used_at"),
    }


def create(call: Call) -> Answer:
    body = checked(json_body(call.request), KEY_FIELDS)
    text_field(body, "name")
    key = new_api_key()
    record = call.store.keys.insert(
        {
            "id": record_id("key"),
            "user_id": call.me["id"],
            "workspace_id": call.workspace,
            "name": body["name"].strip(),
            "prefix": key[:8],
            "hash": key_hash(key),
            "created_at": utc_now(),
            "last_used_at": None,
            "revoked": False,
        }
    )
    return Answer.created(view(record) | {"key": key}, f"/api/keys/{record['id']}")


def listing(call: Call) -> Answer:
    page = Page.of(call.request)
    mine = call.store.keys.find(user_id=call.me["id"], revoked=False)
    return Answer(page.listing("keys", [view(k) for k in mine]))


def revoke(call: Call) -> Answer:
    key_id = call.args["key_id"]
    record = call.store.keys.get(key_id)
    if record is None or record["user_id"] != call.me["id"] or record.get("revoked"):
        raise ApiError(404, f"no API key {key_id!r}")
    call.store.keys.update(key_id, {"revoked": True, "revoked_at": utc_now()})
    return Answer(None, 204)


ROUTES = [
    Route("/api/keys", ("GET",), listing),
    Route("/api/keys", ("POST",), create),
    Route("/api/keys/<key_id>", ("DELETE",), revoke),
]
