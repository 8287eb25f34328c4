"""``/api/endpoints/{id}/rules``: stored response rules, live in the mock at once.

A rule is sent as JSON, or as YAML (``Content-Type: application/yaml``), the same object a
rule file holds."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha._ids import record_id
from pytest_mockamocha.api.envelope import Answer
from pytest_mockamocha.api.inputs import Page, json_or_yaml_body
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.rulejson import STORED_KEYS, check_rule, live_collection
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.store import Record, utc_now


def view(call: Call, rule: Record, warnings: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "endpoint_id": rule["endpoint_id"],
        "name": rule.get("name", ""),
        "match": rule.get("match") or {},
        "response": rule["response"],
        "then": rule.get("then") or [],
        "priority": rule.get("priority", 0),
        "enabled": rule.get("enabled", True),
        "scenario": rule.get("scenario"),
        "state": rule.get("state", "started") if rule.get("scenario") else None,
        "next_state": rule.get("next_state"),
        "hits": call.state.engine.rules.hits(rule["id"]),
        "warnings": rule.get("warnings", []) if warnings is None else warnings,
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
    live = live_collection(call.state.engine, coll["slug"])
    form, warnings = check_rule(json_or_yaml_body(call.request), live, endpoint["operation"])
    now = utc_now()
    rule = call.store.rules.insert(
        {
            "id": record_id("rule"),
            "endpoint_id": endpoint["id"],
            "collection_id": coll["id"],
            "name": "",
            "match": {},
            "priority": 0,
            "enabled": True,
            **form,
            "warnings": warnings,
            "created_at": now,
            "updated_at": now,
        }
    )
    call.state.catalog.save_rule(rule, coll, endpoint)
    return Answer.created(view(call, rule), f"/api/endpoints/{endpoint['id']}/rules/{rule['id']}")


def show(call: Call) -> Answer:
    endpoint, _ = call.endpoint(call.args["ep_id"])
    return Answer(view(call, call.rule(endpoint, call.args["rule_id"])))


def patch(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    rule = call.rule(endpoint, call.args["rule_id"])
    live = live_collection(call.state.engine, coll["slug"])
    base = {key: rule[key] for key in STORED_KEYS if key in rule}
    form, warnings = check_rule(json_or_yaml_body(call.request), live, endpoint["operation"], base)
    changes = {key: form.get(key) for key in STORED_KEYS if key in form or key in rule}
    updated = call.store.rules.update(
        rule["id"], changes | {"warnings": warnings, "updated_at": utc_now()}
    )
    assert updated is not None
    call.state.catalog.save_rule(updated, coll, endpoint)
    return Answer(view(call, updated))


def delete(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    rule = call.rule(endpoint, call.args["rule_id"])
    call.state.catalog.delete_rule(rule, coll)
    return Answer(None, 204)


ROUTES = [
    Route("/api/endpoints/<ep_id>/rules", ("GET",), listing),
    Route("/api/endpoints/<ep_id>/rules", ("POST",), create),
    Route("/api/endpoints/<ep_id>/rules/<rule_id>", ("GET",), show),
    Route("/api/endpoints/<ep_id>/rules/<rule_id>", ("PATCH",), patch),
    Route("/api/endpoints/<ep_id>/rules/<rule_id>", ("DELETE",), delete),
]
