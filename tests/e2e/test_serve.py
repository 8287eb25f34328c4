"""`mockamocha serve` as a subprocess, driven through a real HTTP client."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SPECS = Path(__file__).parents[1] / "data" / "specs"
CLI = [sys.executable, "-m", "pytest_mockamocha.cli"]


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKAMOCHA_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*CLI, "serve", "--spec", f"shop={SPECS / 'petstore.yaml'}",
         "--spec", str(SPECS / "multifile" / "api.yaml"), "--port", "0", "--memory"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    urls = [proc.stdout.readline().strip() for _ in range(2)]
    try:
        yield proc, urls[0].split()[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_serve_prints_urls_and_answers(served: tuple[subprocess.Popen[str], str]) -> None:
    proc, shop_url = served
    assert shop_url.startswith("http://127.0.0.1:")
    assert shop_url.endswith("/mocks/shop")
    root = shop_url.rsplit("/mocks/", 1)[0]
    with urllib.request.urlopen(root + "/api/health", timeout=5) as r:
        # a team server names collections only to a caller who may use them
        assert json.load(r) == {"status": "ok", "collections": []}
    with urllib.request.urlopen(shop_url + "/pets/1", timeout=5) as r:
        assert r.status == 200
        assert json.load(r)["name"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_serve_caches_the_spec_check_and_reports_a_taken_port(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*CLI, "serve", "--spec", str(SPECS / "petstore.yaml"), "--port", str(port),
             "--memory"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((cache / "checks").glob("*.json"))) == 1
    assert len(list((cache / "documents").glob("*.json"))) == 1


def test_serve_can_keep_no_cache(tmp_path: Path) -> None:
    cache = tmp_path / "elsewhere"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*CLI, "serve", "--spec", str(SPECS / "petstore.yaml"), "--port", str(port),
             "--memory", "--no-cache", "--cache-dir", str(cache)],
            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1  # the port is taken: the document was loaded before that
    assert "cannot listen" in result.stderr
    assert not cache.exists()


def test_serve_refuses_a_broken_spec_with_one_line() -> None:
    result = subprocess.run([*CLI, "serve", "--spec", str(SPECS / "broken" / "broken_ref.yaml"),
                             "--port", "0", "--memory"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 1
    assert "broken_ref.yaml" in result.stderr
    assert "points nowhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_lets_listed_origins_use_cookies_on_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MOCKAMOCHA_CORS_ORIGINS", "https://env.example")
    proc = subprocess.Popen(
        [*CLI, "serve", "--spec", f"shop={SPECS / 'petstore.yaml'}", "--port", "0", "--memory",
         "--cors-origin", "https://app.example:8443"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    root = proc.stdout.readline().split()[1].rsplit("/mocks/", 1)[0]
    try:
        def credentials(origin: str) -> str | None:
            request = urllib.request.Request(root + "/api/collections", method="OPTIONS", headers={
                "Origin": origin, "Access-Control-Request-Method": "GET"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert answer.status == 204
                return answer.headers.get("Access-Control-Allow-Credentials")

        assert credentials("https://app.example:8443") == "true"
        assert credentials("https://other.example") is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)


def test_serve_refuses_a_cors_origin_that_is_no_origin() -> None:
    result = subprocess.run(
        [*CLI, "serve", "--memory", "--port", "0", "--cors-origin", "app.example/path"],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "is not an origin" in result.stderr
