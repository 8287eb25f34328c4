"""Combining the JSON reports of CI shards, and comparing two reports, end to end: real
pytest runs (pytester) write the shards, ``mockamocha report`` combines and compares."""

from __future__ import annotations

import copy
import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

from pytest_mockamocha.analytics.reports import render
from pytest_mockamocha.cli.report_cmd import report_command

SPECS = Path(__file__).parents[1] / "data" / "specs"
SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "mockamocha-report.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text())

# one suite in three files, over two collections, with violations (the runs are not strict)
FILES = {
    "test_a": """
        import requests

        def test_list(mockamocha):
            url = mockamocha.url_for("petstore", "/pets")
            assert requests.get(url, params={"limit": 2}).status_code == 200

        def test_owners(mockamocha):
            assert requests.get(mockamocha.url_for("crud", "/owners")).status_code == 200
        """,
    "test_b": """
        import requests

        def test_missing(mockamocha):
            url = mockamocha.url_for("petstore", "/pets/1")
            assert requests.get(url, headers={"Prefer": "code=404"}).status_code == 404

        def test_bad_id(mockamocha):
            requests.get(mockamocha.url_for("petstore", "/pets/abc"))

        def test_nowhere(mockamocha):
            requests.get(mockamocha.url_for("petstore", "/nowhere"))
        """,
    "test_c": """
        import requests

        def test_both(mockamocha):
            requests.get(mockamocha.url_for("crud", "/owners/1"))
            requests.get(mockamocha.url_for("petstore", "/pets/mine"))

        def test_bad_owner(mockamocha):
            requests.post(mockamocha.url_for("crud", "/owners"), json={"name": 5})
        """,
}
RUN = ("--mockamocha-no-strict", "-p", "no:cacheprovider")


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("petstore.yaml", "crud.yaml"):
        shutil.copy(SPECS / name, pytester.path / name)
    pytester.makepyfile(**FILES)
    pytester.makeini(
        "[pytest]\nmockamocha_spec =\n    petstore=petstore.yaml\n    crud=crud.yaml\n"
    )
    return pytester


def run_shards(suite: pytest.Pytester, *extra: str) -> list[Path]:
    """The suite split in three shards, as a CI matrix runs it: one JSON report each."""
    paths = []
    for n, name in enumerate(FILES, 1):
        path = suite.path / "shards" / f"shard-{n}.json"
        result = suite.runpytest(f"{name}.py", *RUN, *extra, "--mockamocha-report", f"json:{path}")
        assert result.ret == 0, result.stdout.str()
        paths.append(path)
    return paths


def whole(suite: pytest.Pytester) -> dict[str, Any]:
    """The report of the unsplit suite in one process."""
    path = suite.path / "whole.json"
    assert suite.runpytest(*RUN, "--mockamocha-report", f"json:{path}").ret == 0
    return dict(json.loads(path.read_text()))


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(report_command, [str(a) for a in args], catch_exceptions=False)


def counts(model: dict[str, Any]) -> dict[str, Any]:
    """The model without what differs between any two runs: time spent, run details."""
    model = copy.deepcopy(model)
    model.pop("run")
    for coll in model["collections"]:
        for op in coll["operation_list"]:
            op["time_us"] = op["avg_response_ms"] = 0
    return model


def test_combined_shards_count_what_the_unsplit_suite_counts(suite: pytest.Pytester) -> None:
    shards = run_shards(suite)
    one = whole(suite)
    out = suite.path / "combined.json"
    result = cli("combine", *shards, "--format", f"json:{out}")
    assert result.exit_code == 0, result.output
    combined = json.loads(out.read_text())
    jsonschema.validate(combined, SCHEMA)
    assert combined["run"]["shards"] == 3
    assert combined["run"]["notes"] == []
    assert combined["totals"]["violations"] > 0
    assert combined["totals"]["unmatched"] == 1
    assert counts(combined) == counts(one)
    for fmt in ("term", "term-missing", "markdown", "html", "junit"):
        assert render(fmt, counts(combined) | {"run": one["run"]}) == render(
            fmt, counts(one) | {"run": one["run"]}
        ), fmt


