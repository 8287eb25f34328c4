"""Rule files, stateful collections and the rule fixture methods through pytester."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

RULES = """\
version: 1
rules:
  - operation: getPet
    match: {path: {petId: 7}}
    response: {status: 404}
  - operation: listPets
    response: {status: 503, json: {down: true}, times: 1}
    then: [{json: []}]
"""


def test_a_rule_file_applies_to_every_test_with_sequences_restarting(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    (pytester.path / "rules.yaml").write_text(RULES)
    pytester.makeini(
        "[pytest]\nmockamocha_spec = petstore.yaml\nmockamocha_rules = rules.yaml\n"
        "mockamocha_strict = false\n"
    )
    pytester.makepyfile(
        """
        import requests

        def test_one(mockamocha):
            assert requests.get(mockamocha.base_url + "/pets/7").status_code == 404
            assert requests.get(mockamocha.base_url + "/pets/8").status_code == 200
            assert requests.get(mockamocha.base_url + "/pets").status_code == 503
            assert requests.get(mockamocha.base_url + "/pets").json() == []

        def test_two_starts_the_sequence_again(mockamocha):
            assert requests.get(mockamocha.base_url + "/pets").status_code == 503
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)


def test_a_broken_rule_file_is_a_usage_error_naming_the_line(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    rules = pytester.path / "rules.yaml"
    rules.write_text("rules:\n  - operation: getPet\n    response: {status: 9000}\n")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess(
        "--mockamocha-spec", str(petstore), "--mockamocha-rules", str(rules)
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*mockamocha:*rules.yaml: 1 problem(s)*", "*rules.yaml:3: *response.status*100 to 599"]
    )


def test_a_rule_file_off_the_contract_stops_a_strict_session_and_warns_otherwise(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    rules = pytester.path / "rules.yaml"
    rules.write_text(
        "rules:\n  - operation: getPet\n    response: {status: 200, json: {id: x, name: R}}\n"
    )
    pytester.makepyfile("def test_nothing():\n    pass\n")
    args = ("--mockamocha-spec", str(petstore), "--mockamocha-rules", str(rules))
    strict = pytester.runpytest_subprocess(*args)
    assert strict.ret == pytest.ExitCode.USAGE_ERROR
    strict.stderr.fnmatch_lines(["*rules that break the contract:", "*rules.yaml:3:*body.id*"])
    lenient = pytester.runpytest_subprocess(*args, "--mockamocha-no-strict")
    lenient.assert_outcomes(passed=1)
    lenient.stdout.fnmatch_lines(["*MockamochaWarning*rules.yaml:3:*body.id*"])


def test_a_stateful_collection_keeps_what_a_test_posts_until_it_ends(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_create_then_read(mockamocha):
            made = requests.post(mockamocha.base_url + "/pets", json={"name": "Rex"})
            assert made.status_code == 201
            pet = made.json()
            got = requests.get(mockamocha.base_url + f"/pets/{pet['id']}")
            assert got.json()["name"] == "Rex"
            assert requests.delete(mockamocha.base_url + f"/pets/{pet['id']}").status_code == 204
            assert requests.get(mockamocha.base_url + f"/pets/{pet['id']}").status_code == 404

        def test_the_next_test_starts_from_the_seed(mockamocha):
            names = [p["name"] for p in requests.get(mockamocha.base_url + "/pets").json()]
            assert "Rex" not in names
        """
    )
    result = pytester.runpytest_subprocess(
        "--mockamocha-spec", str(petstore), "--mockamocha-stateful", "petstore", "-p", "no:randomly"
    )
    result.assert_outcomes(passed=2)


def test_the_fixture_switches_stateful_mode_and_delays_for_one_test(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_stateful(mockamocha):
            mockamocha.stateful(["/pets"])
            made = requests.post(mockamocha.base_url + "/pets", json={"name": "Zed"}).json()
            assert requests.get(mockamocha.base_url + f"/pets/{made['id']}").json()["name"] == "Zed"

        def test_stateless_again(mockamocha):
            assert mockamocha.collection().state is None
            assert mockamocha.collection().delay == (0.0, None)

        def test_unknown_resource(mockamocha):
            import pytest
            from pytest_mockamocha import RuleError
            with pytest.raises(RuleError, match="/nowhere"):
                mockamocha.stateful(["/nowhere"])
        """
    )
    result = pytester.runpytest_subprocess("--mockamocha-spec", str(petstore), "-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_bad_proxy_and_record_options_are_usage_errors(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    bad = pytester.runpytest_subprocess("--mockamocha-proxy", "petstore=ftp://x")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*SLUG=URL with an http:// or https:// URL*"])
    lonely = pytester.runpytest_subprocess(
        "--mockamocha-spec", str(petstore), "--mockamocha-record", "out.yaml"
    )
    assert lonely.ret == pytest.ExitCode.USAGE_ERROR
    lonely.stderr.fnmatch_lines(["*--mockamocha-record needs --mockamocha-proxy*"])
    unknown = pytester.runpytest_subprocess(
        "--mockamocha-spec", str(petstore), "--mockamocha-stateful", "shop"
    )
    assert unknown.ret == pytest.ExitCode.USAGE_ERROR
    unknown.stderr.fnmatch_lines(["*--mockamocha-stateful: no collection 'shop'*"])


def test_proxy_record_then_replay_offline(
    pytester: pytest.Pytester, petstore: Path, httpserver: Any
) -> None:
    httpserver.expect_request("/pets/42").respond_with_json({"id": 42, "name": "Fluffy"})
    httpserver.expect_request("/pets").respond_with_json([{"id": 42, "name": "Fluffy"}])
    pytester.makepyfile(
        """
        import requests

        def test_calls(mockamocha):
            assert requests.get(mockamocha.base_url + "/pets/42").json()["name"] == "Fluffy"
            assert requests.get(mockamocha.base_url + "/pets").json()[0]["id"] == 42
        """
    )
    recording = pytester.path / "recorded.yaml"
    live = pytester.runpytest_subprocess(
        "--mockamocha-spec",
        str(petstore),
        "--mockamocha-proxy",
        f"petstore={httpserver.url_for('/')}",
        "--mockamocha-record",
        str(recording),
    )
    live.assert_outcomes(passed=1)
    assert len(httpserver.log) == 2
    assert "operation: GET /pets/{petId}" in recording.read_text()
    httpserver.clear()  # no handlers, empty log: only the recording can answer
    replay = pytester.runpytest_subprocess(
        "--mockamocha-spec", str(petstore), "--mockamocha-rules", str(recording)
    )
    replay.assert_outcomes(passed=1)
    assert httpserver.log == []  # offline: nothing reached the upstream


def test_each_xdist_worker_writes_its_own_recording(
    pytester: pytest.Pytester, petstore: Path, httpserver: Any
) -> None:
    httpserver.expect_request("/pets/42").respond_with_json({"id": 42, "name": "Fluffy"})
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.parametrize("n", range(4))
        def test_calls(mockamocha, n):
            assert requests.get(mockamocha.base_url + "/pets/42").json()["id"] == 42
        """
    )
    result = pytester.runpytest_subprocess(
        "-n",
        "2",
        "--mockamocha-spec",
        str(petstore),
        "--mockamocha-proxy",
        f"petstore={httpserver.url_for('/')}",
        "--mockamocha-record",
        str(pytester.path / "recorded.yaml"),
    )
    result.assert_outcomes(passed=4)
    written = sorted(p.name for p in pytester.path.glob("recorded*.yaml"))
    assert written == ["recorded.gw0.yaml", "recorded.gw1.yaml"]
