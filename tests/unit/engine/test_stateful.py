"""Stateful mode: collection/item path pairs answered from a store of records."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.datastructures import Headers

from pytest_mockamocha.engine import Collection, Engine, MockRequest, MockResponse
from pytest_mockamocha.engine.respond.reply import Reply
from pytest_mockamocha.engine.rules.book import Rule, Step
from pytest_mockamocha.engine.stateful.resources import find_resources
from pytest_mockamocha.engine.stateful.store import StatefulStore, merge_patch
from pytest_mockamocha.errors import StatefulError
from pytest_mockamocha.spec.loader import load_text
from pytest_mockamocha.spec.model import ApiSpec

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}

#: Edge cases: an allOf item with a patterned string id, a list wrapped under meta/items,
#: a POST answering {"data": item}, a DELETE answering a message, no declared 404.
EDGE_SPEC = """\
openapi: 3.1.0
info: {title: Edge, version: '1'}
paths:
  /notes:
    get:
      parameters:
        - {name: pinned, in: query, schema: {type: boolean}}
      responses:
        '200':
          description: Notes.
          content:
            application/json:
              schema:
                type: object
                required: [meta, items]
                properties:
                  meta:
                    type: object
                    required: [total]
                    properties: {total: {type: integer, minimum: 0}}
                  items: {type: array, items: {$ref: '#/components/schemas/Note'}}
    post:
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/NoteIn'}}
          text/plain: {schema: {type: string}}
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema:
                type: object
                required: [data]
                properties: {data: {$ref: '#/components/schemas/Note'}}
  /notes/{code}:
    parameters:
      - {name: code, in: path, required: true, schema: {type: string, pattern: '^N-[0-9]{4}$'}}
    get:
      responses:
        '200':
          description: A note.
          content:
            application/json: {schema: {$ref: '#/components/schemas/Note'}}
    delete:
      responses:
        '200':
          description: Deleted.
          content:
            application/json:
              schema:
                type: object
                required: [deleted]
                properties: {deleted: {type: boolean}}
  /notes/{code}/archive:
    post:
      parameters:
        - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        '204': {description: Archived.}
components:
  schemas:
    Note:
      allOf:
        - type: object
          required: [code]
          properties:
            code: {type: string, pattern: '^N-[0-9]{4}$', readOnly: true}
        - type: object
          required: [text]
          properties:
            text: {type: string, minLength: 1}
            pinned: {type: boolean}
    NoteIn:
      type: object
      required: [text]
      properties:
        text: {type: string, minLength: 1}
        pinned: {type: boolean}
