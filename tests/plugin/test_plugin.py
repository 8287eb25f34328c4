"""The plugin through pytester: options, ini, marker, fixtures, strict failures, summary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SPECS = Path(__file__).parents[1] / "data" / "specs"


def test_options_are_listed_under_their_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*contract-checked mock APIs*", "*--mockamocha-spec*"])
    for option in ("--mockamocha-no-strict", "--mockamocha-seed", "--mockamocha-host",
                   "--mockamocha-port", "--mockamocha-server", "--mockamocha-max-body"):
        assert option in result.stdout.str()
    result.stdout.fnmatch_lines(["*mockamocha_spec*", "*mockamocha_strict*"])


def test_spec_option_serves_the_mock(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_get(mockamocha):
            r = requests.get(mockamocha.base_url + "/pets/12")
            assert r.status_code == 200
            assert r.json()["name"]
            assert mockamocha.base_url.endswith("/mocks/petstore")
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*= mockamocha =*", "petstore (http://127.0.0.1:*): 1 requests,"
                                 " 0 violations, 0 unmatched; coverage: operations 1/7 *"])


def test_ini_key_with_slug(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makeini("[pytest]\nmockamocha_spec = shop=petstore.yaml\n")
    pytester.makepyfile(
        """
        import urllib.request

        def test_slug(mockamocha):
            assert mockamocha.base_url.endswith("/mocks/shop")
            with urllib.request.urlopen(mockamocha.url_for("shop", "/pets")) as r:
                assert r.status == 200
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_strict_failure_names_request_violation_and_operation(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_bad(mockamocha):
            assert requests.get(mockamocha.base_url + "/pets/abc").status_code == 400
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*mockamocha (strict): 1 request(s) to the mock broke the API contract*",
        "*GET /pets/abc -> 400 (invalid)*",
        "*operation: GET /pets/{petId}*",
        "*violation: path.petId*",
    ])


def test_strict_failure_for_unmatched_names_nearest(pytester: pytest.Pytester,
                                                    petstore: Path) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_typo(mockamocha):
            assert requests.get(mockamocha.base_url + "/pet/3").status_code == 404
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*GET /pet/3 -> 404 (unmatched)*",
                                 "*matches no operation; nearest: GET /pets/{petId}*"])


def test_no_strict_only_reports(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_bad(mockamocha):
            requests.get(mockamocha.base_url + "/pets?limit=1000")
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore), "--mockamocha-no-strict")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*1 violations*", "*GET /pets?limit=1000 -> 400 (invalid)*"])


def test_marker_on_module_class_and_test(pytester: pytest.Pytester, petstore: Path) -> None:
    shutil.copytree(SPECS / "multifile", pytester.path / "multifile")
    pytester.makepyfile(
        """
        import pytest
        import requests

        pytestmark = pytest.mark.mockamocha(spec="petstore.yaml")

        def test_module_spec(mockamocha):
            assert mockamocha.base_url.endswith("/mocks/petstore")

        @pytest.mark.mockamocha(strict=False)
        class TestLoose:
            def test_not_strict(self, mockamocha):
                assert requests.get(mockamocha.base_url + "/nope").status_code == 404

            @pytest.mark.mockamocha(spec="multifile/api.yaml", collection="api")
            def test_closest_collection_wins(self, mockamocha):
                assert mockamocha.base_url.endswith("/mocks/api")
                assert requests.get(mockamocha.base_url + "/users").status_code == 200
        """
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=3)


def test_marker_seed_makes_generated_data_differ(pytester: pytest.Pytester,
                                                 petstore: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        SEEN = []

        def fetch(mockamocha):
            SEEN.append(requests.get(mockamocha.base_url + "/pets/mine").content)

        @pytest.mark.mockamocha(seed=1)
        def test_one(mockamocha):
            fetch(mockamocha)

        @pytest.mark.mockamocha(seed=1)
        def test_one_again(mockamocha):
            fetch(mockamocha)

        @pytest.mark.mockamocha(seed=2)
        def test_two(mockamocha):
            fetch(mockamocha)

        def test_compare():
            assert SEEN[0] == SEEN[1]
            assert SEEN[0] != SEEN[2]
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=4)


