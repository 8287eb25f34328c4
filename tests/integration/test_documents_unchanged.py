"""A served document is never changed by serving it.

``serve`` stores the document the engine serves as it is when it was read back from the
compiled-document cache (no copy: ~60 ms on GitHub's document). That is only safe while
nothing the engine or the API does writes into it, which these tests hold true across the
features that read the document most."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import requests

from pytest_mockamocha.server.assembly import Assembly, assemble
from pytest_mockamocha.server.config import ServerConfig, parse_document

SPECS = Path(__file__).parents[1] / "data" / "specs"
PETSTORE = SPECS / "petstore.yaml"


def _config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(
        documents=(parse_document(f"shop={PETSTORE}"),),
        keep_documents=True,
        cache_dir=tmp_path / "cache",
    )


def _api(built: Assembly, method: str, path: str, **kwargs: Any) -> Any:
    answer = requests.request(
        method,
        built.server.url + path,
        headers={"Authorization": f"Bearer {built.server.admin_token}"},
        timeout=10,
        **kwargs,
    )
    assert answer.status_code < 300, answer.text
    return answer.json()["data"]


def test_a_document_read_from_the_cache_is_stored_as_served(tmp_path: Path) -> None:
    assemble(_config(tmp_path)).close()  # fills the cache
    built = assemble(_config(tmp_path))
    (stored,) = built.api.state.store.collections.find()
    assert stored["spec"] is built.engine.collection("shop").spec.document
    built.close()


def test_a_document_compiled_now_is_stored_as_a_copy(tmp_path: Path) -> None:
    built = assemble(ServerConfig(documents=(parse_document(f"shop={PETSTORE}"),),
                                  keep_documents=True))
    (stored,) = built.api.state.store.collections.find()
    served = built.engine.collection("shop").spec.document
    assert stored["spec"] == served
    assert stored["spec"] is not served
    built.close()


def test_serving_and_managing_a_collection_leave_its_document_as_it_was(
    tmp_path: Path,
) -> None:
    assemble(_config(tmp_path)).close()
    built = assemble(_config(tmp_path))
    served = built.engine.collection("shop").spec.document
    before = copy.deepcopy(served)
    with built.server:
        mocks = built.server.url_for("shop", "")
        for path in ("/pets", "/pets/1", "/pets?limit=2", "/pets/notanumber", "/nowhere"):
            requests.get(mocks + path, timeout=10)
        requests.post(mocks + "/pets", json={"name": "Rex", "tag": "dog"}, timeout=10)
        requests.post(mocks + "/pets", json={"name": 7}, timeout=10)  # invalid
        requests.get(mocks + "/pets/1", headers={"Prefer": "code=404"}, timeout=10)
        requests.get(mocks + "/pets", headers={"Prefer": "dynamic=true"}, timeout=10)
        (coll,) = _api(built, "GET", "/api/collections")["collections"]
        _api(built, "GET", f"/api/collections/{coll['id']}/spec")
        endpoints = _api(built, "GET", "/api/endpoints", params={"per_page": 100})["endpoints"]
        one = next(e for e in endpoints if e["method"] == "GET" and "{" in e["path"])
        _api(built, "POST", f"/api/endpoints/{one['id']}/rules",
             json={"response": {"status": 200, "json": {"id": 5, "name": "Ruled"}}})
        made = _api(built, "POST", f"/api/endpoints/{one['id']}/generate-data", json={"count": 3})
        assert made["records_generated"] == 3
        assert requests.get(mocks + one["path"].replace("{petId}", "5"), timeout=10).json() == {
            "id": 5, "name": "Ruled"}
        _api(built, "PATCH", f"/api/collections/{coll['id']}", json={"stateful": True})
        pet = requests.post(mocks + "/pets", json={"name": "Zed"}, timeout=10).json()
        assert pet in requests.get(mocks + "/pets", timeout=10).json()  # stateful
        requests.delete(mocks + f"/pets/{pet['id']}", timeout=10)
    built.close()
    assert served == before
