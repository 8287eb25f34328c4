"""The JavaScript SDK and the mocks from a page on another origin, in headless Chromium.

Two static servers serve the same page on two origins, one listed with ``cors_origins``
(cookies allowed on the API) and one not. The page imports the SDK from the mock server
itself (``/sdk/mockamocha.js``, no bundler), calls every SDK method, and checks with
``fetch`` what the CORS policy promises: readable ``X-Request-Id`` and ``Location`` with
``credentials: 'include'``, a readable 405 for an undeclared mock method and 404 for an
unknown mock path with a JSON body, and no credentialed access to ``/api`` from an
unlisted origin. .ci/run installs Debian's chromium; without it these tests skip.
"""

from __future__ import annotations

import functools
import html
import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.store import memory_store

SPECS = Path(__file__).parents[1] / "data" / "specs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN = ("browser@example.com", "a long browser password")
PETS = json.loads(json.dumps(__import__("yaml").safe_load((SPECS / "petstore.yaml").read_text())))

#: the page, with %(...)s placeholders for the server, the admin and the document
PAGE = (Path(__file__).parent / "sdk_page.html").read_text()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


def _static(folder: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def origins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """The page's folder and two origins serving it: (folder, listed, unlisted)."""
    folder = tmp_path_factory.mktemp("page")
    listed, unlisted = _static(folder), _static(folder)
    try:
        yield (folder, f"http://127.0.0.1:{listed.server_address[1]}",
               f"http://127.0.0.1:{unlisted.server_address[1]}")
    finally:
        for server in (listed, unlisted):
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def team(origins: tuple[Path, str, str]) -> Iterator[MockServer]:
    engine = Engine()
    api = build_api(memory_store(), engine, b"b" * 32, cache_dir=None)
    api.ensure_admin(*ADMIN)
    with MockServer(engine, management=api, cors_origins=[origins[1]]) as server:
        server.add_spec(load_spec(SPECS / "petstore.yaml"), "petstore")
        yield server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_page(origin: str, folder: Path, team: MockServer, profile: Path) -> dict[str, Any]:
    (folder / "index.html").write_text(PAGE % {
        "server": team.url, "email": ADMIN[0], "password": ADMIN[1], "pets": json.dumps(PETS),
        "closed": f"http://127.0.0.1:{_closed_port()}",
    })
    assert CHROMIUM is not None
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync",
         f"--user-data-dir={profile}", "--virtual-time-budget=30000", "--dump-dom",
         f"{origin}/index.html"],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_every_sdk_method_works_from_a_listed_origin(
    origins: tuple[Path, str, str], team: MockServer, tmp_path: Path
) -> None:
    result = _run_page(origins[1], origins[0], team, tmp_path / "profile")
    assert result["ok"], result
    done = result["done"]
    failed = {name: outcome for name, outcome in done.items() if str(outcome).startswith("FAILED")}
    assert failed == {}
    assert len(done) >= 40
    assert done["health"] == "ok"  # with a token: the preflight no longer answers 405
    assert done["collections.setScenario"] == "paid"  # PUT across origins
    assert done["collections.importSpec(File)"] == 8
    assert done["mock 405 readable"] == [405, "Method Not Allowed", "req_"]
    assert done["mock 404 readable"] == [404, "No such operation"]
    assert done["unknown slug 404 readable"] == 404
    assert done["api with credentials"] == [201, "/api/collections/coll_", "req_"]
    assert done["api with a token only"] == [200, "req_"]
    assert done["transport error says CORS"] == [True, True]
    assert done["collections.delete"] is True


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_an_unlisted_origin_gets_no_credentialed_access_to_the_api(
    origins: tuple[Path, str, str], team: MockServer, tmp_path: Path
) -> None:
    result = _run_page(origins[2], origins[0], team, tmp_path / "profile")
    done = result["done"]
    assert done["api with credentials"].startswith("FAILED TypeError")  # refused by the browser
    assert done["api with a token only"] == [200, "req_"]  # a token works from anywhere
    assert done["mock 405 readable"] == [405, "Method Not Allowed", "req_"]  # mocks are open
