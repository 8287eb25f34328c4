"""The public surface: one sorted __all__, every name importable, and a light import."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

import pytest_mockamocha


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert sorted(pytest_mockamocha.__all__) == pytest_mockamocha.__all__
    for name in pytest_mockamocha.__all__:
        assert getattr(pytest_mockamocha, name) is not None
    public = {
        n
        for n in dir(pytest_mockamocha)
        if n[0].isalpha() and not isinstance(getattr(pytest_mockamocha, n), types.ModuleType)
    }
    assert public - {"annotations", "TYPE_CHECKING", "Any"} == (
        set(pytest_mockamocha.__all__) - {"__version__"}
    )


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = pytest_mockamocha.Nope  # type: ignore[attr-defined]


def _modules_after(statement: str, roots: tuple[str, ...]) -> list[str]:
    code = (
        f"import json, sys; {statement}; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {roots!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_importing_the_package_imports_no_pytest_hypothesis_or_httpx() -> None:
    roots = ("pytest", "_pytest", "hypothesis", "httpx", "hypothesis_jsonschema")
    assert _modules_after("import pytest_mockamocha", roots) == []
    assert _modules_after("from pytest_mockamocha import Mockamocha", roots) == []


def test_loading_the_plugin_does_not_load_the_engine() -> None:
    loaded = _modules_after(
        "import pytest_mockamocha.plugin", ("openapi_core", "werkzeug", "waitress", "jsonschema")
    )
    assert loaded == []


def test_the_command_line_starts_without_the_engine_or_the_server() -> None:
    """Every `mockamocha` command pays for what it uses: the report and client commands
    never load the engine, the loader's validators or the server."""
    heavy = (
        "openapi_core",
        "jsonschema",
        "werkzeug",
        "waitress",
        "hypothesis",
        "faker",
        "sqlalchemy",
        "psycopg",
    )
    assert _modules_after("import pytest_mockamocha.cli.main", heavy) == []
    ours = _modules_after("import pytest_mockamocha.cli.main", ("pytest_mockamocha",))
    assert not [
        m
        for m in ours
        if m.startswith(
            (
                "pytest_mockamocha.engine",
                "pytest_mockamocha.api",
                "pytest_mockamocha.server.assembly",
                "pytest_mockamocha.cli.client_cmds",
                "pytest_mockamocha.cli.report_cmd",
                "pytest_mockamocha.cli.generate_cmd",
                "pytest_mockamocha.cli.db_cmd",
                "pytest_mockamocha.cli.lint_cmd",
            )
        )
    ]


def test_every_lazy_command_is_the_command_it_names() -> None:
    import click

    from pytest_mockamocha.cli.client_cmds import COMMANDS
    from pytest_mockamocha.cli.main import LAZY_COMMANDS, cli

    context = click.Context(cli)
    for name in LAZY_COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None
        assert command.name == name
    assert {c.name for c in COMMANDS} <= set(cli.list_commands(context))
    assert {"serve", "users"} <= set(cli.list_commands(context))


def test_a_served_document_answers_without_the_heavy_libraries(tmp_path: object) -> None:
    """Start-up pays for what the first answer needs: loading and checking a document
    and answering a request load neither openapi-spec-validator (its package pulls
    pydantic and requests) nor openapi-core, hypothesis, Faker, jinja2, PyJWT (until a
    login) or the regular-expression engines (until a pattern)."""
    spec = "tests/data/specs/petstore.yaml"
    statement = (
        "import urllib.request, pathlib; "
        "from pytest_mockamocha.server.runtime import MockServer; "
        "from pytest_mockamocha.spec.loader import load_spec; "
        "s = MockServer().start(); "
        f"s.add_spec(load_spec({spec!r}, cache_dir=pathlib.Path({str(tmp_path)!r})), 'p'); "
        "urllib.request.urlopen(s.url_for('p') + '/pets?limit=2').read(); s.stop()"
    )
    heavy = (
        "openapi_spec_validator",
        "openapi_core",
        "pydantic",
        "hypothesis",
        "faker",
        "jinja2",
        "requests",
        "jwt",
        "re2",
        "regex",
        "sqlalchemy",
        "psycopg",
    )
    assert _modules_after(statement, heavy) == []


