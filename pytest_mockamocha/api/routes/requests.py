"""``GET /api/requests``: the request journal of the workspace, newest first, paginated.

The journal is bounded (the most recent requests); counts that must be exact live in
``/api/analytics/...`` and ``/api/endpoints``.
"""

from __future__ import annotations

import time
from typing import Any

from pytest_mockamocha.analytics.exchanges import Exchange
from pytest_mockamocha.analytics.journal import RequestRecord
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Page, int_arg
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call


def _iso(epoch: float) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))
    return f"{stamp}.{int(epoch % 1 * 1000):03d}Z"


def view(record: RequestRecord, coll_id: str) -> dict[str, Any]:
    """One journal record as the API shows it."""
    return {
        "id": record.id,
        "timestamp": _iso(record.time),
        "collection_id": coll_id,
        "collection": record.collection,
        "operation": record.operation,
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "status": record.status,
        "response_time_ms": record.duration_us / 1000,
        "source": record.source,
        "test": record.test,
        "rule_id": record.rule_id,
        "violations": list(record.violations),
        "params": list(record.params),
    }


def _flag(values: list[str], name: str) -> bool:
    """A boolean query parameter: absent, ``true`` or ``false``; 422 otherwise."""
    if not values:
        return False
    if len(values) > 1 or values[0] not in ("true", "false"):
        raise ApiError(
            422, "invalid query parameter", [f'Query parameter "{name}" must be true or false']
        )
    return values[0] == "true"


def listing(call: Call) -> Answer:
    page = Page.of(call.request)
    args = call.request.args
    colls = call.collections_among(call.state.engine.journal.slugs())
    wanted = args.get("collection_id")
    operation, test = args.get("operation"), args.get("test")
    status = int_arg(call.request, "status", 0, 100, 599)
    broken = _flag(args.getlist("violations"), "violations")
    rows = [
        r
        for r in reversed(call.state.engine.journal.records())
        if r.collection in colls
        and (not wanted or colls[r.collection] == wanted)
        and (not operation or r.operation == operation)
        and (not status or r.status == status)
        and (not test or r.test == test)
        and (not broken or bool(r.violations))
    ]
    shown = [view(r, colls[r.collection]) for r in page.slice(rows)]
    return Answer(page.result("requests", shown, len(rows)))


def show(call: Call) -> Answer:
    """One request of the journal, with its headers and bodies while they are kept."""
    wanted = call.args["req_id"]
    found = next((r for r in call.state.engine.journal.records() if r.id == wanted), None)
    colls = call.collections_among([found.collection]) if found is not None else {}
    if found is None or found.collection not in colls:
        raise ApiError(404, f"no request {wanted!r} in the journal (it keeps the latest)")
    exchange = call.state.exchanges.get(found.id)
    return Answer(view(found, colls[found.collection]) | {"exchange": _exchange(exchange)})


def _body(data: bytes, size: int) -> dict[str, Any]:
    return {"text": data.decode("utf-8", "replace"), "size": size, "truncated": size > len(data)}


def _exchange(exchange: Exchange | None) -> dict[str, Any] | None:
    if exchange is None:
        return None
    return {
        "request": {
            "headers": [list(h) for h in exchange.request_headers],
            "body": _body(exchange.request_body, exchange.request_size),
        },
        "response": {
            "status": exchange.status,
            "headers": [list(h) for h in exchange.response_headers],
            "body": _body(exchange.response_body, exchange.response_size),
        },
    }


ROUTES = [
    Route("/api/requests", ("GET",), listing),
    Route("/api/requests/<req_id>", ("GET",), show),
]