def test_every_format_comes_out_of_one_combine(suite: pytest.Pytester) -> None:
    shards = run_shards(suite)
    out = suite.path / "out"
    result = cli(
        "combine", suite.path / "shards",  # a folder of shards, as an artifact download makes
        "--format", "term",
        "--format", f"markdown:{out / 'summary.md'}",
        "--format", f"html:{out / 'report.html'}",
        "--format", f"junit:{out / 'junit.xml'}",
    )
    assert result.exit_code == 0, result.output
    assert "petstore (/mocks/petstore): 5 requests, 1 violations, 1 unmatched" in result.stdout
    assert "combined from 3 runs" in result.stdout
    assert "Combined from 3 runs." in (out / "summary.md").read_text()
    assert "<testsuite" in (out / "junit.xml").read_text()
    assert "combined the reports of 3 run(s)" in result.stderr
    assert len(shards) == 3


def test_an_xdist_shard_combines_like_any_other(suite: pytest.Pytester) -> None:
    shards = run_shards(suite)
    spread = suite.path / "xdist.json"
    result = suite.runpytest_subprocess("test_b.py", "-n", "2", *RUN, "--mockamocha-report",
                                        f"json:{spread}")
    assert result.ret == 0
    out = suite.path / "c.json"
    assert cli("combine", shards[0], spread, shards[2], "--format", f"json:{out}").exit_code == 0
    direct = suite.path / "d.json"
    assert cli("combine", *shards, "--format", f"json:{direct}").exit_code == 0
    mine, theirs = counts(json.loads(out.read_text())), counts(json.loads(direct.read_text()))
    for model in (mine, theirs):
        for coll in model["collections"]:
            coll["problems"].sort()  # two workers finish in either order
    assert mine == theirs


def test_fail_under_gates_the_combined_figure(suite: pytest.Pytester) -> None:
    shards = run_shards(suite)
    # no shard alone reaches 20% of the 18 operations; together they cover 4 (22.22%)
    alone = cli("combine", shards[1], "--fail-under", "20")
    assert alone.exit_code == 2
    assert "FAIL: operation coverage" in alone.stderr
    together = cli("combine", *shards, "--fail-under", "20")
    assert together.exit_code == 0, together.output
    assert "operation coverage 22.22% reaches --fail-under=20%" in together.stderr
    assert cli("combine", *shards, "--fail-under", "99").exit_code == 2


def test_shards_of_another_document_version_are_refused(suite: pytest.Pytester) -> None:
    first = run_shards(suite)[0]
    spec = suite.path / "petstore.yaml"
    spec.write_text(spec.read_text().replace("title:", "title: v2 of", 1))
    later = suite.path / "later.json"
    assert suite.runpytest("test_b.py", *RUN, "--mockamocha-report", f"json:{later}").ret == 0
    out = suite.path / "combined.json"
    result = cli("combine", first, later, "-o", out, "--format", "json")
    assert result.exit_code == 1
    assert f"{later}: collection 'petstore' was served from another document than in {first}" in (
        result.stderr
    )
    assert "crud" not in result.stderr  # the collection that did not change is not blamed
    assert not out.exists()


def test_different_seeds_merge_and_the_report_says_so(suite: pytest.Pytester) -> None:
    shards = run_shards(suite)
    other = suite.path / "seeded.json"
    assert suite.runpytest("test_a.py", *RUN, "--mockamocha-seed", "7", "--mockamocha-report",
                           f"json:{other}").ret == 0
    result = cli("combine", other, shards[1], shards[2])
    assert result.exit_code == 0, result.output
    assert "note: the shards ran with different seed: 7, 0" in result.stdout


