"""`mockamocha serve --memory --port 0` in a subprocess, and SDK clients logged in to it."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mockamocha.sdk import Client, Collection, NotFound

SPECS = Path(__file__).parents[1] / "data" / "specs"
ADMIN_EMAIL = "sdk-admin@example.com"
ADMIN_PASSWORD = "a long sdk admin password"
START_TIMEOUT = 30.0


def _first_url(stream: object, found: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        match = re.search(r"serving on (http://\S+)", line)
        if match:
            found.put(match.group(1))
    found.put("")


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The root URL of a real `mockamocha serve` (in memory, any free port)."""
    env = dict(os.environ)
    env.pop("MOCKAMOCHA_SECRET", None)
    env |= {
        "MOCKAMOCHA_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "MOCKAMOCHA_ADMIN_EMAIL": ADMIN_EMAIL,
        "MOCKAMOCHA_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    args = [sys.executable, "-m", "pytest_mockamocha.cli", "serve", "--memory", "--port", "0"]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    found: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_first_url, args=(proc.stderr, found), daemon=True)
    reader.start()
    try:
        url = found.get(timeout=START_TIMEOUT)
        assert url, "mockamocha serve did not start"
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=5)
        assert proc.stderr is not None
        proc.stderr.close()


@pytest.fixture(scope="session")
def admin_token(server_url: str) -> str:
    with Client(server_url) as client:
        return client.login(ADMIN_EMAIL, ADMIN_PASSWORD).access_token


@pytest.fixture
def client(server_url: str, admin_token: str) -> Iterator[Client]:
    with Client(server_url, token=admin_token, timeout=10.0) as mm:
        yield mm


@pytest.fixture
def petstore(client: Client) -> Iterator[Collection]:
    """A fresh collection with petstore.yaml imported; deleted afterwards."""
    coll = client.collections.create(f"Pets {uuid.uuid4().hex[:8]}", description="for the SDK")
    client.collections.import_spec(coll.id, SPECS / "petstore.yaml")
    yield client.collections.get(coll.id)
    with contextlib.suppress(NotFound):  # the test may have deleted it
        client.collections.delete(coll.id)


@pytest.fixture
def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
