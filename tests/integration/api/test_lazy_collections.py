"""A team server compiles a stored collection on its first use and keeps only the most
recently used ones compiled: restarts read metadata, memory stays bounded, and nothing a
collection answers changes when it is unmounted and compiled again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from conftest import ADMIN, SPECS, Api  # type: ignore[import-not-found]

from pytest_mockamocha.server.assembly import assemble
from pytest_mockamocha.server.config import ServerConfig

PETSTORE = (SPECS / "petstore.yaml").read_bytes()


@contextmanager
def team_server(tmp_path: Path, compiled: int) -> Iterator[tuple[Any, Api]]:
    config = ServerConfig(
        db=tmp_path / "db.json",
        cache_dir=tmp_path / "cache",
        admin=(ADMIN["email"], ADMIN["password"]),
        compiled=compiled,
    )
    built = assemble(config)
    with built.server:
        yield built, Api(built.server.url).login(ADMIN["email"], ADMIN["password"])
    built.close()


def _import(admin: Api, name: str) -> dict[str, Any]:
    coll = admin.data("POST", "/api/collections", 201, json={"name": name})
    admin.data(
        "POST",
        f"/api/collections/{coll['id']}/import",
        201,
        data=PETSTORE,
        headers={"Content-Type": "application/yaml"},
    )
    return dict(coll)


def _rule(admin: Api, coll: dict[str, Any], body: dict[str, Any]) -> None:
    found = admin.data("GET", f"/api/endpoints?collection_id={coll['id']}&per_page=100")
    (ep,) = [e for e in found["endpoints"] if e["operation"] == "GET /pets/{petId}"]
    admin.data("POST", f"/api/endpoints/{ep['id']}/rules", 201, json=body)


def _get(built: Any, slug: str, path: str) -> requests.Response:
    return requests.get(f"{built.server.url}/mocks/{slug}{path}", timeout=10)


def compiled(built: Any) -> list[str]:
    return sorted(c.slug for c in built.engine)


def test_a_restart_compiles_nothing_and_each_collection_on_its_first_request(
    tmp_path: Path,
) -> None:
    with team_server(tmp_path, compiled=8) as (_, admin):
        colls = [_import(admin, name) for name in ("one", "two", "three")]
        _rule(admin, colls[1], {"response": {"status": 200, "json": {"id": 2, "name": "Two"}}})
    with team_server(tmp_path, compiled=8) as (built, admin):
        assert compiled(built) == []
        health = admin.call("GET", "/api/health").json()
        assert health["collections"] == ["one", "two", "three"]  # known, not compiled
        assert compiled(built) == []
        assert _get(built, "two", "/pets/1").json() == {"id": 2, "name": "Two"}  # its rule
        assert compiled(built) == ["two"]
        listing = admin.data("GET", "/api/collections")
        assert [c["endpoints_count"] for c in listing["collections"]] == [8, 8, 8]
        assert compiled(built) == ["two"]  # listing needs no document
        assert _get(built, "nope", "/pets").status_code == 404


def test_past_the_bound_the_least_recently_used_collection_is_unmounted_and_comes_back(
    tmp_path: Path,
) -> None:
    with team_server(tmp_path, compiled=2) as (built, admin):
        colls = [_import(admin, name) for name in ("a", "b", "c")]
        _rule(admin, colls[0], {"response": {"status": 200, "json": {"id": 1, "name": "A"}}})
    with team_server(tmp_path, compiled=2) as (built, admin):
        for slug in ("a", "b", "c"):
            assert _get(built, slug, "/pets").status_code == 200
        # a's rule has not answered yet (GET /pets has none): a went first
        assert compiled(built) == ["b", "c"]
        assert _get(built, "a", "/pets/1").json() == {"id": 1, "name": "A"}  # its rule again
        assert compiled(built) == ["a", "c"]  # b was the least recently used
        assert _get(built, "c", "/pets").status_code == 200
        assert _get(built, "b", "/pets").status_code == 200
        # a's rule has answered (its place in a sequence lives in memory): c went, not a
        assert compiled(built) == ["a", "b"]


def test_a_sequence_keeps_its_position_because_its_collection_is_not_unmounted(
    tmp_path: Path,
) -> None:
    with team_server(tmp_path, compiled=1) as (built, admin):
        colls = [_import(admin, name) for name in ("seq", "other")]
        _rule(admin, colls[0], {"response": {"status": 404}, "then": [{"status": 200}]})
    with team_server(tmp_path, compiled=1) as (built, admin):
        assert _get(built, "seq", "/pets/1").status_code == 404
        assert _get(built, "other", "/pets").status_code == 200
        assert _get(built, "seq", "/pets/1").status_code == 200  # the sequence went on
        assert compiled(built) == ["other", "seq"]  # nothing safe to unmount


def test_coverage_of_the_workspace_compiles_no_collection_nobody_called(tmp_path: Path) -> None:
    with team_server(tmp_path, compiled=8) as (_, admin):
        colls = [_import(admin, name) for name in ("one", "two", "three")]
    with team_server(tmp_path, compiled=8) as (built, admin):
        assert _get(built, "two", "/pets").status_code == 200
        report = admin.data("GET", "/api/analytics/coverage")
        assert [c["slug"] for c in report["collections"]] == ["two"]
        assert compiled(built) == ["two"]  # the others were not compiled to say "0%"
        asked = {"collection_id": colls[2]["id"]}
        (three,) = admin.data("GET", "/api/analytics/coverage", params=asked)["collections"]
        assert (three["slug"], three["operations"]["hit"]) == ("three", 0)  # asked: shown
