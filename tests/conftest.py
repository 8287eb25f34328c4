"""Shared paths for the test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Loaded before pytester snapshots sys.modules, test-harness artefacts users never meet:
# an in-process run that re-imports yaml would pair its new classes with the C
# extension's old ones ("no constructor for the tag None"); one that first imports
# httpcore's network backend would drop it afterwards, and the re-imported backend's
# errors would no longer be the classes httpx maps to its own (a raw httpcore error).
import httpcore._backends.sync  # noqa: F401
import httpx  # noqa: F401
import pytest
import yaml  # noqa: F401

SPECS = Path(__file__).parent / "data" / "specs"


@pytest.fixture(scope="session", autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The suite's compiled documents go to a folder of its own, never the user's cache
    (subprocesses and pytester runs inherit it through the environment)."""
    previous = os.environ.get("MOCKAMOCHA_CACHE_DIR")
    os.environ["MOCKAMOCHA_CACHE_DIR"] = str(tmp_path_factory.mktemp("mockamocha-cache"))
    yield
    if previous is None:
        os.environ.pop("MOCKAMOCHA_CACHE_DIR", None)
    else:
        os.environ["MOCKAMOCHA_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    """The folder of the specs the tests ship."""
    return SPECS


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """pytest-httpserver's upstreams listen on 127.0.0.1, not "localhost": a name that may
    resolve to ::1 first on one machine and to 127.0.0.1 on another."""
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[object]:
    """A throwaway PostgreSQL server for this session (or worker); the tests that need it
    skip, saying why, where PostgreSQL is not installed."""
    from pg import start_cluster

    cluster = start_cluster()
    if isinstance(cluster, str):
        pytest.skip(cluster)
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: object) -> str:
    """The URL of a new, empty PostgreSQL database."""
    return str(postgres_cluster.database())  # type: ignore[attr-defined]
