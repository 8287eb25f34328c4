"""The server serves the JavaScript SDK as one ES module, made from the SDK's sources."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from pytest_mockamocha.server import MockServer

SDK_SRC = Path(__file__).parents[2] / "sdk" / "js" / "src"
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def server() -> MockServer:
    with MockServer() as running:
        yield running  # type: ignore[misc]


def test_the_module_is_cacheable_and_readable_from_any_origin(server: MockServer) -> None:
    first = requests.get(f"{server.url}/sdk/mockamocha.js", headers={"Origin": "http://x:1"},
                         timeout=10)
    assert first.status_code == 200
    assert first.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "export class Client" in first.text
    assert "from './" not in first.text  # one module: nothing left to fetch
    etag = first.headers["ETag"]
    again = requests.get(f"{server.url}/sdk/mockamocha.js", headers={"If-None-Match": etag},
                         timeout=10)
    assert again.status_code == 304
    assert again.content == b""
    types = requests.get(f"{server.url}/sdk/mockamocha.d.ts", timeout=10)
    assert types.status_code == 200
    assert "export declare class Client" in types.text
    assert requests.post(f"{server.url}/sdk/mockamocha.js", timeout=10).status_code == 405


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_bundle_exports_what_the_sources_export(server: MockServer, tmp_path: Path) -> None:
    bundle = tmp_path / "mockamocha.mjs"
    bundle.write_bytes(requests.get(f"{server.url}/sdk/mockamocha.js", timeout=10).content)
    probe = (
        "const a = await import(process.argv[1]); const b = await import(process.argv[2]);"
        "console.log(JSON.stringify([Object.keys(a).sort(), Object.keys(b).sort()]));"
    )
    assert NODE is not None
    out = subprocess.run(
        [NODE, "--input-type=module", "-e", probe, bundle.as_uri(),
         (SDK_SRC / "index.js").as_uri()],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    served, sources = json.loads(out)
    assert served == sources
    assert "Client" in served