def test_a_truncated_shard_is_named_and_the_others_still_count(suite: pytest.Pytester) -> None:
    shards = run_shards(suite)
    text = shards[1].read_text()
    shards[1].write_text(text[: len(text) // 2])  # an upload cut short
    out = suite.path / "combined.json"
    result = cli("combine", *shards, "--format", f"json:{out}")
    assert result.exit_code == 1
    assert f"error: {shards[1]}: not valid JSON, cut short or corrupt?" in result.stderr
    combined = json.loads(out.read_text())
    assert combined["run"]["shards"] == 2
    assert any(str(shards[1]) in note and "its counts are missing" in note
               for note in combined["run"]["notes"])
    jsonschema.validate(combined, SCHEMA)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "mockamocha-report", "version": 9}', "unsupported report version 9"),
        ('["not", "a", "report"]', "not a mockamocha JSON report"),
        ('{"schema": "mockamocha-report", "version": 2, "totals": {}}', "off the report schema"),
        ('{"schema": "mockamocha-report", "version": 1, "totals": {}}', "report version 1"),
    ],
)
def test_what_is_not_a_usable_shard_is_refused_by_name(
    tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = cli("combine", bad)
    assert result.exit_code == 1
    assert f"{bad}: " in result.stderr
    assert message in result.stderr


def test_diff_names_what_a_change_lost_and_gained(suite: pytest.Pytester) -> None:
    base = suite.path / "base.json"
    assert suite.runpytest(*RUN, "--mockamocha-report", f"json:{base}").ret == 0
    head = suite.path / "head.json"  # test_b.py deleted: its 404 and its violation go
    assert suite.runpytest("test_a.py", "test_c.py", *RUN, "--mockamocha-report",
                           f"json:{head}").ret == 0
    lost = cli("diff", base, head, "--fail-on-loss")
    assert lost.exit_code == 2
    assert "lost response: GET /pets/{petId} 404" in lost.stdout
    assert "FAIL: " in lost.stderr
    assert cli("diff", base, head).exit_code == 0  # only a gate makes a loss fail
    gained = cli("diff", head, base, "--fail-on-loss")
    assert "gained response: GET /pets/{petId} 404" in gained.stdout
    assert "new violation: GET /pets/abc" in gained.stdout
    assert gained.exit_code == 2  # more violations count as a loss
    same = cli("diff", base, base, "--fail-on-loss")
    assert same.exit_code == 0
    assert "no change in what the suite covers" in same.stdout
    markdown = cli("diff", base, head, "--format", "markdown")
    assert markdown.stdout.startswith("## MockaMocha request coverage change")
    assert "| `petstore` |" in markdown.stdout
    assert "- **lost response**: `GET /pets/{petId} 404`" in markdown.stdout
    data = json.loads(cli("diff", base, head, "--format", "json").stdout)
    assert data["lost"] >= 1
    assert data["collections"][1]["slug"] == "petstore"


CI = Path(__file__).parents[2] / "examples" / "ci"


def ci_commands(name: str) -> list[list[str]]:
    """Every shell command of a CI file (GitHub steps' ``run``, GitLab's ``script``), split
    as the shell would, with GitHub's and GitLab's variables for shard 1 of 3."""
    data = yaml.safe_load((CI / name).read_text())
    texts: list[str] = []
    for job in data.get("jobs", data).values():
        if isinstance(job, dict):
            texts += [step["run"] for step in job.get("steps", []) if "run" in step]
            texts += job.get("script", [])
    values = {"${{ matrix.group }}": "1", "$CI_NODE_INDEX": "1", "$CI_NODE_TOTAL": "3"}
    out = []
    for text in texts:
        for line in text.splitlines():
            for name_, value in values.items():
                line = line.replace(name_, value)
            out.append(shlex.split(line))
    return out


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_documented_ci_workflows_run_as_written(
    suite: pytest.Pytester, name: str
) -> None:
    commands = ci_commands(name)
    pytest_runs = [c for c in commands if c[0] == "pytest"]
    assert len(pytest_runs) == 1
    report = pytest_runs[0][pytest_runs[0].index("--mockamocha-report") + 1]
    assert report == "json:reports/shard-1.json"
    for n, shard in enumerate(run_shards(suite), 1):  # what the three jobs upload
        (suite.path / "reports").mkdir(exist_ok=True)
        shutil.copy(shard, suite.path / "reports" / f"shard-{n}.json")
    ours = [c[2:] for c in commands if c[:2] == ["mockamocha", "report"]]
    assert ours[0][0] == "combine"
    combined = CliRunner().invoke(report_command, ours[0], catch_exceptions=False)
    assert combined.exit_code == 2, combined.output  # 22.22% < 80%: the gate fails the job
    assert "Combined from 3 runs." in (suite.path / "summary.md").read_text()
    assert json.loads((suite.path / "combined.json").read_text())["run"]["shards"] == 3
    for args in ours[1:]:  # GitHub's pull-request diff, against main's combined report
        (suite.path / "base").mkdir(exist_ok=True)
        shutil.copy(suite.path / "combined.json", suite.path / "base" / "combined.json")
        result = CliRunner().invoke(report_command, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert ":white_check_mark: operation coverage 4/18" in (suite.path / "diff.md").read_text()
