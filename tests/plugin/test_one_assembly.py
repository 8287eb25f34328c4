"""The plugin and ``mockamocha serve`` build their servers through one assembly and read
``[SLUG=]PATH`` with one parser: the same spelling means the same thing in both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pytest_mockamocha.cli.main import cli

SPECS = Path(__file__).parents[1] / "data" / "specs"


def test_an_empty_slug_is_refused_on_the_command_line_and_in_the_ini(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    pytester.makepyfile("def test_never():\n    pass\n")
    given = pytester.runpytest("--mockamocha-spec", "=petstore.yaml")
    assert given.ret == pytest.ExitCode.USAGE_ERROR
    given.stderr.fnmatch_lines(["*--mockamocha-spec*the SLUG before '=' is empty*"])
    pytester.makeini("[pytest]\nmockamocha_spec = =petstore.yaml\n")
    ini = pytester.runpytest()
    assert ini.ret == pytest.ExitCode.USAGE_ERROR
    ini.stderr.fnmatch_lines(
        ["*invalid ini value: mockamocha_spec = '=petstore.yaml'*SLUG before '=' is empty*"]
    )


def test_serve_refuses_an_empty_slug_in_the_same_words(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--spec", "=petstore.yaml", "--memory"])
    assert result.exit_code == 2
    assert "the SLUG before '=' is empty; give SLUG=PATH, or PATH alone" in result.output


def test_a_session_lists_its_specs_and_stateful_mode_in_its_api(
    pytester: pytest.Pytester, petstore: Path
) -> None:
    """Stateful mode goes through the store in the plugin too, so the session's own
    management API shows what the session serves."""
    pytester.makepyfile(
        """
        def test_listed(mockamocha_client):
            (coll,) = mockamocha_client.collections.list().items
            assert (coll.slug, coll.stateful) == ("shop", True)
        """
    )
    result = pytester.runpytest(
        "--mockamocha-spec", f"shop={petstore}", "--mockamocha-stateful", "shop"
    )
    result.assert_outcomes(passed=1)


def test_a_folder_of_specs_serves_each_document_but_its_fragments(
    pytester: pytest.Pytester,
) -> None:
    folder = pytester.path / "apis"
    folder.mkdir()
    shutil.copy(SPECS / "petstore.yaml", folder / "petstore.yaml")
    shutil.copy(SPECS / "multifile" / "schemas" / "user.yaml", folder / "user.yaml")
    pytester.makepyfile(
        """
        def test_served(mockamocha_server):
            assert [c.slug for c in mockamocha_server.engine] == ["petstore"]
        """
    )
    pytester.runpytest("--mockamocha-spec", "apis").assert_outcomes(passed=1)
