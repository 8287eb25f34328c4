"""``/api/collections``: one collection per API document, served at ``/mocks/{slug}``."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha._ids import record_id
from pytest_mockamocha.analytics.journal import CollectionStats
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, Page, checked, json_body, text_field
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.engine.rules.form import parse_delay
from pytest_mockamocha.spec.slug import slugify
from pytest_mockamocha.store import HEAVY, Query, Record, utc_now

CREATE_FIELDS = {
    "name": Field((str,), required=True),
    "description": Field((str,)),
    "slug": Field((str,)),
}
PATCH_FIELDS = {
    "name": Field((str,)),
    "description": Field((str,)),
    "stateful": Field((bool,)),
    "delay": Field((int, float, list), nullable=True),
    "cors": Field((bool,)),
}


def view(
    call: Call,
    coll: Record,
    endpoints_count: int | None = None,
    stats: dict[str, CollectionStats] | None = None,
) -> dict[str, Any]:
    if endpoints_count is None:
        endpoints_count = call.store.endpoints.count(collection_id=coll["id"])
    if stats is None:
        stats = call.state.engine.journal.stats(only=(coll["slug"],))
    counts = stats.get(coll["slug"])
    return {
        "id": coll["id"],
        "name": coll["name"],
        "description": coll.get("description", ""),
        "slug": coll["slug"],
        "mock_url": call.mock_url(coll["slug"]),
        "endpoints_count": endpoints_count,
        "requests_count": counts.requests if counts else 0,
        "stateful": bool(coll.get("stateful", False)),
        "delay": coll.get("delay"),
        "cors": bool(coll.get("cors", True)),
        "created_at": coll["created_at"],
        "updated_at": coll["updated_at"],
    }


def listing(call: Call) -> Answer:
    """One page of the workspace's collections: the store reads that page and counts the
    page's endpoints in one grouped read, whatever the workspace holds."""
    page = Page.of(call.request)
    mine = Query(
        equals={"workspace_id": call.workspace},
        offset=page.offset,
        limit=page.per_page,
        omit=HEAVY["collections"],
    )
    colls = call.store.collections.select(mine)
    counts = call.store.endpoints.count_by("collection_id", [c["id"] for c in colls])
    stats = call.state.engine.journal.stats(only=[c["slug"] for c in colls])
    rows = [view(call, c, counts[c["id"]], stats) for c in colls]
    return Answer(page.result("collections", rows, call.store.collections.total(mine)))


def create(call: Call) -> Answer:
    body = checked(json_body(call.request), CREATE_FIELDS)
    text_field(body, "name")
    catalog = call.state.catalog
    with call.store.transaction():
        wanted = body.get("slug")
        if wanted is not None:
            slug = slugify(wanted)
            if not slug or catalog.unique_slug(slug) != slug:
                raise ApiError(409, f"the slug {wanted!r} is taken or not usable")
        else:
            slug = catalog.unique_slug(body["name"])
        now = utc_now()
        coll = call.store.collections.insert(
            {
                "id": record_id("coll"),
                "workspace_id": call.workspace,
                "name": body["name"].strip(),
                "description": body.get("description", ""),
                "slug": slug,
                "spec": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return Answer.created(view(call, coll, endpoints_count=0), f"/api/collections/{coll['id']}")


def show(call: Call) -> Answer:
    return Answer(view(call, call.collection(call.args["coll_id"])))


def spec(call: Call) -> Answer:
    """The imported document, as stored (bundled: every ref local), for remote sessions."""
    coll = call.collection(call.args["coll_id"], document=True)
    if not coll.get("spec"):
        raise ApiError(404, f"collection {coll['id']!r} has no imported document")
    return Answer({"collection_id": coll["id"], "slug": coll["slug"], "spec": coll["spec"]})


def patch(call: Call) -> Answer:
    coll = call.collection(call.args["coll_id"])
    body = checked(json_body(call.request), PATCH_FIELDS)
    text_field(body, "name")
    if "delay" in body:
        body["delay"] = delay_field(body["delay"])
    fields = {k: v.strip() if k == "name" else v for k, v in body.items()}
    updated = call.store.collections.update(coll["id"], fields | {"updated_at": utc_now()})
    assert updated is not None
    if body.keys() & {"stateful", "delay", "cors"}:
        call.state.catalog.apply_modes(updated)
        call.state.catalog.changed(updated["slug"])
    return Answer(view(call, updated))


def delay_field(value: Any) -> float | list[float] | None:
    """A collection's default delay: seconds, ``[min, max]`` or null (422 otherwise), checked
    as a rule step's delay is."""
    if value is None:
        return None
    low, high, problems = parse_delay(value, ("delay",))
    if problems:
        raise ApiError(422, "the request body is not valid", [str(p) for p in problems])
    return value if high is None else [low, high]


def scenarios(call: Call) -> Answer:
    """The scenarios the collection's rules name, with their current states."""
    coll = call.collection(call.args["coll_id"])
    return Answer(_scenarios(call, coll["slug"]))


def reset(call: Call) -> Answer:
    """Scenarios back to ``started``, rule sequences to their first step, the stateful
    store to its seed data."""
    coll = call.collection(call.args["coll_id"])
    call.state.engine.reset_state(coll["slug"])
    return Answer(_scenarios(call, coll["slug"]))


def set_state(call: Call) -> Answer:
    """Move one scenario to a state by hand."""
    coll = call.collection(call.args["coll_id"])
    body = checked(json_body(call.request), {"state": Field((str,), required=True)})
    text_field(body, "state")
    call.state.engine.rules.set_state(coll["slug"], call.args["name"], body["state"].strip())
    return Answer(_scenarios(call, coll["slug"]))


def _scenarios(call: Call, slug: str) -> dict[str, Any]:
    states = call.state.engine.rules.scenarios(slug)
    return {"scenarios": [{"name": name, "state": state} for name, state in states.items()]}


def delete(call: Call) -> Answer:
    coll = call.collection(call.args["coll_id"])
    call.state.catalog.delete_collection(coll)
    return Answer(None, 204)


ROUTES = [
    Route("/api/collections", ("GET",), listing),
    Route("/api/collections", ("POST",), create),
    Route("/api/collections/<coll_id>", ("GET",), show),
    Route("/api/collections/<coll_id>/spec", ("GET",), spec),
    Route("/api/collections/<coll_id>", ("PATCH",), patch),
    Route("/api/collections/<coll_id>", ("DELETE",), delete),
    Route("/api/collections/<coll_id>/scenarios", ("GET",), scenarios),
    Route("/api/collections/<coll_id>/reset", ("POST",), reset),
    Route("/api/collections/<coll_id>/scenarios/<path:name>", ("PUT",), set_state),
]