def test_rules_do_not_leak_into_the_next_test(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_rule(mockamocha):
            mockamocha.when("getPet").respond(status=404)
            assert requests.get(mockamocha.base_url + "/pets/1").status_code == 404

        def test_after(mockamocha):
            assert requests.get(mockamocha.base_url + "/pets/1").status_code == 200
            assert mockamocha.requests() and len(mockamocha.requests()) == 1
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=2)


def test_sequence_times_then_and_assertions(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests
        from pytest_mockamocha import MockamochaAssertionError

        def test_sequence(mockamocha):
            (mockamocha.when("GET /pets/{petId}", path={"petId": 5})
                .respond(status=404).times(2)
                .then(json={"id": 5, "name": "Back"}))
            url = mockamocha.base_url + "/pets/5"
            codes = [requests.get(url).status_code for _ in range(3)]
            assert codes == [404, 404, 200]
            assert requests.get(url).json() == {"id": 5, "name": "Back"}
            assert requests.get(mockamocha.base_url + "/pets/6").status_code == 200
            mockamocha.assert_called("getPet", times=5)
            mockamocha.assert_called("getPet", times=2, status=404)
            mockamocha.assert_not_called("createPet")
            with pytest.raises(MockamochaAssertionError, match="expected deletePet"):
                mockamocha.assert_called("deletePet")
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=1)


def test_respond_example_and_wrong_names(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests
        from pytest_mockamocha import OperationNotFoundError, RuleError

        def test_example(mockamocha):
            mockamocha.when("getPet").respond_example("cat")
            assert requests.get(mockamocha.base_url + "/pets/1").json()["tag"] == "cat"

        def test_wrong_op(mockamocha):
            with pytest.raises(OperationNotFoundError, match="did you mean.*getPet"):
                mockamocha.when("getPets")

        def test_wrong_example(mockamocha):
            with pytest.raises(RuleError, match="'lion', no example of .*its examples: cat, dog"):
                mockamocha.when("getPet").respond_example("lion")

        def test_wrong_param(mockamocha):
            with pytest.raises(RuleError, match="no path parameter 'id'"):
                mockamocha.when("getPet", path={"id": 1})
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=4)


@pytest.mark.parametrize("name", ["bad_yaml.yaml", "broken_ref.yaml", "remote_ref.yaml",
                                  "missing_paths.yaml"])
def test_broken_spec_is_a_usage_error(pytester: pytest.Pytester, name: str) -> None:
    shutil.copy(SPECS / "broken" / name, pytester.path / name)
    pytester.makepyfile("def test_never(mockamocha):\n    pass\n")
    result = pytester.runpytest("--mockamocha-spec", name)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*mockamocha: *{name}*"])
    assert "test_never" not in result.stdout.str()


def test_swagger2_spec_is_served(pytester: pytest.Pytester) -> None:
    shutil.copy(SPECS / "swagger2" / "minimal.yaml", pytester.path / "swagger2.yaml")
    pytester.makepyfile(
        """
        import requests

        def test_list(mockamocha):
            assert requests.get(mockamocha.base_url + "/pets?limit=2").status_code == 200
        """
    )
    pytester.runpytest("--mockamocha-spec", "swagger2.yaml").assert_outcomes(passed=1)


def test_missing_spec_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_never():\n    pass\n")
    result = pytester.runpytest("--mockamocha-spec", "nope.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mockamocha: spec not found*nope.yaml*"])


def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--mockamocha-server", "nginx")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    pytester.makeini("[pytest]\nmockamocha_seed = abc\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mockamocha: invalid ini value*seed*"])


