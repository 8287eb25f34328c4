"""`mockamocha db migrate` and `db upgrade`, and `--db URL` on `users create`, through the
real command line on real files (and a throwaway PostgreSQL where installed)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pytest_mockamocha.cli.main import cli
from pytest_mockamocha.store import TABLES, Store, open_store_url
from pytest_mockamocha.store.secret import kept_secret, store_secret
from pytest_mockamocha.store.sqlschema import LATEST


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def _fill(store: Store) -> None:
    """A little of everything: a heavy document, a boolean, a null, unicode, nesting."""
    store.users.insert({"id": "user_1", "email": "a@b.c", "email_key": "a@b.c", "is_admin": True})
    store.keys.insert({"id": "key_1", "user_id": "user_1", "hash": "h", "revoked": False})
    for n in (2, 1, 3):  # insertion order differs from id order
        store.collections.insert(
            {
                "id": f"coll_{n}",
                "workspace_id": "ws_1",
                "name": f"Café {n}",
                "slug": f"cafe-{n}",
                "spec": {"openapi": "3.0.3", "paths": {"/x": {"get": {}}}} if n != 3 else None,
                "delay": [0.1, 0.5],
            }
        )
    store.endpoints.insert({"id": "ep_1", "collection_id": "coll_2", "method": "GET"})
    store.rules.insert({"id": "rule_1", "endpoint_id": "ep_1", "priority": 3, "match": {}})
    store.imports.insert({"id": "imp_1", "collection_id": "coll_2", "status": "completed"})


def _contents(url: str) -> dict[str, Any]:
    store = open_store_url(url)
    try:
        tables: dict[str, Any] = {name: getattr(store, name).find() for name in TABLES}
        tables["secret"] = kept_secret(store)
    finally:
        store.close()
    return tables


def _made(url: str) -> dict[str, Any]:
    store = open_store_url(url)
    _fill(store)
    store_secret(store)
    store.close()
    return _contents(url)


def test_tinydb_to_sqlite_and_back_loses_nothing(tmp_path: Path) -> None:
    first, sql, back = tmp_path / "db.json", f"sqlite:///{tmp_path}/db.sqlite", tmp_path / "b.json"
    original = _made(str(first))
    assert original["secret"] is not None
    assert [c["id"] for c in original["collections"]] == ["coll_2", "coll_1", "coll_3"]
    done = _run("db", "migrate", "--from", str(first), "--to", sql)
    assert done.exit_code == 0, done.output
    assert "copied 1 users, 1 keys, 3 collections" in done.output
    assert _contents(sql) == original
    done = _run("db", "migrate", "--from", sql, "--to", f"tinydb:///{back}")
    assert done.exit_code == 0, done.output
    assert _contents(str(back)) == original
    assert stat.S_IMODE(os.stat(tmp_path / "db.sqlite").st_mode) == 0o600


def test_sqlite_to_postgresql_and_back_loses_nothing(tmp_path: Path, postgres_url: str) -> None:
    sql, back = f"sqlite:///{tmp_path}/db.sqlite", f"sqlite:///{tmp_path}/back.sqlite"
    original = _made(sql)
    assert _run("db", "migrate", "--from", sql, "--to", postgres_url).exit_code == 0
    assert _contents(postgres_url) == original
    assert _run("db", "migrate", "--from", postgres_url, "--to", back).exit_code == 0
    assert _contents(back) == original


def test_migrate_refuses_a_target_that_holds_records(tmp_path: Path) -> None:
    source, target = str(tmp_path / "a.json"), f"sqlite:///{tmp_path}/b.sqlite"
    _made(source)
    env = {"MOCKAMOCHA_PASSWORD": "long enough"}
    made = _run("users", "create", "--db", target, "--email", "x@y.z", "--name", "X", env=env)
    assert made.exit_code == 0, made.output
    done = _run("db", "migrate", "--from", source, "--to", target)
    assert done.exit_code == 1
    assert "the target is not empty (1 users); nothing copied" in done.output
    assert [u["email"] for u in _contents(target)["users"]] == ["x@y.z"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("mysql://db/x", "unknown database scheme 'mysql://'"),
        ("sqlite://relative", "write a file as sqlite:///relative"),
        ("nowhere.json", "no database at nowhere.json"),
        ("postgresql://mm:hunter22@127.0.0.1:1/x", "cannot open postgresql://mm:***@127.0.0.1:1/x"),
    ],
    ids=["unknown-scheme", "two-slashes", "missing-file", "refused-password-hidden"],
)
def test_migrate_says_what_is_wrong_with_a_source(
    source: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = _run("db", "migrate", "--from", source, "--to", "out.json")
    assert done.exit_code == 1
    assert message in done.output
    assert "hunter22" not in done.output
    assert "Traceback" not in done.output


def test_upgrade_migrates_an_older_schema_and_refuses_a_newer_one(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "db.sqlite"
    with sqlite3.connect(db) as conn:  # a database some earlier version left at version 0
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (0)")
    conn.close()
    done = _run("db", "upgrade", "--db", f"sqlite:///{db}")
    assert (done.exit_code, done.output) == (0, f"schema version 0 -> {LATEST}\n")
    again = _run("db", "upgrade", "--db", f"sqlite:///{db}")
    assert again.output == f"schema version {LATEST}: up to date\n"
    with sqlite3.connect(db) as conn:  # as version 1 left it: no tables replicas share
        for table in ("shared_numbers", "shared_texts", "request_log"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE schema_version SET version = 1")
    conn.close()
    upgraded = _run("db", "upgrade", "--db", f"sqlite:///{db}").output
    assert upgraded == f"schema version 1 -> {LATEST}\n"
    with sqlite3.connect(db) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"shared_numbers", "shared_texts", "request_log"} <= tables
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    done = _run("db", "upgrade", "--db", f"sqlite:///{db}")
    assert done.exit_code == 1
    assert f"schema version 99, newer than this MockaMocha knows ({LATEST})" in done.output
    serve = [sys.executable, "-m", "pytest_mockamocha.cli", "serve", "--port", "0"]
    refused = subprocess.run(
        [*serve, "--db", f"sqlite:///{db}"], capture_output=True, text=True, timeout=60
    )
    assert refused.returncode == 1
    assert "cannot open the database sqlite:///" in refused.stderr
    assert "newer than this MockaMocha knows" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_replicas_share_the_secret_kept_in_the_database(postgres_url: str) -> None:
    first, second = open_store_url(postgres_url), open_store_url(postgres_url)
    try:
        assert store_secret(first) == store_secret(second)
        assert len(store_secret(first)) == 32
    finally:
        first.close()
        second.close()
