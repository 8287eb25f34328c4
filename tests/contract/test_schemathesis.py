"""schemathesis drives every management route from /api/openapi.json, authenticated.

Bounded (a few deterministic examples per operation, no example database), against a
server of its own on 127.0.0.1: no server errors, every answer conforming to the
document, schema-valid input accepted and invalid input rejected. The one exception is
the import's payload, whose validity is an OpenAPI document's, which JSON Schema cannot
state: there, only the positive-data check is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.store import memory_store

# the interpreter's own scripts first: a venv's python run without activating the venv
ST = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
SPEC = "/api/collections/{coll_id}/spec"
IMPORT = "/api/collections/{coll_id}/import"


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    engine = Engine()
    cache = tmp_path_factory.mktemp("cache")
    api = build_api(memory_store(), engine, b"s" * 32, cache_dir=cache)
    api.ensure_admin("admin@example.com", "correct horse battery")
    with MockServer(engine, management=api) as running:
        yield running


def _run(server: MockServer, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    assert ST is not None, "schemathesis is in the dev extra"
    command = [
        ST, "run", f"{server.url}/api/openapi.json",
        "--header", f"Authorization: Bearer {server.admin_token}",
        "--max-examples", "8", "--generation-deterministic", "--request-timeout", "10",
        "--no-color", *extra,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          check=False)


def test_every_route_but_import_keeps_the_contract(api_server: MockServer,
                                                   tmp_path: Path) -> None:
    result = _run(api_server, tmp_path, "--checks", "all", "--exclude-path", IMPORT,
                  "--exclude-path", SPEC)
    assert result.returncode == 0, result.stdout[-6000:]


def test_the_stored_document_route_keeps_the_contract(api_server: MockServer,
                                                      tmp_path: Path) -> None:
    """A new collection has no document until one is imported, so its ``/spec`` answers
    404: schemathesis's "created resource not found" (which links POST /api/collections
    to it) does not apply; every other check does."""
    result = _run(api_server, tmp_path, "--checks", "all", "--exclude-checks",
                  "ensure_resource_availability", "--include-path", SPEC)
    assert result.returncode == 0, result.stdout[-6000:]


def test_import_keeps_the_contract(api_server: MockServer, tmp_path: Path) -> None:
    result = _run(api_server, tmp_path, "--checks", "all", "--exclude-checks",
                  "positive_data_acceptance", "--include-path", IMPORT)
    assert result.returncode == 0, result.stdout[-6000:]