def test_folder_of_specs_skips_fragments(pytester: pytest.Pytester, petstore: Path) -> None:
    shutil.copytree(SPECS / "multifile", pytester.path / "multifile")
    pytester.makepyfile(
        """
        def test_slugs(mockamocha_server):
            assert sorted(c.slug for c in mockamocha_server.engine) == ["api"]
        """
    )
    pytester.runpytest("--mockamocha-spec", "multifile").assert_outcomes(passed=1)


@pytest.mark.parametrize("server", ["waitress", "werkzeug"])
def test_server_choice(pytester: pytest.Pytester, petstore: Path, server: str) -> None:
    pytester.makepyfile(
        f"""
        import requests

        def test_kind(mockamocha_server, mockamocha):
            assert mockamocha_server.kind == "{server}"
            assert requests.get(mockamocha.base_url + "/pets").status_code == 200
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore),
                                "--mockamocha-server", server)
    result.assert_outcomes(passed=1)


def test_several_collections_need_a_name(pytester: pytest.Pytester, petstore: Path) -> None:
    shutil.copy(SPECS / "security.yaml", pytester.path / "security.yaml")
    pytester.makepyfile(
        """
        import pytest
        from pytest_mockamocha import RuleError

        def test_ambiguous(mockamocha):
            with pytest.raises(RuleError, match="several collections"):
                mockamocha.base_url
            assert mockamocha.url_for("security").endswith("/mocks/security")
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore),
                                "--mockamocha-spec", "security.yaml")
    result.assert_outcomes(passed=1)


def test_rule_arguments_are_checked_when_the_rule_is_made(pytester: pytest.Pytester,
                                                          petstore: Path) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests
        from pytest_mockamocha import RuleError

        def test_undeclared_status(mockamocha):
            with pytest.raises(RuleError, match="declares no 418 response"):
                mockamocha.when("getPet").respond(status=418)
            with pytest.raises(RuleError, match="breaks the contract.*no 418 response"):
                mockamocha.when("getPet").respond(status=418, json={"teapot": True})
            mockamocha.when("getPet").respond(status=418, json={"teapot": True}, check=False)
            assert requests.get(mockamocha.base_url + "/pets/1").status_code == 418

        def test_overrides_named_like_keywords(mockamocha):
            mockamocha.when("getPet").respond_generated({"status": "sold"}, name="Rex")
            pet = requests.get(mockamocha.base_url + "/pets/1").json()
            assert pet["status"] == "sold" and pet["name"] == "Rex"

        def test_overrides_apply_to_every_item_of_a_list(mockamocha):
            mockamocha.when("listMyPets").respond_generated(name="Mine")
            pets = requests.get(mockamocha.base_url + "/pets/mine").json()
            assert pets and all(p["name"] == "Mine" for p in pets)

        def test_overrides_that_break_the_schema(mockamocha):
            with pytest.raises(RuleError, match="do not fit the 200 response schema"):
                mockamocha.when("getPet").respond_generated(name=123)
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=4)


def test_marker_spec_does_not_make_later_tests_ambiguous(pytester: pytest.Pytester,
                                                         petstore: Path) -> None:
    shutil.copy(SPECS / "security.yaml", pytester.path / "security.yaml")
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mockamocha(spec="security.yaml")
        def test_marked(mockamocha):
            assert mockamocha.base_url.endswith("/mocks/security")

        def test_unmarked(mockamocha):
            assert mockamocha.base_url.endswith("/mocks/petstore")
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=2)


def test_strict_failure_shows_no_plugin_traceback(pytester: pytest.Pytester,
                                                  petstore: Path) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_bad(mockamocha):
            requests.get(mockamocha.base_url + "/pets/abc")
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore))
    result.assert_outcomes(failed=1)
    assert "pytest_runtest_call" not in result.stdout.str()
    assert "plugin/__init__.py" not in result.stdout.str()


