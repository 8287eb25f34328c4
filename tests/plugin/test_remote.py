"""--mockamocha-remote: a team server's collections and stored rules, served in a session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mockamocha.api import build_api
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.sdk import Client
from pytest_mockamocha.server import MockServer
from pytest_mockamocha.store import memory_store

SPECS = Path(__file__).parents[1] / "data" / "specs"

SUITE = """
import requests

def test_remote(mockamocha):
    assert mockamocha.base_url.endswith("/mocks/shop")
    ruled = requests.get(mockamocha.base_url + "/pets/42")
    assert ruled.status_code == 404
    assert ruled.json() == {"message": "kept on the team server"}
    assert requests.get(mockamocha.base_url + "/pets/1").status_code == 200
"""


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[MockServer]:
    engine = Engine()
    api = build_api(memory_store(), engine, b"t" * 32, cache_dir=tmp_path / "cache")
    api.ensure_admin("team@example.com", "a long team password")
    with MockServer(engine, management=api) as server:
        with Client(server.url, token=server.admin_token) as client:
            coll = client.collections.create("Shop", slug="shop")
            client.collections.import_spec(coll.id, SPECS / "petstore.yaml")
            get_pet = next(e for e in client.endpoints.iter(collection_id=coll.id)
                           if e.operation == "GET /pets/{petId}")
            client.rules.create(get_pet.id, match={"path": {"petId": "42"}},
                                response={"status": 404,
                                          "json": {"message": "kept on the team server"}})
            client.collections.create("Empty")
        yield server


def test_remote_collections_and_rules_are_served(pytester: pytest.Pytester,
                                                 team_server: MockServer) -> None:
    pytester.makepyfile(SUITE)
    result = pytester.runpytest("--mockamocha-remote", team_server.url,
                                "--mockamocha-token", team_server.admin_token,
                                "--mockamocha-collection", "Shop")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["shop (*/mocks/shop): 2 requests, 0 violations*operations 1/7*"])


def test_the_token_may_come_from_the_environment(pytester: pytest.Pytester,
                                                 team_server: MockServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKAMOCHA_TOKEN", team_server.admin_token)
    pytester.makepyfile(SUITE)
    pytester.makeini(f"[pytest]\nmockamocha_remote = {team_server.url}\n"
                     "mockamocha_collection = shop\n")
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("case", ["unreachable", "bad-token", "unknown-collection", "no-token"])
def test_a_bad_remote_stops_the_session_with_one_line(pytester: pytest.Pytester,
                                                      team_server: MockServer, case: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOCKAMOCHA_TOKEN", raising=False)
    url, token, extra = team_server.url, team_server.admin_token, []
    if case == "unreachable":
        url = "http://127.0.0.1:9"
    elif case == "bad-token":
        token = "not-a-token"
    elif case == "unknown-collection":
        extra = ["--mockamocha-collection", "Nope"]
    args = ["--mockamocha-remote", url, *extra]
    if case != "no-token":
        args += ["--mockamocha-token", token]
    pytester.makepyfile("def test_never():\n    pass\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = [line for line in result.stderr.lines if "mockamocha:" in line]
    assert len(lines) == 1, result.stderr.str()
    assert token not in result.stderr.str() or case == "no-token"
    expected = {"unreachable": "cannot load collections", "bad-token": "cannot load collections",
                "unknown-collection": "has no collection Nope", "no-token": "needs a token"}
    assert expected[case] in lines[0]
