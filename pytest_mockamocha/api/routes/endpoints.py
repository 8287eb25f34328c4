"""``/api/endpoints``: the operations of imported documents, with real traffic counts."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from pytest_mockamocha.analytics.journal import CollectionStats
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, Page, checked, json_body, text_field
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.store import HEAVY, Query, Record, utc_now

PATCH_FIELDS = {"name": Field((str,)), "description": Field((str,))}
SORTS = ("path", "method", "name", "created_at", "requests_count", "last_request_at")
TRAFFIC = ("requests_count", "last_request_at")


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def view(
    call: Call,
    endpoint: Record,
    slug: str,
    stats: dict[str, CollectionStats],
    rules_count: int | None = None,
) -> dict[str, Any]:
    counts = stats.get(slug)
    operation = endpoint["operation"]
    if rules_count is None:
        rules_count = call.store.rules.count(endpoint_id=endpoint["id"])
    return {
        "id": endpoint["id"],
        "method": endpoint["method"],
        "path": endpoint["path"],
        "name": endpoint["name"],
        "description": endpoint.get("description", ""),
        "operation": operation,
        "operation_id": endpoint.get("operation_id"),
        "collection_id": endpoint["collection_id"],
        "response_rules_count": rules_count,
        "requests_count": counts.by_operation.get(operation, 0) if counts else 0,
        "last_request_at": _iso(counts.last_by_operation.get(operation)) if counts else None,
        "created_at": endpoint["created_at"],
    }


def _filters(call: Call) -> Query:
    """The listing's filters as a store query over the workspace's endpoints."""
    args = call.request.args
    coll_id, method = args.get("collection_id"), (args.get("method") or "").upper()
    path, q = args.get("path") or "", args.get("q") or ""
    return Query(
        equals={"workspace_id": call.workspace}
        | ({"method": method} if method else {})
        | ({"collection_id": coll_id} if coll_id else {}),
        contains={"path": path} if path else {},
        search=(("name", "path"), q) if q else None,
    )


def _sort_key(call: Call) -> tuple[str, bool]:
    raw = call.request.args.get("sort") or "path"
    field, reverse = raw.removeprefix("-"), raw.startswith("-")
    if field not in SORTS:
        raise ApiError(
            422,
            "invalid query parameter",
            [f'Query parameter "sort" must be one of {", ".join(SORTS)} (prefix - for descending)'],
        )
    return field, reverse


def stored_order(field: str, reverse: bool) -> tuple[tuple[str, bool], ...]:
    """The listing's order by a stored field: then by method (by path when sorted by
    method), each pair the order of an index the store reads a page from."""
    then = "path" if field == "method" else "method"
    return ((field, reverse), (then, reverse))


#: past this many endpoints with traffic, a traffic-sorted page reads every match instead
#: of leaving them out of an indexed read by id
MAX_WITH_TRAFFIC = 2_000


def listing(call: Call) -> Answer:
    """One page of endpoints, read from an index of the store whatever the workspace holds;
    sorted by traffic (kept in the request journal, not the store), see ``_by_traffic``."""
    page = Page.of(call.request)
    field, reverse = _sort_key(call)
    query = _filters(call)
    if field in TRAFFIC:
        found, total = _by_traffic(call, query, page, field, reverse)
    else:
        order = stored_order(field, reverse)
        cut = replace(query, order=order, offset=page.offset, limit=page.per_page)
        found = call.store.endpoints.select(cut)
        total = call.store.endpoints.total(query)
    owners = {ep["collection_id"] for ep in found}
    named = Query(within={"id": list(owners)}, omit=HEAVY["collections"])
    slugs = {c["id"]: c["slug"] for c in call.store.collections.select(named)}
    stats = call.state.engine.journal.stats(only=set(slugs.values()))
    rows = [view(call, ep, slugs.get(ep["collection_id"], ""), stats, 0) for ep in found]
    counts = call.store.rules.count_by("endpoint_id", [r["id"] for r in rows])
    for row in rows:
        row["response_rules_count"] = counts[row["id"]]
    return Answer(page.result("endpoints", rows, total))


def _by_traffic(
    call: Call, query: Query, page: Page, field: str, reverse: bool
) -> tuple[list[Record], int]:
    """A page sorted by ``requests_count`` or ``last_request_at`` (then method, path and
    creation, all reversed by ``-``), and the total.

    Only endpoints that had traffic have a value; every other one holds the same (0, or
    no date), so they form one block ordered as ``sort=method`` is, read from its index
    with the busy ones left out. The busy ones are few (the journal's collections of this
    workspace), read and sorted here. With more than ``MAX_WITH_TRAFFIC`` of them, every
    match is read and sorted."""
    journal = call.state.engine.journal
    ids = call.collections_among(journal.slugs())
    by_id = {ids[slug]: counts for slug, counts in journal.stats(only=ids).items()}

    def value(ep: Record) -> Any:
        counts = by_id.get(ep["collection_id"])
        if field == "requests_count":
            return counts.by_operation.get(ep["operation"], 0) if counts else 0
        return counts.last_by_operation.get(ep["operation"]) if counts else None

    def key(ep: Record) -> tuple[Any, ...]:
        found = value(ep)
        return (found is None, 0 if found is None else found, ep["method"], ep["path"])

    # by collection alone (they are the workspace's): asked for the workspace too, SQLite's
    # planner would read the workspace's index
    others = {k: v for k, v in query.equals.items() if k != "workspace_id"}
    busy_query = replace(query, equals=others, within={"collection_id": list(by_id)})
    candidates = call.store.endpoints.select(busy_query) if by_id else []
    busy = [ep for ep in candidates if value(ep) not in (0, None)]
    if len(busy) > MAX_WITH_TRAFFIC:
        everything = call.store.endpoints.select(query)
        if reverse:  # ties reversed too: descending is the exact reverse of ascending
            everything.reverse()
        everything.sort(key=key, reverse=reverse)
        return page.slice(everything), len(everything)
    if reverse:
        busy.reverse()
    busy.sort(key=key, reverse=reverse)
    total = call.store.endpoints.total(query)
    quiet = total - len(busy)
    # no traffic is the least count, and no date sorts after every date
    quiet_first = (field == "requests_count") != reverse
    spans = {"quiet": (0, quiet), "busy": (quiet, total)}
    if not quiet_first:
        spans = {"busy": (0, len(busy)), "quiet": (len(busy), total)}
    shown: dict[str, list[Record]] = {}
    for block, (low, high) in spans.items():
        first, last = max(page.offset, low), min(page.offset + page.per_page, high)
        if block == "busy":
            shown[block] = busy[first - low : last - low] if last > first else []
        elif last > first:
            cut = replace(
                query,
                without={"id": [ep["id"] for ep in busy]},
                order=stored_order("method", reverse),
                offset=first - low,
                limit=last - first,
            )
            shown[block] = call.store.endpoints.select(cut)
        else:
            shown[block] = []
    return [ep for block in spans for ep in shown[block]], total


def show(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    stats = call.state.engine.journal.stats(only=(coll["slug"],))
    return Answer(view(call, endpoint, coll["slug"], stats))


def patch(call: Call) -> Answer:
    endpoint, coll = call.endpoint(call.args["ep_id"])
    body = checked(json_body(call.request), PATCH_FIELDS)
    text_field(body, "name")
    updated = call.store.endpoints.update(endpoint["id"], body | {"updated_at": utc_now()})
    assert updated is not None
    stats = call.state.engine.journal.stats(only=(coll["slug"],))
    return Answer(view(call, updated, coll["slug"], stats))


def delete(call: Call) -> Answer:
    endpoint, _ = call.endpoint(call.args["ep_id"])
    call.state.catalog.delete_endpoint(endpoint)
    return Answer(None, 204)


ROUTES = [
    Route("/api/endpoints", ("GET",), listing),
    Route("/api/endpoints/<ep_id>", ("GET",), show),
    Route("/api/endpoints/<ep_id>", ("PATCH",), patch),
    Route("/api/endpoints/<ep_id>", ("DELETE",), delete),
]