def test_bad_ini_value_names_its_key(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockamocha_port = abc\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mockamocha_port = 'abc'*"])


def test_slug_given_on_the_command_line_is_cleaned(pytester: pytest.Pytester,
                                                   petstore: Path) -> None:
    pytester.makepyfile(
        """
        def test_slug(mockamocha):
            assert mockamocha.base_url.endswith("/mocks/my-api")
        """
    )
    pytester.runpytest("--mockamocha-spec", f"My API={petstore}").assert_outcomes(passed=1)


XDIST_SUITE = """
import pytest
import requests

@pytest.mark.parametrize("pet", range(6))
def test_get(mockamocha, pet):
    assert requests.get(mockamocha.base_url + f"/pets/{pet + 1}").status_code == 200

@pytest.mark.parametrize("n", range(4))
def test_list(mockamocha, n):
    assert requests.get(mockamocha.base_url + "/pets").status_code == 200

def test_create(mockamocha):
    assert requests.post(mockamocha.base_url + "/pets", json={"name": "Rex"}).status_code == 201
"""


def test_xdist_workers_summary_equals_a_plain_run(pytester: pytest.Pytester,
                                                  petstore: Path) -> None:
    pytester.makepyfile(XDIST_SUITE)
    plain = pytester.runpytest_subprocess("--mockamocha-spec", str(petstore))
    plain.assert_outcomes(passed=11)
    spread = pytester.runpytest_subprocess("--mockamocha-spec", str(petstore), "-n", "2")
    spread.assert_outcomes(passed=11)
    expected = "*11 requests, 0 violations, 0 unmatched; coverage: operations 3/7 *"
    plain.stdout.fnmatch_lines([expected])
    spread.stdout.fnmatch_lines(["petstore (/mocks/petstore): " + expected[1:]])


DEPRECATED_PARAMS = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /search:
    get:
      parameters:
        - {name: q, in: query, allowEmptyValue: true, schema: {type: string}}
        - {name: old, in: query, deprecated: true, schema: {type: integer}}
        - name: filter
          in: query
          style: deepObject
          explode: true
          schema: {type: object, properties: {tag: {type: string}}}
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: array, items: {type: string}}}}
"""


def test_openapi_core_warnings_do_not_fail_requests_under_filterwarnings_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".yaml", search=DEPRECATED_PARAMS)
    pytester.makeini("[pytest]\nfilterwarnings = error\nmockamocha_spec = search.yaml\n")
    pytester.makepyfile(
        """
        import requests

        def test_search(mockamocha):
            url = mockamocha.base_url + "/search"
            r = requests.get(url, params={"q": "", "old": "1", "filter[tag]": "x"})
            assert r.status_code == 200, r.text
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_client_fixture_drives_the_session_servers_api(pytester: pytest.Pytester,
                                                           petstore: Path) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_client(mockamocha_client, mockamocha):
            listed = {c.slug for c in mockamocha_client.collections.iter()}
            assert listed == {"petstore"}
            coll = next(mockamocha_client.collections.iter())
            get_pet = next(e for e in mockamocha_client.endpoints.iter(collection_id=coll.id)
                           if e.operation == "GET /pets/{petId}")
            mockamocha_client.rules.create(get_pet.id, match={"path": {"petId": "9"}},
                                           response={"status": 404, "json": {"code": 404,
                                                     "message": "stored"}})
            answer = requests.get(mockamocha.base_url + "/pets/9")
            assert answer.json() == {"code": 404, "message": "stored"}
        """
    )
    pytester.runpytest("--mockamocha-spec", str(petstore)).assert_outcomes(passed=1)


# -- the compiled-document cache ----------------------------------------------------------------
CACHED_TEST = """
def test_get(mockamocha):
    import requests
    assert requests.get(mockamocha.base_url + "/pets/1", timeout=10).status_code == 200
