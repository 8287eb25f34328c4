"""``/api/endpoints/{id}/rules``: stored response rules, live in the mock at once."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.api.envelope import Answer
from pytest_mockamocha.api.inputs import Page, json_body
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.rulejson import PATCH_FIELDS, check_rule
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.store import Record, utc_now


def view(call: Call, rule: Record) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "endpoint_id": rule["endpoint_id"],
        "name": rule.get("name", ""),
        "match": rule.get("match") or {},
        "response": rule["response"],
        "priority": rule.get("priority", 0),
        "enabled": rule.get("enabled", True),
        "hits": call.state.engine.rules.hits(rule["id"]),
        "created_at": rule["created_at"],
        "updated_at": rule.get("updated_at", rule["created_at"]),
    }


def listing(call: Call) -> Answer:
    endpoint, _ = call.endpoint(call.args["ep_id"])
    page = Page.of(call.request)
    rules = call.store.rules.find(endpoint_id=endpoint["id"])
    rules.sort(key=lambda r: (-int(r.get("priority", 0)), r["created_at"]))
    return Answer(page.listing("rules", [view(call, r) for r in rules]))


def create(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    body = check_rule(json_body(call.request))
    now = utc_now()
    rule = call.store.rules.insert(
        {
            "id": new_id("rule"),
            "endpoint_id": endpoint["id"],
            "collection_id": coll["id"],
            "name": body.get("name", ""),
            "match": body.get("match") or {},
            "response": body["response"],
            "priority": body.get("priority", 0),
            "enabled": body.get("enabled", True),
            "created_at": now,
            "updated_at": now,
        }
    )
    call.state.catalog.put_rule(rule, coll, endpoint)
    return Answer(view(call, rule), 201)


def show(call: Call) -> Answer:
    endpoint, _ = call.endpoint(call.args["ep_id"])
    return Answer(view(call, call.rule(endpoint, call.args["rule_id"])))


def patch(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    rule = call.rule(endpoint, call.args["rule_id"])
    body = check_rule(json_body(call.request), PATCH_FIELDS)
    updated = call.store.rules.update(rule["id"], body | {"updated_at": utc_now()})
    assert updated is not None
    call.state.catalog.put_rule(updated, coll, endpoint)
    return Answer(view(call, updated))


def delete(call: Call) -> Answer:
    endpoint, _ = call.endpoint(call.args["ep_id"])
    rule = call.rule(endpoint, call.args["rule_id"])
    call.store.rules.delete(rule["id"])
    call.state.engine.rules.remove(rule["id"])
    return Answer(None, 204)


ROUTES = [
    Route("/api/endpoints/<ep_id>/rules", ("GET",), listing),
    Route("/api/endpoints/<ep_id>/rules", ("POST",), create),
    Route("/api/endpoints/<ep_id>/rules/<rule_id>", ("GET",), show),
    Route("/api/endpoints/<ep_id>/rules/<rule_id>", ("PATCH",), patch),
    Route("/api/endpoints/<ep_id>/rules/<rule_id>", ("DELETE",), delete),
]