"""


class Client:
    """Requests to one collection of an engine; every answer checked against the spec."""

    def __init__(self, engine: Engine, slug: str, make: Callable[..., MockRequest]) -> None:
        self.engine = engine
        self.coll = engine.collection(slug)
        self.make = make

    def __call__(self, method: str, path: str, *, conform: bool = True, **kw: Any) -> MockResponse:
        response = self.engine.handle(self.coll.slug, self.make(method, path, **kw))
        if conform:
            route = self.coll.router.match(path, method)
            op = route.operation  # type: ignore[union-attr]
            problems = self.coll.validator.response(
                op,
                response.status,
                response.body,
                Headers(response.headers),
                response.content_type or "",
            )
            assert problems == [], (method, path, response.status, response.body, problems)
        return response

    def json(self, method: str, path: str, **kw: Any) -> Any:
        return json.loads(self(method, path, **kw).body)


@pytest.fixture
def specs(load: Callable[[str], ApiSpec]) -> dict[str, ApiSpec]:
    return {
        "petstore": load("petstore.yaml"),
        "crud": load("crud.yaml"),
        "edge": load_text(EDGE_SPEC, source="edge.yaml"),
    }


def stateful_engine(specs: dict[str, ApiSpec], *, seed: int = 0, **kw: Any) -> Engine:
    eng = Engine(seed=seed)
    for slug, spec in specs.items():
        coll = eng.add(spec, slug)
        eng.set_state(coll.slug, StatefulStore(coll, **kw))
    return eng


@pytest.fixture
def engine(specs: dict[str, ApiSpec]) -> Engine:
    return stateful_engine(specs)


@pytest.fixture
def pets(engine: Engine, req: Callable[..., MockRequest]) -> Client:
    return Client(engine, "petstore", req)


@pytest.fixture
def crud(engine: Engine, req: Callable[..., MockRequest]) -> Client:
    return Client(engine, "crud", req)


@pytest.fixture
def edge(engine: Engine, req: Callable[..., MockRequest]) -> Client:
    return Client(engine, "edge", req)


def store(client: Client) -> StatefulStore:
    assert isinstance(client.coll.state, StatefulStore)
    return client.coll.state


# -- discovery ---------------------------------------------------------------------------
def test_petstore_has_one_resource_with_integer_ids(specs: dict[str, ApiSpec]) -> None:
    (pets,) = find_resources(specs["petstore"])
    assert (pets.path, pets.item_path, pets.param, pets.id_field) == (
        "/pets",
        "/pets/{petId}",
        "petId",
        "id",
    )
    assert pets.integer_ids
    assert pets.parents == ()


def test_nested_pairs_are_found_with_their_parents(specs: dict[str, ApiSpec]) -> None:
    found = {r.path: r for r in find_resources(specs["crud"])}
    assert sorted(found) == ["/owners", "/owners/{ownerId}/pets"]
    assert not found["/owners"].integer_ids
    assert found["/owners/{ownerId}/pets"].parents == ("ownerId",)
    assert found["/owners/{ownerId}/pets"].integer_ids


def test_allof_items_and_a_param_named_id_field(specs: dict[str, ApiSpec]) -> None:
    (notes,) = find_resources(specs["edge"])
    assert (notes.path, notes.id_field, notes.integer_ids) == ("/notes", "code", False)


def test_resources_restrict_the_store(engine: Engine) -> None:
    coll = engine.collection("crud")
    only = StatefulStore(coll, resources=["/owners/{ownerId}/pets"])
    assert [r.path for r in only.resources] == ["/owners/{ownerId}/pets"]
    by_item = StatefulStore(coll, resources=["/owners/{ownerId}"])
    assert [r.path for r in by_item.resources] == ["/owners"]


def test_an_unknown_resource_is_refused_naming_the_known_ones(engine: Engine) -> None:
    with pytest.raises(StatefulError, match=r"/nope.*resources: /pets"):
        StatefulStore(engine.collection("petstore"), resources=["/nope"])
    with pytest.raises(StatefulError, match="size"):
        StatefulStore(engine.collection("petstore"), size=-1)


def test_a_restricted_store_leaves_other_resources_alone(engine: Engine, crud: Client) -> None:
    engine.set_state(crud.coll.slug, StatefulStore(crud.coll, resources=["/owners/{ownerId}/pets"]))
    assert crud("GET", "/owners").source != "state"
    owner = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert crud("GET", f"/owners/{owner}/pets").source == "state"


# -- seeding -----------------------------------------------------------------------------
def test_lists_start_with_size_seeded_records_with_unique_ids(pets: Client) -> None:
    listed = pets.json("GET", "/pets")
    assert len(listed) == 3
    assert len({p["id"] for p in listed}) == 3
    assert all("created_at" in p for p in listed)  # readOnly fields are filled


def test_size_sets_how_many_records_are_seeded(
    specs: dict[str, ApiSpec], req: Callable[..., MockRequest]
) -> None:
    empty = Client(stateful_engine(specs, size=0), "petstore", req)
    assert empty.json("GET", "/pets") == []
    many = Client(stateful_engine(specs, size=7), "petstore", req)
    assert len(many.json("GET", "/pets")) == 7


def test_seeded_records_are_readable_by_id(pets: Client) -> None:
    for pet in pets.json("GET", "/pets"):
        assert pets.json("GET", f"/pets/{pet['id']}") == pet


def test_same_seed_same_records_other_seed_other_records(
    specs: dict[str, ApiSpec], req: Callable[..., MockRequest]
) -> None:
    def story(seed: int) -> list[Any]:
        client = Client(stateful_engine(specs, seed=seed), "crud", req)
        first = client.json("GET", "/owners")
        made = client.json("POST", "/owners", json_body={"name": "Ann", "city": "Lyon"})
        pets = client.json("GET", f"/owners/{made['id']}/pets")
        return [first, made, pets]

    assert story(1) == story(1)
    assert story(1) != story(2)


def test_reset_brings_the_seeded_records_back(pets: Client) -> None:
    seeded = pets.json("GET", "/pets")
    pets("POST", "/pets", json_body={"name": "Rex"})
    pets("DELETE", f"/pets/{seeded[0]['id']}")
    assert pets.json("GET", "/pets") != seeded
    store(pets).reset()
    assert pets.json("GET", "/pets") == seeded


def test_a_new_test_starts_from_the_seed(engine: Engine, pets: Client) -> None:
    engine.begin_test("t1", seed=5)
    seeded = pets.json("GET", "/pets")
    pets("POST", "/pets", json_body={"name": "Rex"})
    engine.end_test()
    engine.begin_test("t2", seed=5)
    assert pets.json("GET", "/pets") == seeded


# -- create ------------------------------------------------------------------------------
def test_post_stores_the_body_over_a_generated_item(pets: Client) -> None:
    seeded = pets.json("GET", "/pets")
    response = pets("POST", "/pets", json_body={"name": "Rex", "status": "sold", "tag": None})
    assert response.status == 201
    assert response.source == "state"
    made = json.loads(response.body)
    assert made["id"] == max(p["id"] for p in seeded) + 1
    assert (made["name"], made["status"], made["tag"]) == ("Rex", "sold", None)
    assert "created_at" in made
    assert ("Location", f"pets/{made['id']}") in response.headers
    assert pets.json("GET", f"/pets/{made['id']}") == made
    assert made in pets.json("GET", "/pets")
    again = pets.json("POST", "/pets", json_body={"name": "Tom"})
    assert again["id"] == made["id"] + 1


def test_post_string_ids_follow_their_format_and_write_only_fields_stay_hidden(
    crud: Client,
) -> None:
    body = {"name": "Ann", "city": "Paris", "password": "correct horse"}
    made = crud.json("POST", "/owners", json_body=body)
    assert len(made["id"]) == 36
    assert made["id"].count("-") == 4
    assert "password" not in made
    assert made["createdAt"]
    assert crud.json("GET", f"/owners/{made['id']}") == made


def test_post_answers_the_item_inside_the_declared_wrapper(edge: Client) -> None:
    response = edge("POST", "/notes", json_body={"text": "hello"})
    assert response.status == 200
    data = json.loads(response.body)["data"]
    assert data["text"] == "hello"
    assert data["code"].startswith("N-")
    assert edge.json("GET", f"/notes/{data['code']}") == data


def test_a_non_json_body_falls_through_to_the_normal_answer(edge: Client) -> None:
    before = edge.json("GET", "/notes")
    response = edge("POST", "/notes", body=b"hello", headers={"Content-Type": "text/plain"})
    assert response.source != "state"
    assert edge.json("GET", "/notes") == before


def test_operations_outside_a_pair_are_not_served(pets: Client, edge: Client) -> None:
    assert pets("GET", "/pets/mine").source != "state"
    assert pets("GET", "/stores/downtown/inventory").source != "state"
    assert edge("POST", "/notes/N-0001/archive").source != "state"


# -- read, update, delete ----------------------------------------------------------------
def test_missing_ids_answer_the_declared_404(pets: Client) -> None:
    for method, kw in (("GET", {}), ("PUT", {"json_body": {"name": "X"}}), ("DELETE", {})):
        response = pets(method, "/pets/999999999", **kw)
        assert response.status == 404, method
        assert json.loads(response.body) == {"code": 404, "message": "Pet not found"}


def test_missing_ids_without_a_declared_404_answer_problem_json(edge: Client) -> None:
    response = edge("GET", "/notes/N-0000", conform=False)
    assert response.status == 404
    assert response.content_type == "application/problem+json"
    assert json.loads(response.body)["status"] == 404


def test_put_replaces_but_keeps_id_and_read_only_fields(pets: Client) -> None:
    made = pets.json("POST", "/pets", json_body={"name": "Rex", "tag": "dog", "status": "sold"})
    replaced = pets.json("PUT", f"/pets/{made['id']}", json_body={"name": "Max"})
    assert replaced == {"id": made["id"], "created_at": made["created_at"], "name": "Max"}
    assert pets.json("GET", f"/pets/{made['id']}") == replaced


def test_patch_merges_and_null_removes(crud: Client) -> None:
    made = crud.json(
        "POST", "/owners", json_body={"name": "Ann", "city": "Paris", "email": "a@example.com"}
    )
    patch = json.dumps({"city": "Nantes", "email": None, "vip": True}).encode()
    patched = crud.json("PATCH", f"/owners/{made['id']}", body=patch, headers=MERGE_PATCH)
    assert patched["city"] == "Nantes"
    assert patched["vip"] is True
    assert "email" not in patched
    assert (patched["id"], patched["name"], patched["createdAt"]) == (
        made["id"],
        "Ann",
        made["createdAt"],
    )
    assert crud.json("GET", f"/owners/{made['id']}") == patched


def test_patch_of_a_missing_owner_answers_404(crud: Client) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    response = crud("PATCH", f"/owners/{missing}", body=b'{"vip": true}', headers=MERGE_PATCH)
    assert response.status == 404
    assert json.loads(response.body)["title"] == "Not Found"


def test_delete_removes_then_get_answers_404(pets: Client) -> None:
    seeded = pets.json("GET", "/pets")
    gone = seeded[1]["id"]
    response = pets("DELETE", f"/pets/{gone}")
    assert (response.status, response.body) == (204, b"")
    assert pets("GET", f"/pets/{gone}").status == 404
    assert [p["id"] for p in pets.json("GET", "/pets")] == [seeded[0]["id"], seeded[2]["id"]]
    assert pets("DELETE", f"/pets/{gone}").status == 404


def test_delete_answering_a_message_still_deletes(edge: Client) -> None:
    code = edge.json("GET", "/notes")["items"][0]["code"]
    response = edge("DELETE", f"/notes/{code}")
    assert response.status == 200
    assert "deleted" in json.loads(response.body)
    assert edge("GET", f"/notes/{code}", conform=False).status == 404


# -- lists ---------------------------------------------------------------------------------
def test_filters_on_declared_query_params(pets: Client) -> None:
    pets("POST", "/pets", json_body={"name": "A", "status": "sold"})
    pets("POST", "/pets", json_body={"name": "B", "status": "pending"})
    every = pets.json("GET", "/pets")
    sold = pets("GET", "/pets", query={"status": "sold"})
    listed = json.loads(sold.body)
    assert listed == [p for p in every if p.get("status") == "sold"]
    assert ("X-Total-Count", str(len(listed))) in sold.headers


def test_limit_pages_and_the_total_header_counts_all(pets: Client) -> None:
    every = pets.json("GET", "/pets")
    response = pets("GET", "/pets", query={"limit": 2})
    assert json.loads(response.body) == every[:2]
    assert ("X-Total-Count", "3") in response.headers


def test_wrapped_lists_page_and_count(crud: Client) -> None:
    for n in range(4):
        crud("POST", "/owners", json_body={"name": f"Owner {n}", "city": "Lyon", "vip": True})
    whole = crud.json("GET", "/owners")
    assert (whole["total"], whole["page"]) == (7, 1)
    assert len(whole["data"]) == 7
    second = crud.json("GET", "/owners", query={"page": 2, "per_page": 3})
    assert second["data"] == whole["data"][3:6]
    assert (second["total"], second["page"]) == (7, 2)
    vip = crud.json("GET", "/owners", query={"vip": "true", "city": "Lyon"})
    assert vip["data"] == [o for o in whole["data"] if o.get("vip") and o["city"] == "Lyon"]
    assert vip["total"] == len(vip["data"]) >= 4


def test_nested_wrapper_counts(edge: Client) -> None:
    edge("POST", "/notes", json_body={"text": "a", "pinned": True})
    listed = edge.json("GET", "/notes")
    assert listed["meta"]["total"] == len(listed["items"]) == 4
    pinned = edge.json("GET", "/notes", query={"pinned": "true"})
    assert pinned["items"] == [n for n in listed["items"] if n.get("pinned") is True]


def test_nested_resources_are_kept_per_parent(crud: Client) -> None:
    ann = crud.json("POST", "/owners", json_body={"name": "Ann", "city": "Paris"})["id"]
    bob = crud.json("POST", "/owners", json_body={"name": "Bob", "city": "Lyon"})["id"]
    anns, bobs = (crud.json("GET", f"/owners/{o}/pets") for o in (ann, bob))
    assert anns != bobs
    assert all(p["ownerId"] == ann for p in anns)
    made = crud.json("POST", f"/owners/{ann}/pets", json_body={"name": "Rex", "status": "sold"})
    assert made["ownerId"] == ann
    assert crud.json("GET", f"/owners/{ann}/pets/{made['id']}") == made
    assert (
        crud(  # the same id under another owner is another record, or none
            "GET", f"/owners/{bob}/pets/{made['id']}"
        ).body
        != json.dumps(made).encode()
    )
    assert made not in crud.json("GET", f"/owners/{bob}/pets")
    assert crud.json("GET", f"/owners/{bob}/pets") == bobs
    assert crud.json("GET", f"/owners/{ann}/pets", query={"limit": 1, "offset": 3}) == [made]


def test_a_non_json_accept_is_not_acceptable(pets: Client) -> None:
    response = pets("GET", "/pets", headers={"Accept": "text/csv"}, conform=False)
    assert response.status == 406


def test_rules_still_come_first(engine: Engine, pets: Client) -> None:
    steps = (Step(Reply(status=200, json=[])),)
    engine.rules.put(Rule(id="r1", collection="petstore", operation="GET /pets", steps=steps))
    response = pets("GET", "/pets")
    assert (response.source, response.body) == ("rule", b"[]")


# -- concurrency and the store's own API ---------------------------------------------------
def test_concurrent_creates_get_unique_ids(pets: Client) -> None:
    made: list[int] = []

    def create(n: int) -> None:
        made.append(pets.json("POST", "/pets", json_body={"name": f"P{n}"})["id"])

    threads = [threading.Thread(target=create, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 16
    listed = {p["id"] for p in pets.json("GET", "/pets")}
    assert set(made) <= listed
    assert len(listed) == 19


def test_records_shows_the_store(crud: Client) -> None:
    made = crud.json("POST", "/owners", json_body={"name": "Ann", "city": "Paris"})
    assert made in store(crud).records("/owners")
    crud("GET", f"/owners/{made['id']}/pets")
    pets = store(crud).records("/owners/{ownerId}/pets", ownerId=made["id"])
    assert len(pets) == 3
    with pytest.raises(StatefulError):
        store(crud).records("/nope")


def test_an_item_that_cannot_fit_falls_back_with_a_note(crud: Client) -> None:
    coll: Collection = crud.coll
    made = crud.json("POST", "/owners", json_body={"name": "Ann", "city": "Paris"})
    # break the stored record behind the store's back: the answer falls back, noted
    state = store(crud)
    bucket = state._buckets[("/owners/{ownerId}", ())]
    bucket.records[made["id"]]["city"] = "Atlantis"
    response = crud("GET", f"/owners/{made['id']}")
    assert response.source != "state"
    assert state.notes
    assert "GET /owners/{ownerId}" in state.notes[-1]
    assert coll.state is state


def test_merge_patch_follows_rfc_7396() -> None:
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "keep": [1]}
    patch = {"a": "z", "c": {"f": None}, "keep": [2], "new": {"x": None, "y": 1}}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "keep": [2], "new": {"y": 1}}
    assert target["c"] == {"d": "e", "f": "g"}
    assert merge_patch({"a": 1}, [1, 2]) == [1, 2]