"""


def test_compiled_documents_are_kept_in_the_cache_folder(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile(CACHED_TEST)
    folder = pytester.path / "compiled"
    for _ in range(2):  # the second run reads what the first compiled
        result = pytester.runpytest_subprocess(
            f"--mockamocha-spec={petstore}", f"--mockamocha-cache-dir={folder}"
        )
        result.assert_outcomes(passed=1)
        assert len(list((folder / "documents").glob("*.json"))) == 1


def test_the_cache_folder_has_an_ini_twin_and_can_be_switched_off(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile(CACHED_TEST)
    pytester.makeini(f"[pytest]\nmockamocha_spec = {petstore}\nmockamocha_cache_dir = from-ini\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    assert list((pytester.path / "from-ini" / "documents").glob("*.json"))
    off = pytester.path / "off"
    result = pytester.runpytest_subprocess(f"--mockamocha-cache-dir={off}", "--no-mockamocha-cache")
    result.assert_outcomes(passed=1)
    assert not off.exists()


def test_generated_answers_are_kept_and_sent_again_by_the_next_session(
    pytester: pytest.Pytester,
) -> None:
    """A session answers an operation without examples with generated data; the next
    session with the same cache folder sends the same bytes from ``answers/``."""
    import json as _json

    spec = pytester.path / "people.json"
    person = {"type": "object", "required": ["id", "name"],
              "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    spec.write_text(_json.dumps({
        "openapi": "3.0.3", "info": {"title": "People", "version": "1"},
        "paths": {"/me": {"get": {"responses": {"200": {
            "description": "ok", "content": {"application/json": {"schema": person}}}}}}},
    }))
    pytester.makepyfile(
        """
        import pathlib, requests

        def test_me(mockamocha):
            answer = requests.get(mockamocha.base_url + "/me", timeout=10)
            assert answer.status_code == 200
            with open(pathlib.Path(__file__).parent / "bodies.txt", "ab") as out:
                out.write(answer.content + b"\\n")
        """
    )
    folder = pytester.path / "cache"
    for _ in range(2):
        result = pytester.runpytest_subprocess(
            f"--mockamocha-spec={spec}", f"--mockamocha-cache-dir={folder}"
        )
        result.assert_outcomes(passed=1)
    first, second = (pytester.path / "bodies.txt").read_bytes().splitlines()
    assert first == second
    assert {"id", "name"} <= set(_json.loads(first))
    (kept,) = (folder / "answers").glob("*.jsonl")
    assert [_json.loads(line)["body"] for line in kept.read_text().splitlines()] == [
        first.decode()
    ]


def test_expect_rejection_scopes_what_strict_mode_forgives(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        def test_intended(mockamocha):
            with mockamocha.expect_rejection(status=400) as rejected:
                assert requests.get(mockamocha.base_url + "/pets/abc").status_code == 400
            assert [r.status for r in rejected] == [400]
            assert requests.get(mockamocha.base_url + "/pets/1").status_code == 200

        def test_operation_named(mockamocha):
            with mockamocha.expect_rejection(operation="getPet"):
                requests.get(mockamocha.base_url + "/pets/abc")

        def test_nothing_rejected(mockamocha):
            with mockamocha.expect_rejection():
                requests.get(mockamocha.base_url + "/pets/1")

        def test_other_status(mockamocha):
            with mockamocha.expect_rejection(status=401):
                requests.get(mockamocha.base_url + "/pets/abc")

        def test_strict_outside(mockamocha):
            with mockamocha.expect_rejection(status=400):
                requests.get(mockamocha.base_url + "/pets/abc")
            requests.get(mockamocha.base_url + "/pets/xyz")
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore))
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines([
        "*test_nothing_rejected*",
        "*expect_rejection: the mock rejected no request inside the block*",
    ])
    result.stdout.fnmatch_lines([
        "*expect_rejection: expected every rejection with status 401; these differ:*",
        "*GET /pets/abc -> 400 (invalid)*",
    ])
    result.stdout.fnmatch_lines([
        "*mockamocha (strict): 1 request(s) to the mock broke the API contract*",
        "*GET /pets/xyz -> 400 (invalid)*",
    ])
    assert "GET /pets/abc -> 400 (invalid)\n      operation" not in result.stdout.str()