def test_a_tinydb_database_opens_without_sqlalchemy(tmp_path: object) -> None:
    """SQLAlchemy and psycopg load only when a SQL URL is opened, not for the default."""
    statement = (
        "from pytest_mockamocha.server.assembly import open_database; "
        f"open_database({str(tmp_path) + '/db.json'!r}).close()"
    )
    assert _modules_after(statement, ("sqlalchemy", "psycopg")) == []
    sql = statement.replace("/db.json", "/db.sqlite").replace("database('", "database('sqlite:///")
    assert "sqlalchemy" in _modules_after(sql, ("sqlalchemy",))


def test_the_dashboard_loads_on_its_first_page_not_with_the_mocks(tmp_path: object) -> None:
    """A team server (management API on) answers mocks without importing the dashboard;
    the first request to / imports it."""
    spec = "tests/data/specs/petstore.yaml"
    start = (
        "import urllib.request, pathlib; "
        "from pytest_mockamocha.api import build_api; "
        "from pytest_mockamocha.engine import Engine; "
        "from pytest_mockamocha.server.runtime import MockServer; "
        "from pytest_mockamocha.spec.loader import load_spec; "
        "from pytest_mockamocha.store import memory_store; "
        "e = Engine(); s = MockServer(e, management=build_api(memory_store(), e, b'k' * 32)); "
        "s.start(); "
        f"s.add_spec(load_spec({spec!r}, cache_dir=pathlib.Path({str(tmp_path)!r})), 'p'); "
        "urllib.request.urlopen(s.url_for('p') + '/pets?limit=2').read(); "
    )
    dashboard = ("pytest_mockamocha.dashboard",)
    ours = _modules_after(start + "s.stop()", ("pytest_mockamocha",))
    assert not [m for m in ours if m.startswith(dashboard)]
    after_page = _modules_after(
        start + "urllib.request.urlopen(s.url + '/').read(); s.stop()", ("pytest_mockamocha",)
    )
    assert "pytest_mockamocha.dashboard.pages" in after_page


@pytest.mark.parametrize("keep_documents", [False, True], ids=["pytest session", "serve"])
def test_a_warm_start_loads_only_what_its_first_example_answer_needs(
    tmp_path: object, keep_documents: bool
) -> None:
    """A server started as a pytest session or ``mockamocha serve --memory`` starts it
    (the compiled-document cache warm) loads neither the validators, PyYAML, the
    management API's routes, stateful mode nor the command line before its first request,
    and its first example answer adds none of them either."""
    spec = "tests/data/specs/petstore.yaml"
    start = (
        "import pathlib, urllib.request; "
        "from pytest_mockamocha.server.assembly import assemble; "
        "from pytest_mockamocha.server.config import ServerConfig, parse_document; "
        f"b = assemble(ServerConfig(documents=(parse_document('p={spec}'),), "
        f"keep_documents={keep_documents}, "
        f"cache_dir=pathlib.Path({str(tmp_path)!r}))); b.server.start()"
    )
    answer = "; urllib.request.urlopen(b.server.url_for('p', '/pets/1')).read()"
    _modules_after(start + answer + "; b.close()", ("json",))  # fills the cache
    heavy = (
        "jsonschema",
        "referencing",
        "openapi_schema_validator",
        "yaml",
        "click",
        "jwt",
        "openapi_core",
        "hypothesis",
        "faker",
        "jinja2",
    )
    assert _modules_after(start + "; b.close()", heavy) == []
    assert _modules_after(start + answer + "; b.close()", heavy) == []
    ours = _modules_after(start + answer + "; b.close()", ("pytest_mockamocha", "werkzeug"))
    assert not [
        m
        for m in ours
        if m.startswith(
            (
                "pytest_mockamocha.api.routes",
                "pytest_mockamocha.generate.validate",
                "pytest_mockamocha.generate.schema",
                "pytest_mockamocha.engine.stateful",
                "pytest_mockamocha.cli",
                "pytest_mockamocha.sdk",
                "pytest_mockamocha.dashboard",
                "werkzeug.routing",
            )
        )
    ]
