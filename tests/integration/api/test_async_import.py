"""Imports in the background: 202 ``processing`` for large documents or on request, the
outcome at ``/api/imports/{id}``, and a failure that leaves the collection as it was."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import SPECS, Api  # type: ignore[import-not-found]

from pytest_mockamocha.api import ManagementApi
from pytest_mockamocha.api.importjobs import ASYNC_THRESHOLD
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.store import open_store

PETSTORE = (SPECS / "petstore.yaml").read_bytes()
YAML = {"Content-Type": "application/yaml"}


def large_document() -> bytes:
    module_spec = importlib.util.spec_from_file_location(
        "generate_large_async", SPECS / "large" / "generate_large.py"
    )
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return json.dumps(module.build(210)).encode()


def outcome(admin: Api, location: str, seconds: float = 60) -> dict[str, Any]:
    """Poll an import until it is no longer processing."""
    deadline = time.monotonic() + seconds
    while True:
        found: dict[str, Any] = admin.data("GET", location)
        if found["status"] != "processing" or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def collection(admin: Api, name: str) -> dict[str, Any]:
    return dict(admin.data("POST", "/api/collections", 201, json={"name": name}))


def test_prefer_respond_async_answers_202_and_the_import_completes(
    admin: Api, server: MockServer
) -> None:
    coll = collection(admin, "Async shop")
    headers = {**YAML, "Prefer": "respond-async"}
    answer = admin.call("POST", f"/api/collections/{coll['id']}/import", data=PETSTORE,
                        headers=headers)
    assert answer.status_code == 202, answer.text
    assert answer.headers["Preference-Applied"] == "respond-async"
    started = answer.json()["data"]
    assert started["status"] == "processing"
    assert started["finished_at"] is None
    assert answer.headers["Location"] == f"/api/imports/{started['import_id']}"
    done = outcome(admin, answer.headers["Location"])
    assert done["status"] == "completed"
    assert done["stage"] == "completed"
    assert done["endpoints_created"] == 8
    assert done["finished_at"] is not None
    pet = requests.get(f"{server.url}/mocks/{coll['slug']}/pets/1", timeout=10)
    assert pet.status_code == 200


def test_a_document_over_the_threshold_is_imported_in_the_background(
    admin: Api, server: MockServer
) -> None:
    big = large_document()
    assert len(big) > ASYNC_THRESHOLD
    coll = collection(admin, "Large")
    answer = admin.call("POST", f"/api/collections/{coll['id']}/import", data=big,
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 202, answer.text
    assert "Preference-Applied" not in answer.headers
    done = outcome(admin, answer.headers["Location"])
    assert (done["status"], done["endpoints_created"]) == ("completed", 1190)
    endpoints = admin.data("GET", "/api/endpoints", params={"collection_id": coll["id"]})
    assert endpoints["total"] == 1190


def test_a_failed_background_import_leaves_the_collection_as_it_was(
    admin: Api, server: MockServer
) -> None:
    coll = collection(admin, "Kept")
    admin.data("POST", f"/api/collections/{coll['id']}/import", 201, data=PETSTORE,
               headers=YAML)
    broken = b"openapi: 3.0.3\ninfo: {title: x, version: '1'}\n"  # no paths
    answer = admin.call("POST", f"/api/collections/{coll['id']}/import", data=broken,
                        headers={**YAML, "Prefer": "respond-async"})
    assert answer.status_code == 202
    failed = outcome(admin, answer.headers["Location"])
    assert failed["status"] == "failed"
    assert failed["message"].startswith("Import failed: ")
    assert any("paths" in e for e in failed["errors"])
    assert requests.get(f"{server.url}/mocks/{coll['slug']}/pets/1", timeout=10).ok
    endpoints = admin.data("GET", "/api/endpoints", params={"collection_id": coll["id"]})
    assert endpoints["total"] == 8


def test_small_documents_are_still_imported_at_once(admin: Api) -> None:
    coll = collection(admin, "Quick")
    done = admin.data("POST", f"/api/collections/{coll['id']}/import", 201, data=PETSTORE,
                      headers=YAML)
    assert (done["status"], done["stage"], done["errors"]) == ("completed", "completed", [])


def test_another_workspace_cannot_see_the_import(admin: Api, anon: Api) -> None:
    coll = collection(admin, "Private")
    answer = admin.call("POST", f"/api/collections/{coll['id']}/import", data=PETSTORE,
                        headers={**YAML, "Prefer": "respond-async"})
    location = answer.headers["Location"]
    outcome(admin, location)
    admin.data("POST", "/api/users", 201,
               json={"email": "mallory@example.com", "name": "M", "password": "mallory pw 123"})
    other = anon.login("mallory@example.com", "mallory pw 123")
    assert other.call("GET", location).status_code == 404


def test_an_import_cut_short_by_a_stop_is_failed_at_the_next_start(
    tmp_path: Path, management: ManagementApi
) -> None:
    store = open_store(str(tmp_path / "db.json"))
    try:
        store.imports.insert({
            "id": "imp_cut", "status": "processing", "stage": "saving", "endpoints_created": 0,
            "endpoints_updated": 0, "endpoints_removed": 0, "message": "Saving",
            "errors": [], "collection_id": "coll_x", "workspace_id": "ws_x",
            "created_at": "2026-01-01T00:00:00Z", "finished_at": None,
        })
        from pytest_mockamocha.api.catalog import Catalog
        from pytest_mockamocha.engine import Engine

        Catalog(store, Engine()).restore()
        record = store.imports.get("imp_cut")
    finally:
        store.close()
    assert record is not None
    assert record["status"] == "failed"
    assert "stopped before it finished" in record["message"]
    assert record["finished_at"] is not None


def test_a_background_import_says_completed_only_once_its_mock_answers(
    admin: Api, server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import was recorded completed in the transaction that stored the document and
    mounted after it: a client polling in between met a 404. A slow mount (as a large
    document's is) widens that window to where every poll falls in it."""
    from pytest_mockamocha.api.catalog import Catalog

    mount = Catalog.mount

    def slow_mount(self: Catalog, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.5)
        mount(self, *args, **kwargs)

    monkeypatch.setattr(Catalog, "mount", slow_mount)
    coll = collection(admin, "Polled shop")
    answer = admin.call("POST", f"/api/collections/{coll['id']}/import", data=PETSTORE,
                        headers={**YAML, "Prefer": "respond-async"})
    assert answer.status_code == 202, answer.text
    done = outcome(admin, answer.headers["Location"])
    assert done["status"] == "completed"
    pet = requests.get(f"{server.url}/mocks/{coll['slug']}/pets/1", timeout=10)
    assert pet.status_code == 200, pet.text
