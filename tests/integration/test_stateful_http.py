"""Stateful mode through a real server: CRUD round trips with ``requests``.

Every answer is checked with the collection's own response validator, so the store's
answers must conform to the spec as much as generated ones do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from _mock_specs import SPECS  # type: ignore[import-not-found]
from werkzeug.datastructures import Headers

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.router import RouteMatch
from pytest_mockamocha.engine.stateful.store import StatefulStore
from pytest_mockamocha.server.runtime import MockServer

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
SLUGS = ("petstore", "crud", "crud-twin")


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    """One server: the pet store, the CRUD spec and a twin of it, all stateful."""
    with MockServer(Engine(seed=7)) as running:
        for slug in SLUGS:
            name = "petstore.yaml" if slug == "petstore" else "crud.yaml"
            coll = running.add_spec(SPECS / name, slug)
            running.engine.set_state(coll.slug, StatefulStore(coll))
        yield running


@pytest.fixture
def api(server: MockServer) -> Iterator[Api]:
    server.engine.reset_state()
    with requests.Session() as session:
        yield Api(server, session)


class Api:
    """``requests`` against the mock, each answer validated against the spec."""

    def __init__(self, server: MockServer, session: requests.Session) -> None:
        self.server = server
        self.session = session

    def __call__(
        self, slug: str, method: str, path: str, *, json: Any = None, **kw: Any
    ) -> requests.Response:
        url = self.server.url_for(slug, path)
        response = self.session.request(method, url, json=json, timeout=30, **kw)
        coll = self.server.engine.collection(slug)
        route = coll.router.match(path.split("?", 1)[0], method)
        assert isinstance(route, RouteMatch)
        problems = coll.validator.response(
            route.operation,
            response.status_code,
            response.content,
            Headers(list(response.headers.items())),
            response.headers.get("Content-Type", ""),
        )
        assert problems == [], (method, path, response.status_code, response.text, problems)
        return response

    def json(self, slug: str, method: str, path: str, **kw: Any) -> Any:
        response = self(slug, method, path, **kw)
        assert response.ok, (method, path, response.status_code, response.text)
        return response.json()


def test_pet_crud_round_trip(api: Api, server: MockServer) -> None:
    seeded = api.json("petstore", "GET", "/pets")
    assert len(seeded) == 3

    created = api("petstore", "POST", "/pets", json={"name": "Rex", "tag": "dog"})
    assert created.status_code == 201
    pet = created.json()
    assert pet["id"] == max(p["id"] for p in seeded) + 1
    assert (pet["name"], pet["tag"]) == ("Rex", "dog")
    assert "created_at" in pet
    location = urljoin(created.url, created.headers["Location"])
    assert location == server.url_for("petstore", f"/pets/{pet['id']}")
    assert api.session.get(location, timeout=30).json() == pet

    assert api.json("petstore", "GET", f"/pets/{pet['id']}") == pet
    assert pet in api.json("petstore", "GET", "/pets")

    put = api.json("petstore", "PUT", f"/pets/{pet['id']}", json={"name": "Max", "status": "sold"})
    assert put["id"] == pet["id"]
    assert (put["name"], put["status"], put["created_at"]) == ("Max", "sold", pet["created_at"])
    assert "tag" not in put
    assert api.json("petstore", "GET", f"/pets/{pet['id']}") == put
    assert api.json("petstore", "GET", "/pets?status=sold") == [
        p for p in api.json("petstore", "GET", "/pets") if p.get("status") == "sold"
    ]

    deleted = api("petstore", "DELETE", f"/pets/{pet['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    missing = api("petstore", "GET", f"/pets/{pet['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"code": 404, "message": "Pet not found"}
    assert api.json("petstore", "GET", "/pets") == seeded


def test_pet_list_paging_and_total_header(api: Api) -> None:
    for name in ("A", "B", "C"):
        api("petstore", "POST", "/pets", json={"name": name, "status": "pending"})
    every = api.json("petstore", "GET", "/pets")
    assert len(every) == 6
    page = api("petstore", "GET", "/pets?limit=4")
    assert page.json() == every[:4]
    assert page.headers["X-Total-Count"] == "6"
    pending = api("petstore", "GET", "/pets?status=pending&limit=100")
    assert [p["name"] for p in pending.json()][-3:] == ["A", "B", "C"]
    assert pending.headers["X-Total-Count"] == str(len(pending.json()))


def test_owner_crud_with_uuid_ids_wrapped_lists_and_merge_patch(api: Api) -> None:
    seeded = api.json("crud", "GET", "/owners")
    assert (seeded["total"], len(seeded["data"])) == (3, 3)

    body = {"name": "Ann", "city": "Paris", "email": "ann@example.com", "password": "s3cret-pw"}
    created = api("crud", "POST", "/owners", json=body)
    assert created.status_code == 201
    owner = created.json()
    assert len(owner["id"]) == 36
    assert "password" not in owner
    assert created.headers["Location"] == f"owners/{owner['id']}"

    listed = api.json("crud", "GET", "/owners")
    assert listed["total"] == 4
    assert owner in listed["data"]

    patch = b'{"city": "Nantes", "email": null, "vip": true}'
    patched = api.json("crud", "PATCH", f"/owners/{owner['id']}", data=patch, headers=MERGE_PATCH)
    assert (patched["city"], patched["vip"], patched["name"]) == ("Nantes", True, "Ann")
    assert "email" not in patched
    assert api.json("crud", "GET", f"/owners/{owner['id']}") == patched

    nantes = api.json("crud", "GET", "/owners?city=Nantes&vip=true")
    assert patched in nantes["data"]
    assert all(o["city"] == "Nantes" and o["vip"] for o in nantes["data"])
    assert nantes["total"] == len(nantes["data"])

    assert api("crud", "DELETE", f"/owners/{owner['id']}").status_code == 204
    gone = api("crud", "GET", f"/owners/{owner['id']}")
    assert gone.status_code == 404
    assert gone.headers["Content-Type"] == "application/problem+json"
    assert gone.json() == {
        "type": "https://crud.example.com/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "No such resource.",
    }
    again = api("crud", "PATCH", f"/owners/{owner['id']}", data=b"{}", headers=MERGE_PATCH)
    assert again.status_code == 404


def test_owner_pages(api: Api) -> None:
    for n in range(5):
        api("crud", "POST", "/owners", json={"name": f"Owner {n}", "city": "Lyon"})
    whole = api.json("crud", "GET", "/owners")
    assert whole["total"] == 8
    pages = [api.json("crud", "GET", f"/owners?page={n}&per_page=3") for n in (1, 2, 3)]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert all(p["total"] == 8 for p in pages)
    assert [o for p in pages for o in p["data"]] == whole["data"]
    assert [len(p["data"]) for p in pages] == [3, 3, 2]


def test_nested_pets_are_kept_per_owner(api: Api) -> None:
    ann, bob = (
        api.json("crud", "POST", "/owners", json={"name": n, "city": "Lyon"})["id"]
        for n in ("Ann", "Bob")
    )
    anns = api.json("crud", "GET", f"/owners/{ann}/pets")
    bobs = api.json("crud", "GET", f"/owners/{bob}/pets")
    assert len(anns) == len(bobs) == 3
    assert anns != bobs
    assert {p["ownerId"] for p in anns} == {ann}

    rex = api("crud", "POST", f"/owners/{ann}/pets", json={"name": "Rex", "status": "sold"})
    assert rex.status_code == 201
    pet = rex.json()
    assert pet["ownerId"] == ann
    assert api.json("crud", "GET", f"/owners/{ann}/pets/{pet['id']}") == pet
    assert pet not in api.json("crud", "GET", f"/owners/{bob}/pets")
    assert api.json("crud", "GET", f"/owners/{bob}/pets") == bobs

    put = api.json(
        "crud", "PUT", f"/owners/{ann}/pets/{pet['id']}", json={"name": "Max", "status": "pending"}
    )
    assert (put["id"], put["ownerId"], put["name"]) == (pet["id"], ann, "Max")
    assert api.json("crud", "GET", f"/owners/{ann}/pets?status=pending&limit=10")[-1] == put
    assert api.json("crud", "GET", f"/owners/{ann}/pets?offset=3") == [put]

    assert api("crud", "DELETE", f"/owners/{ann}/pets/{pet['id']}").status_code == 204
    missing = api("crud", "GET", f"/owners/{ann}/pets/{pet['id']}")
    assert missing.status_code == 404
    assert missing.json()["title"] == "Not Found"
    assert api.json("crud", "GET", f"/owners/{ann}/pets") == anns


def test_reset_restores_the_seed(api: Api, server: MockServer) -> None:
    seeded = api.json("petstore", "GET", "/pets")
    api("petstore", "POST", "/pets", json={"name": "Rex"})
    api("petstore", "DELETE", f"/pets/{seeded[0]['id']}")
    assert api.json("petstore", "GET", "/pets") != seeded
    state = server.engine.collection("petstore").state
    assert state is not None
    state.reset()
    assert api.json("petstore", "GET", "/pets") == seeded


def test_two_stores_with_the_same_seed_tell_the_same_story(api: Api) -> None:
    def story(slug: str) -> list[Any]:
        first = api.json(slug, "GET", "/owners")
        made = api.json(slug, "POST", "/owners", json={"name": "Ann", "city": "Paris"})
        pets = api.json(slug, "GET", f"/owners/{made['id']}/pets")
        pet = api.json(
            slug, "POST", f"/owners/{made['id']}/pets", json={"name": "R", "status": "sold"}
        )
        return [first, made, pets, pet, api.json(slug, "GET", "/owners?page=2&per_page=2")]

    assert story("crud") == story("crud-twin")


def test_paths_outside_the_pairs_answer_as_usual(api: Api) -> None:
    assert api.json("crud", "GET", "/health") == {"status": "ok"}
    mine = api("petstore", "GET", "/pets/mine")
    assert mine.status_code == 200
    invalid = api("petstore", "POST", "/pets", json={"name": ""})
    assert invalid.status_code == 422  # request validation still comes first
    assert len(api.json("petstore", "GET", "/pets")) == 3
