"""``/api/collections``: one collection per API document, served at ``/mocks/{slug}``."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha._ids import new_id
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.inputs import Field, Page, checked, json_body, text_field
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.spec.slug import slugify
from pytest_mockamocha.store import Record, utc_now

CREATE_FIELDS = {
    "name": Field((str,), required=True),
    "description": Field((str,)),
    "slug": Field((str,)),
}
PATCH_FIELDS = {"name": Field((str,)), "description": Field((str,))}


def view(call: Call, coll: Record) -> dict[str, Any]:
    return {
        "id": coll["id"],
        "name": coll["name"],
        "description": coll.get("description", ""),
        "slug": coll["slug"],
        "mock_url": call.mock_url(coll["slug"]),
        "endpoints_count": call.store.endpoints.count(collection_id=coll["id"]),
        "created_at": coll["created_at"],
        "updated_at": coll["updated_at"],
    }


def listing(call: Call) -> Answer:
    page = Page.of(call.request)
    mine = call.store.collections.find(workspace_id=call.workspace)
    rows = [view(call, c) for c in page.slice(mine)]
    return Answer(page.result("collections", rows, len(mine)))


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
                "id": new_id("coll"),
                "workspace_id": call.workspace,
                "name": body["name"].strip(),
                "description": body.get("description", ""),
                "slug": slug,
                "spec": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return Answer(view(call, coll), 201)


def show(call: Call) -> Answer:
    return Answer(view(call, call.collection(call.args["coll_id"])))


def spec(call: Call) -> Answer:
    """The imported document, as stored (bundled: every ref local), for remote sessions."""
    coll = call.collection(call.args["coll_id"])
    if not coll.get("spec"):
        raise ApiError(404, f"collection {coll['id']!r} has no imported document")
    return Answer({"collection_id": coll["id"], "slug": coll["slug"], "spec": coll["spec"]})


def patch(call: Call) -> Answer:
    coll = call.collection(call.args["coll_id"])
    body = checked(json_body(call.request), PATCH_FIELDS)
    text_field(body, "name")
    fields = {k: v.strip() if k == "name" else v for k, v in body.items()}
    updated = call.store.collections.update(coll["id"], fields | {"updated_at": utc_now()})
    assert updated is not None
    return Answer(view(call, updated))


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
]
