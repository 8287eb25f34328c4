"""The client verbs of `mockamocha` (click's CliRunner) against a real `mockamocha serve`."""

from __future__ import annotations

import importlib.util
import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import httpx
import pytest
from click.testing import CliRunner, Result
from conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SPECS  # type: ignore[import-not-found]

from pytest_mockamocha.cli import client_cmds
from pytest_mockamocha.cli.client_cmds import COMMANDS


@click.group()
def cli() -> None:
    """The verbs under test, as the real group registers them."""


for command in COMMANDS:
    cli.add_command(command)


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("MOCKAMOCHA_CONFIG_DIR", str(folder))
    for name in ("MOCKAMOCHA_URL", "MOCKAMOCHA_TOKEN", "MOCKAMOCHA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return folder


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


@pytest.fixture
def logged_in(server_url: str) -> str:
    run("login", "--url", server_url, "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    return server_url


def test_login_stores_a_private_token(server_url: str, config_home: Path) -> None:
    result = run(
        "login", "--url", server_url + "/", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD
    )
    assert f"logged in to {server_url} as {ADMIN_EMAIL}" in result.stdout
    stored = config_home / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    data = json.loads(stored.read_text())
    assert data["url"] == server_url
    assert data["token"].count(".") == 2
    assert ADMIN_PASSWORD not in stored.read_text()
    assert run("collections", "list").exit_code == 0
    run("logout")
    assert not stored.exists()


def test_password_from_the_prompt(server_url: str) -> None:
    result = CliRunner().invoke(
        cli, ["login", "--url", server_url, "--email", ADMIN_EMAIL], input=ADMIN_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert ADMIN_PASSWORD not in result.output


def test_wrong_password_exits_3_with_one_line(server_url: str, config_home: Path) -> None:
    result = run(
        "login", "--url", server_url, "--email", ADMIN_EMAIL, "--password", "nope nope", code=3
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert "401 UNAUTHORIZED" in result.stderr
    assert not (config_home / "credentials.json").exists()


def test_not_logged_in_exits_3(server_url: str) -> None:
    result = run("collections", "list", "--url", server_url, code=3)
    assert result.stderr.startswith("Error: not logged in to")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_token_exits_3(server_url: str) -> None:
    result = run("collections", "list", "--url", server_url, "--token", "bogus", code=3)
    assert "UNAUTHORIZED" in result.stderr


def test_token_and_url_from_the_environment(
    server_url: str, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKAMOCHA_URL", server_url)
    monkeypatch.setenv("MOCKAMOCHA_TOKEN", admin_token)
    assert json.loads(run("collections", "list", "--json").stdout) is not None


def test_stored_token_is_not_sent_to_another_server(logged_in: str, free_port: int) -> None:
    result = run("collections", "list", "--url", f"http://127.0.0.1:{free_port}", code=3)
    assert "not logged in" in result.stderr


def test_unreachable_server_exits_1(logged_in: str, free_port: int) -> None:
    url = f"http://127.0.0.1:{free_port}"
    result = run("collections", "list", "--url", url, "--token", "t", code=1)
    assert "cannot reach" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_collections_import_endpoints_rules_analytics(logged_in: str) -> None:
    name = f"CLI {uuid.uuid4().hex[:8]}"
    made = json.loads(run("collections", "create", name, "--description", "d", "--json").stdout)
    coll_id = made["id"]
    try:
        listed = run("collections", "list").stdout.splitlines()
        assert listed[0].split() == ["ID", "NAME", "SLUG", "ENDPOINTS", "MOCK", "URL"]
        assert any(line.startswith(coll_id) for line in listed)
        done = run("import", str(SPECS / "petstore.yaml"), "--collection", coll_id)
        assert "8 created, 0 updated, 0 removed (completed)" in done.stdout
        endpoints = json.loads(run("endpoints", "list", "--collection", coll_id, "--json").stdout)
        assert len(endpoints) == 8
        (pet,) = [e for e in endpoints if e["operation_id"] == "getPet"]
        table = run("endpoints", "list", "--collection", coll_id, "--method", "GET").stdout
        assert "/pets/{petId}" in table
        assert " POST " not in table
        _rules(pet["id"], made["mock_url"])
        stats = json.loads(run("analytics", "--collection", coll_id, "--json").stdout)
        assert stats["total_requests"] == 1
        text = run("analytics", "--collection", coll_id, "--period", "7d").stdout
        assert text.startswith("1 requests to 1 endpoints (period 7d)")
        assert "/pets/{petId}" in text
    finally:
        assert f"deleted {coll_id}" in run("collections", "delete", coll_id).stdout
    missing = run("collections", "delete", coll_id, code=1)
    assert missing.stderr.startswith("Error: 404 NOT_FOUND")


def _rules(ep_id: str, mock_url: str) -> None:
    added = run(
        "rules",
        "add",
        ep_id,
        "--path-param",
        "petId=5",
        "--status",
        "200",
        "--respond-json",
        '{"id": 5, "name": "Five"}',
        "--respond-header",
        "X-Rule=yes",
        "--priority",
        "3",
        "--name",
        "five",
        "--json",
    )
    rule = json.loads(added.stdout)
    assert rule["match"] == {"path": {"petId": "5"}}
    answer = httpx.get(mock_url + "/pets/5", timeout=5)
    assert answer.json() == {"id": 5, "name": "Five"}
    assert answer.headers["X-Rule"] == "yes"
    listing = run("rules", "list", ep_id).stdout.splitlines()
    assert listing[0].split()[:5] == ["ID", "NAME", "PRIORITY", "ENABLED", "HITS"]
    assert listing[1].split()[:5] == [rule["id"], "five", "3", "yes", "1"]
    assert f"deleted {rule['id']}" in run("rules", "delete", ep_id, rule["id"]).stdout
    assert run("rules", "list", ep_id).stdout.strip() == "no rules"


def test_bad_options_are_usage_errors(logged_in: str) -> None:
    result = run("rules", "add", "ep_x", "--respond-json", "{nope", code=2)
    assert "not JSON" in result.stderr
    assert run("rules", "add", "ep_x", "--query", "novalue", code=2).exit_code == 2
    assert run("import", "missing.yaml", "--collection", "c", code=2).exit_code == 2


def test_validation_error_is_one_line(logged_in: str) -> None:
    result = run("collections", "create", "   ", code=1)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: 422 VALIDATION_ERROR")
    assert "request req_" in line


def test_large_import_shows_progress(logged_in: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_cmds, "PROGRESS_FROM", 0)
    coll_id = json.loads(run("collections", "create", "Big", "--json").stdout)["id"]
    try:
        result = run("import", str(SPECS / "petstore.yaml"), "--collection", coll_id, "--json")
    finally:
        run("collections", "delete", coll_id)
    assert "uploading petstore.yaml" in result.stderr
    assert json.loads(result.stdout)["endpoints_created"] == 8


@pytest.fixture
def cli_petstore(logged_in: str) -> Iterator[dict[str, Any]]:
    """A collection with petstore.yaml, made and deleted through the verbs."""
    made = json.loads(run("collections", "create", f"CLI {uuid.uuid4().hex[:8]}", "--json").stdout)
    run("import", str(SPECS / "petstore.yaml"), "--collection", made["id"])
    yield made
    run("collections", "delete", made["id"])


def _endpoint(coll_id: str, operation_id: str) -> str:
    endpoints = json.loads(run("endpoints", "list", "--collection", coll_id, "--json").stdout)
    return str(next(e["id"] for e in endpoints if e["operation_id"] == operation_id))


def test_rules_add_a_sequence_in_a_scenario_then_scenarios_and_reset(
    cli_petstore: dict[str, Any],
) -> None:
    coll_id, mock_url = cli_petstore["id"], cli_petstore["mock_url"]
    ep_id = _endpoint(coll_id, "getPet")
    added = run(
        "rules",
        "add",
        ep_id,
        "--path-param",
        "petId=7",
        "--status",
        "404",
        "--respond-header",
        "X-Why=gone",
        "--times",
        "1",
        "--then",
        '{"json": {"id": 7, "name": "Rex"}}',
        "--scenario",
        "adoption",
        "--next-state",
        "seen",
        "--name",
        "adopt",
    ).stdout
    assert "(priority 0, 2 steps, scenario 'adoption' in 'started')" in added
    rule_id = added.split()[1]
    assert run("scenarios", coll_id).stdout.split() == ["SCENARIO", "STATE", "adoption", "started"]

    first = httpx.get(mock_url + "/pets/7", timeout=5)
    assert (first.status_code, first.headers["X-Why"]) == (404, "gone")
    listing = run("rules", "list", ep_id).stdout.splitlines()
    assert listing[0].split()[:7] == [
        "ID",
        "NAME",
        "PRIORITY",
        "ENABLED",
        "HITS",
        "STEPS",
        "SCENARIO",
    ]
    assert listing[1].split()[:7] == [
        rule_id,
        "adopt",
        "0",
        "yes",
        "1",
        "2",
        "adoption:started->seen",
    ]
    assert json.loads(run("scenarios", coll_id, "--json").stdout) == [
        {"name": "adoption", "state": "seen"}
    ]
    moved = run("scenarios", coll_id, "--set", "adoption=started", "--json").stdout
    assert json.loads(moved) == [{"name": "adoption", "state": "started"}]
    second = httpx.get(mock_url + "/pets/7", timeout=5)
    assert second.json() == {"id": 7, "name": "Rex"}

    reset = run("reset", coll_id).stdout.splitlines()
    assert reset[0] == f"reset {coll_id}"
    assert reset[2].split() == ["adoption", "started"]
    assert httpx.get(mock_url + "/pets/7", timeout=5).status_code == 404
    assert json.loads(run("reset", coll_id, "--json").stdout) == [
        {"name": "adoption", "state": "started"}
    ]


def test_rules_add_the_whole_response_step_and_warnings(cli_petstore: dict[str, Any]) -> None:
    ep_id = _endpoint(cli_petstore["id"], "getPet")
    made = run(
        "rules",
        "add",
        ep_id,
        "--response",
        '{"json": {"id": "seven"}, "status": 201}',
        "--status",
        "200",
        "--delay",
        "0,0.01",
        "--then",
        '[{"example": "dog"}, {"status": 404}]',
        "--json",
    )
    rule = json.loads(made.stdout)
    assert rule["response"] == {"json": {"id": "seven"}, "status": 200, "delay": [0.0, 0.01]}
    assert rule["then"] == [{"example": "dog"}, {"status": 404}]
    assert rule["warnings"]
    text = run("rules", "add", ep_id, "--respond-json", '{"id": "eight"}')
    assert text.stdout.startswith("added rule_")
    assert "warning: step 1 breaks the contract" in text.stderr


def test_rules_add_refuses_bad_steps(cli_petstore: dict[str, Any]) -> None:
    ep_id = _endpoint(cli_petstore["id"], "getPet")
    bad = run("rules", "add", ep_id, "--fault", "explode", code=1)
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith("Error: 422 VALIDATION_ERROR")
    assert '"response.fault"' in line
    assert run("rules", "add", ep_id, "--state", "x", code=1).exit_code == 1
    assert "not JSON" in run("rules", "add", ep_id, "--then", "{nope", code=2).stderr
    assert "JSON object" in run("rules", "add", ep_id, "--response", "[1]", code=2).stderr
    assert "MIN,MAX" in run("rules", "add", ep_id, "--delay", "1,2,3", code=2).stderr
    assert run("rules", "list", ep_id).stdout.strip() == "no rules"


def test_collections_update_stateful_and_delay(cli_petstore: dict[str, Any]) -> None:
    coll_id, mock_url = cli_petstore["id"], cli_petstore["mock_url"]
    text = run("collections", "update", coll_id, "--stateful", "--delay", "0.01").stdout
    assert text == f"updated {coll_id} {cli_petstore['name']!r}; stateful, delay 0.01\n"
    made = httpx.post(mock_url + "/pets", json={"name": "Rex"}, timeout=5)
    assert made.status_code == 201
    pet_url = f"{mock_url}/pets/{made.json()['id']}"
    assert httpx.get(pet_url, timeout=5).json()["name"] == "Rex"
    assert run("reset", coll_id).stdout == f"reset {coll_id}\n"
    assert httpx.get(pet_url, timeout=5).status_code == 404  # back to the seed data
    changed = json.loads(
        run("collections", "update", coll_id, "--no-stateful", "--no-delay", "--json").stdout
    )
    assert (changed["stateful"], changed["delay"]) == (False, None)
    ranged = json.loads(
        run("collections", "update", coll_id, "--delay", "0.01,0.02", "--json").stdout
    )
    assert ranged["delay"] == [0.01, 0.02]
    assert run("collections", "update", coll_id, "--delay", "2,1", code=1).stderr.startswith(
        "Error: 422 VALIDATION_ERROR"
    )
    assert run("collections", "update", coll_id, "--delay", "1", "--no-delay", code=2)
    assert run("collections", "update", coll_id, "--delay", "soon", code=2)


def test_scenarios_and_reset_of_an_unknown_collection(logged_in: str) -> None:
    for verb in ("scenarios", "reset"):
        missing = run(verb, "coll_missing", code=1)
        assert missing.stderr.startswith("Error: 404 NOT_FOUND")
    assert run("scenarios", "coll_missing", "--set", "novalue", code=2)
    assert run("scenarios", "--help").stdout.count("--set NAME=STATE") == 1


def test_a_large_import_can_be_left_to_finish_in_the_background(
    logged_in: str, tmp_path: Path
) -> None:
    module_spec = importlib.util.spec_from_file_location(
        "generate_large_cli", SPECS / "large" / "generate_large.py"
    )
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    big = tmp_path / "large.json"
    big.write_text(json.dumps(module.build(210)))
    coll_id = json.loads(run("collections", "create", "Background", "--json").stdout)["id"]
    try:
        started = run("import", str(big), "--collection", coll_id, "--no-wait", "--json")
        record = json.loads(started.stdout)
        assert record["status"] == "processing"
        shown = run("imports", "show", record["import_id"], "--wait")
        assert f"{record['import_id']}: completed" in shown.stdout
        waited = run("import", str(big), "--collection", coll_id, "--json")
        assert json.loads(waited.stdout)["status"] == "completed"
    finally:
        run("collections", "delete", coll_id)
