"""`mockamocha serve` with rule files, stateful collections and a recording proxy."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

SPECS = Path(__file__).parents[1] / "data" / "specs"
CLI = [sys.executable, "-m", "pytest_mockamocha.cli"]


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKAMOCHA_CACHE_DIR", str(tmp_path / "cache"))


def serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--spec",
            f"shop={SPECS / 'petstore.yaml'}",
            "--port",
            "0",
            "--memory",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"serve did not start: {err}")
    return proc, line.split()[1]


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_rules_and_stateful_from_the_command_line(
    tmp_path: Path, stop: list[subprocess.Popen[str]]
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - operation: getPet\n    match: {path: {petId: 13}}\n"
        "    response: {status: 404}\n"
    )
    proc, url = serve("--rules", str(rules), "--stateful", "shop")
    stop.append(proc)
    assert requests.get(url + "/pets/13", timeout=5).status_code == 404
    made = requests.post(url + "/pets", json={"name": "Zed"}, timeout=5)
    assert made.status_code == 201
    pet_id = made.json()["id"]
    assert requests.get(url + f"/pets/{pet_id}", timeout=5).json()["name"] == "Zed"
    assert requests.delete(url + f"/pets/{pet_id}", timeout=5).status_code == 204
    assert requests.get(url + f"/pets/{pet_id}", timeout=5).status_code == 404


def test_a_broken_rule_file_stops_serve_naming_the_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - operation: getPet\n    response: {fault: explode}\n")
    result = subprocess.run(
        [
            *CLI,
            "serve",
            "--spec",
            str(SPECS / "petstore.yaml"),
            "--port",
            "0",
            "--memory",
            "--rules",
            str(rules),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "rules.yaml:3:" in result.stderr
    assert "response.fault" in result.stderr
    assert "Traceback" not in result.stderr


def test_proxy_records_on_exit(
    tmp_path: Path, httpserver: Any, stop: list[subprocess.Popen[str]]
) -> None:
    httpserver.expect_request("/pets/42").respond_with_json({"id": 42, "name": "Fluffy"})
    recording = tmp_path / "recorded.yaml"
    proc, url = serve("--proxy", f"shop={httpserver.url_for('/')}", "--record", str(recording))
    answer = requests.get(url + "/pets/42", timeout=5)
    assert answer.json() == {"id": 42, "name": "Fluffy"}
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    _, err = proc.communicate(timeout=10)
    assert "recorded 1 exchange(s)" in err
    rules = yaml.safe_load(recording.read_text())["rules"]
    assert rules[0]["operation"] == "GET /pets/{petId}"
    assert rules[0]["response"]["json"] == {"id": 42, "name": "Fluffy"}
    replay, url = serve("--rules", str(recording))
    stop.append(replay)
    assert requests.get(url + "/pets/42", timeout=5).json() == {"id": 42, "name": "Fluffy"}
