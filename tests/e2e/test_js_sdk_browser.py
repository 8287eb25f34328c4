"""The JavaScript SDK, loaded as an ES module in headless Chromium from another origin.

The page is served by a static server of its own; the SDK logs in to a real management
API, creates a collection and lists collections, which also proves the API's CORS.
.ci/run installs Debian's chromium; without it this test is skipped.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.store import memory_store

SDK_SRC = Path(__file__).parents[2] / "sdk" / "js" / "src"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN = ("browser@example.com", "a long browser password")

PAGE = """<!doctype html>
<pre id="out">pending</pre>
<script type="module">
import { Client } from './src/index.js';
const out = document.getElementById('out');
try {
  const client = new Client({ baseUrl: '%(api)s' });
  await client.login('%(email)s', '%(password)s');
  const made = await client.collections.create('From the browser');
  const listed = await client.collections.list();
  out.textContent = JSON.stringify({ ok: true, name: made.name, total: listed.total });
} catch (error) {
  out.textContent = JSON.stringify({ ok: false, error: String(error) });
}
</script>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def api_url() -> Iterator[str]:
    engine = Engine()
    api = build_api(memory_store(), engine, b"b" * 32, cache_dir=None)
    api.ensure_admin(*ADMIN)
    with MockServer(engine, management=api) as server:
        yield server.url


@pytest.fixture
def page_url(tmp_path: Path, api_url: str) -> Iterator[str]:
    shutil.copytree(SDK_SRC, tmp_path / "src")
    (tmp_path / "index.html").write_text(
        PAGE % {"api": api_url, "email": ADMIN[0], "password": ADMIN[1]})
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    static = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=static.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{static.server_address[1]}/index.html"
    finally:
        static.shutdown()
        static.server_close()


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_the_sdk_works_in_a_browser_across_origins(page_url: str, tmp_path: Path) -> None:
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=15000",
         "--dump-dom", page_url],
        capture_output=True, text=True, timeout=90, check=False,
    ).stdout
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert result == {"ok": True, "name": "From the browser", "total": 1}
