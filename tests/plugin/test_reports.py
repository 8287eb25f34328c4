"""Request-coverage reports through pytester: every format, fail-under, xdist, threads."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml  # noqa: F401 - loaded here, so in-process pytester runs do not re-import its C loader

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "mockamocha-report.schema.json"

SUITE = """
import requests

def test_list(mockamocha):
    assert requests.get(mockamocha.base_url + "/pets", params={"limit": 2}).status_code == 200

def test_get(mockamocha):
    assert requests.get(mockamocha.base_url + "/pets/1").status_code == 200

def test_missing(mockamocha):
    r = requests.get(mockamocha.base_url + "/pets/1", headers={"Prefer": "code=404"})
    assert r.status_code == 404

def test_mine(mockamocha):
    assert requests.get(mockamocha.base_url + "/pets/mine").status_code == 200

def test_no_mock():
    pass
"""


def report_schema() -> dict[str, Any]:
    """The JSON Schema as docs/ publishes it."""
    return dict(json.loads(SCHEMA_FILE.read_text()))


@pytest.fixture
def suite(pytester: pytest.Pytester, petstore: Path) -> pytest.Pytester:
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeini(f"[pytest]\nmockamocha_spec = {petstore.name}\n")
    return pytester


def test_the_documented_schema_is_the_one_the_code_writes() -> None:
    from pytest_mockamocha.analytics.reports.jsonfile import REPORT_SCHEMA

    published = report_schema()
    assert published.pop("$schema") == "https://json-schema.org/draft/2020-12/schema"
    assert published.pop("title").endswith("version 2")
    assert published == REPORT_SCHEMA


TERM_LINE = (
    "petstore (http://127.0.0.1:*): 4 requests, 0 violations, 0 unmatched; coverage: "
    "operations 3/7 (42.86%), responses 4/14 (28.57%), parameters 1/2 (50%) "
    "(1 deprecated operation not counted)"
)


def test_term_report_is_one_line_per_collection(suite: pytest.Pytester) -> None:
    result = suite.runpytest()
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines([
        "*= mockamocha =*",
        TERM_LINE,
        "(4 uncovered operations, 1 deprecated operation: --mockamocha-report term-missing)",
    ])
    assert "uncovered: " not in result.stdout.str()
    assert "deprecated: " not in result.stdout.str()


def test_term_missing_lists_the_uncovered_and_deprecated_operations(
    suite: pytest.Pytester,
) -> None:
    result = suite.runpytest("--mockamocha-report", "term-missing")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines([
        TERM_LINE,
        "  uncovered: POST /pets",
        "  deprecated: GET /pets/search (0 requests)",
    ])
    assert "term-missing)" not in result.stdout.str()


def test_term_missing_has_an_ini_twin(suite: pytest.Pytester, petstore: Path) -> None:
    suite.makeini(
        f"[pytest]\nmockamocha_spec = {petstore.name}\nmockamocha_report = term-missing\n"
    )
    result = suite.runpytest()
    result.stdout.fnmatch_lines(["  uncovered: POST /pets"])


def test_json_report_follows_the_documented_schema(suite: pytest.Pytester) -> None:
    suite.runpytest("--mockamocha-report", "json").assert_outcomes(passed=5)
    data = json.loads((suite.path / "mockamocha-report.json").read_text())
    jsonschema.validate(data, report_schema())
    coll = data["collections"][0]
    assert coll["operations"] == {"hit": 3, "declared": 7, "percent": 42.86}
    ops = {o["name"]: o for o in coll["operation_list"]}
    assert ops["GET /pets/{petId}"]["statuses"] == {"200": 1, "404": 1}
    tests = {t["nodeid"]: t for t in data["tests"]}
    assert tests["test_suite.py::test_missing"]["statuses"] == {"404": 1}
    assert "test_suite.py::test_no_mock" not in tests


def test_html_report_is_self_contained(suite: pytest.Pytester) -> None:
    out = suite.path / "out" / "cov.html"
    suite.runpytest("--mockamocha-report", f"html:{out}").assert_outcomes(passed=5)
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>")
    for text in ("petstore", "GET /pets/{petId}", "POST /pets", "<svg", "<details",
                 "test_suite.py::test_missing", 'class="sortable"', "<script>"):
        assert text in page
    assert not re.search(r"https?://", page)
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)


def test_markdown_report_has_a_table_and_the_gaps(suite: pytest.Pytester) -> None:
    suite.runpytest("--mockamocha-report", "markdown").assert_outcomes(passed=5)
    text = (suite.path / "mockamocha-report.md").read_text()
    assert "| Operation | Hits |" in text
    assert "| `GET /pets/{petId}` | 2 | 200 (1), 404 (1) | - | 0/0 |" in text
    assert "**Uncovered operations:** `POST /pets`" in text
    assert "- `GET /pets`: never returned default" in text


def test_junit_report_fails_uncovered_operations(suite: pytest.Pytester) -> None:
    suite.runpytest("--mockamocha-report", "junit:junit.xml").assert_outcomes(passed=5)
    root = ET.parse(suite.path / "junit.xml").getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert len(cases) == 8
    assert cases["POST /pets"].find("failure") is not None
    assert cases["GET /pets"].find("failure") is None
    assert cases["GET /pets/search"].find("skipped") is not None
    suite_el = root.find("testsuite")
    assert suite_el is not None
    assert suite_el.get("failures") == "4"


def test_reports_from_the_ini_and_the_command_line_together(suite: pytest.Pytester,
                                                           petstore: Path) -> None:
    suite.makeini(
        f"[pytest]\nmockamocha_spec = {petstore.name}\n"
        "mockamocha_report =\n    json:reports/r.json\n    markdown\n"
    )
    result = suite.runpytest()
    result.assert_outcomes(passed=5)
    assert (suite.path / "reports" / "r.json").is_file()
    assert (suite.path / "mockamocha-report.md").is_file()
    result.stdout.fnmatch_lines(["json report written to *r.json"])
    assert "coverage: operations" not in result.stdout.str()  # term not asked for


def test_an_unknown_format_is_a_usage_error(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--mockamocha-report", "pdf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*report format must be one of term, term-missing, json*"])


@pytest.mark.parametrize(
    ("pct", "code"),
    [("40", pytest.ExitCode.OK), ("50", pytest.ExitCode.TESTS_FAILED)],
    ids=["above-the-line", "below-the-line"],
)
def test_fail_under(suite: pytest.Pytester, pct: str, code: pytest.ExitCode) -> None:
    result = suite.runpytest("--mockamocha-fail-under", pct)
    assert result.ret == code
    if code:
        result.stdout.fnmatch_lines([
            "*= mockamocha =*",
            f"FAIL: operation coverage 42.86% is below --mockamocha-fail-under={pct}%",
        ])
    else:
        result.stdout.fnmatch_lines([f"operation coverage 42.86% reaches *={pct}%"])


def test_fail_under_from_the_ini(suite: pytest.Pytester, petstore: Path) -> None:
    suite.makeini(f"[pytest]\nmockamocha_spec = {petstore.name}\nmockamocha_fail_under = 90\n")
    assert suite.runpytest().ret == pytest.ExitCode.TESTS_FAILED


def test_fail_under_keeps_a_failure_exit_status(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_fails="def test_x():\n    assert False\n")
    assert suite.runpytest("--mockamocha-fail-under", "90").ret == pytest.ExitCode.TESTS_FAILED


def _numbers(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    for coll in data["collections"]:
        coll["problems"].sort()
        for op in coll["operation_list"]:
            op.pop("avg_response_ms")
            op.pop("time_us")
    return dict(data)


def test_xdist_gives_the_numbers_of_a_plain_run(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_more="""
        import requests

        def test_bad(mockamocha):
            requests.get(mockamocha.base_url + "/pets/abc")

        def test_status(mockamocha):
            requests.get(mockamocha.base_url + "/pets", params={"status": "sold"})
        """
    )
    plain = suite.runpytest_subprocess("--mockamocha-no-strict", "--mockamocha-report",
                                       "json:plain.json", "--mockamocha-fail-under", "50",
                                       "-p", "no:cacheprovider")
    plain.assert_outcomes(passed=7)
    spread = suite.runpytest_subprocess(
        "--mockamocha-no-strict", "-n", "2", "--mockamocha-report", "json:xdist.json",
        "--mockamocha-report", "term", "--mockamocha-fail-under", "50", "-p", "no:cacheprovider",
    )
    spread.assert_outcomes(passed=7)
    assert spread.ret == plain.ret == pytest.ExitCode.TESTS_FAILED  # 3/7 operations < 50%
    assert _numbers(suite.path / "xdist.json") == _numbers(suite.path / "plain.json")
    data = json.loads((suite.path / "xdist.json").read_text())
    assert data["totals"]["requests"] == 6
    spread.stdout.fnmatch_lines(["*= mockamocha =*", "petstore (/mocks/petstore): 6 requests*"])


def test_concurrent_clients_are_all_counted(pytester: pytest.Pytester, petstore: Path) -> None:
    pytester.makepyfile(
        """
        import threading
        import requests

        def test_threads(mockamocha):
            errors = []

            def client():
                with requests.Session() as http:
                    for _ in range(50):
                        r = http.get(mockamocha.base_url + "/pets/1")
                        if r.status_code != 200:
                            errors.append(r.status_code)

            threads = [threading.Thread(target=client) for _ in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert errors == []
        """
    )
    result = pytester.runpytest("--mockamocha-spec", str(petstore), "--mockamocha-report",
                                "json")
    result.assert_outcomes(passed=1)
    data = json.loads((pytester.path / "mockamocha-report.json").read_text())
    ops = {o["name"]: o for o in data["collections"][0]["operation_list"]}
    assert data["totals"]["requests"] == 800
    assert ops["GET /pets/{petId}"]["valid_hits"] == 800
    assert data["tests"][0]["requests"] == 800


def test_report_command_re_renders_a_saved_json(suite: pytest.Pytester, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pytest_mockamocha.cli.report_cmd import report_command

    suite.runpytest("--mockamocha-report", "json", "--mockamocha-report", "markdown")
    saved = str(suite.path / "mockamocha-report.json")
    runner = CliRunner()
    md = runner.invoke(report_command, [saved, "--format", "markdown"])
    assert md.exit_code == 0, md.output
    assert md.output == (suite.path / "mockamocha-report.md").read_text()
    term = runner.invoke(report_command, [saved])
    assert "coverage: operations 3/7 (42.86%)" in term.output
    page = tmp_path / "sub" / "r.html"
    html = runner.invoke(report_command, [saved, "--format", "html", "--output", str(page)])
    assert html.exit_code == 0
    assert "GET /pets/{petId}" in page.read_text()


def test_report_command_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pytest_mockamocha.cli.report_cmd import report_command

    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    result = CliRunner().invoke(report_command, [str(bad), "--format", "html"])
    assert result.exit_code == 1
    assert "not a mockamocha JSON report" in result.output


def test_a_crashed_worker_does_not_lose_the_others_data(suite: pytest.Pytester) -> None:
    suite.makepyfile(
        test_crash="""
        import os
        import requests

        def test_crash(mockamocha):
            requests.get(mockamocha.base_url + "/pets/1")
            os._exit(3)
        """
    )
    result = suite.runpytest_subprocess("-n", "2", "--mockamocha-report", "json",
                                        "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    data = json.loads((suite.path / "mockamocha-report.json").read_text())
    listed = {t["nodeid"] for t in data["tests"]}
    assert {"test_suite.py::test_list", "test_suite.py::test_get",
            "test_suite.py::test_missing", "test_suite.py::test_mine"} <= listed
    assert "test_crash.py::test_crash" not in listed
