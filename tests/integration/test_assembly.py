"""``assemble``: one frozen ServerConfig in, a server with its documents, behaviours and
store out; the same path for the plugin, ``serve``, remote collections and add_spec."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from pytest_mockamocha.errors import ConfigError, RuleFileError
from pytest_mockamocha.server.assembly import assemble
from pytest_mockamocha.server.config import Document, ServerConfig, parse_document

SPECS = Path(__file__).parents[1] / "data" / "specs"
PETSTORE = SPECS / "petstore.yaml"


def _as_serve(tmp_path: Path, spec: Path = PETSTORE) -> ServerConfig:
    """What ``mockamocha serve --db tmp_path/db.json --spec shop=SPEC`` assembles."""
    return ServerConfig(
        documents=(parse_document(f"shop={spec}"),),
        db=tmp_path / "db.json",
        keep_documents=True,
        cache_dir=tmp_path / "cache",
    )


def test_a_config_becomes_a_served_store_backed_server(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nrules:\n  - operation: getPet\n    response: {status: 404}\n",
        encoding="utf-8",
    )
    config = ServerConfig(
        documents=(Document(PETSTORE, slug="shop"),),
        rule_files=(rules,),
        stateful=("shop",),
        cache_dir=tmp_path / "cache",
    )
    built = assemble(config)
    assert built.mounted == ["shop"]
    assert [len(loaded.rules) for loaded in built.rule_files] == [1]
    (stored,) = built.api.state.store.collections.find()
    assert (stored["slug"], stored["stateful"], stored["spec"]) == ("shop", True, None)
    with built.server:
        assert requests.get(built.server.url_for("shop", "/pets/1"), timeout=5).status_code == 404
        made = requests.post(built.server.url_for("shop", "/pets"), json={"name": "Zed"}, timeout=5)
        listed = requests.get(built.server.url_for("shop", "/pets"), timeout=5).json()
        assert made.json() in listed  # stateful: the store answers
    built.close()


def test_serve_keeps_documents_in_the_database_and_updates_them_in_place(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.json"
    config = _as_serve(tmp_path)
    first = assemble(config)
    first.close()
    again = assemble(config)  # a restart with the same --spec: the same collection
    (stored,) = again.api.state.store.collections.find()
    assert stored["slug"] == "shop"
    assert stored["spec"]["info"]["title"]
    assert [c.slug for c in again.engine] == ["shop"]
    again.close()
    restored = assemble(ServerConfig(db=db, keep_documents=True, cache_dir=tmp_path / "cache"))
    assert [c.slug for c in restored.engine] == []  # nothing compiled before its first use
    with restored.server:  # no --spec: the store's own, mounted by its first request
        answer = requests.get(restored.server.url_for("shop", "/pets"), timeout=5)
        assert answer.status_code == 200
    assert [c.slug for c in restored.engine] == ["shop"]
    restored.close()
    eager = assemble(ServerConfig(db=db, cache_dir=tmp_path / "cache", compiled=None))
    assert [c.slug for c in eager.engine] == ["shop"]  # compiled=None: every one at start
    eager.close()


def test_a_restart_on_the_same_file_writes_nothing(tmp_path: Path) -> None:
    """Re-importing an unchanged document rewrote a TinyDB file on every start (~1.5 s
    for GitHub's 1,223 operations)."""
    db = tmp_path / "db.json"
    config = _as_serve(tmp_path)
    assemble(config).close()
    before = db.read_bytes()
    again = assemble(config)
    with again.server:
        assert requests.get(again.server.url_for("shop", "/pets"), timeout=5).status_code == 200
    again.close()
    assert db.read_bytes() == before
    assert len(again.api.state.store.imports.find()) == 1


def test_a_restart_on_a_changed_file_imports_it_again(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(PETSTORE.read_text(encoding="utf-8"), encoding="utf-8")
    config = _as_serve(tmp_path, spec)
    assemble(config).close()
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("/pets/{petId}:", "/animals/{petId}:"),
        encoding="utf-8",
    )
    again = assemble(config)
    store = again.api.state.store
    paths = {e["path"] for e in store.endpoints.find()}
    assert "/animals/{petId}" in paths
    assert "/pets/{petId}" not in paths
    assert len(store.imports.find()) == 2
    (stored,) = store.collections.find()
    assert "/animals/{petId}" in stored["spec"]["paths"]
    again.close()


def test_a_restart_brings_back_an_endpoint_deleted_from_the_store(tmp_path: Path) -> None:
    """The file is what a --spec serves: its operations are all listed again at start."""
    config = _as_serve(tmp_path)
    first = assemble(config)
    catalog = first.api.state.catalog
    (gone, *_) = first.api.state.store.endpoints.find()
    catalog.delete_endpoint(gone)
    count = len(first.api.state.store.endpoints.find())
    first.close()
    again = assemble(config)
    operations = {e["operation"] for e in again.api.state.store.endpoints.find()}
    assert len(operations) == count + 1
    assert gone["operation"] in operations
    again.close()


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (ServerConfig(record=Path("out.yaml")), "record needs proxies"),
        (ServerConfig(stateful=("shop",)), "stateful: no collection 'shop'; known: none"),
        (
            ServerConfig(proxies=(("shop", "http://127.0.0.1:9"),)),
            "proxies: no collection 'shop'",
        ),
        (ServerConfig(documents=(Document(Path("nope.yaml")),)), "spec not found: nope.yaml"),
    ],
    ids=["record-without-proxy", "unknown-stateful", "unknown-proxy", "missing-spec"],
)
def test_mistakes_are_config_errors_in_the_field_names(config: ServerConfig, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        assemble(config)
    assert words in str(raised.value)


def test_a_config_error_speaks_each_front_ends_option_names() -> None:
    with pytest.raises(ConfigError) as raised:
        assemble(ServerConfig(record=Path("out.yaml")))
    assert raised.value.worded({"record": "--record", "proxies": "--proxy"}) == (
        "--record needs --proxy"
    )


def test_a_broken_rule_file_names_its_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nrules:\n  - operation: getPet\n", encoding="utf-8")
    config = ServerConfig(documents=(Document(PETSTORE),), rule_files=(rules,))
    with pytest.raises(RuleFileError, match=r"rules\.yaml:3"):
        assemble(config)


def test_add_spec_mounts_as_the_assembly_does(tmp_path: Path) -> None:
    built = assemble(ServerConfig(cache_dir=tmp_path))
    coll = built.server.add_spec(PETSTORE, slug="late")
    assert coll.slug == "late"
    assert [c["slug"] for c in built.api.state.store.collections.find()] == ["late"]
    built.close()


ADMIN = ("owner@example.com", "a long enough password")


def _login(built_url: str, password: str) -> int:
    return requests.post(
        f"{built_url}/api/auth/login",
        json={"email": ADMIN[0], "password": password},
        timeout=10,
    ).status_code


def test_a_store_in_memory_hashes_the_admin_password_while_the_server_starts() -> None:
    built = assemble(ServerConfig(documents=(Document(PETSTORE, slug="shop"),), admin=ADMIN))
    with built.server:
        # a sign-in at once waits for the hash; it neither fails nor lets a wrong one in
        assert _login(built.server.url, ADMIN[1]) == 200
        assert _login(built.server.url, "not the password at all") == 401
    (admin,) = built.api.state.store.users.find(is_admin=True)
    assert admin["password_hash"].startswith("scrypt$")
    built.close()


def test_a_database_file_gets_the_admin_password_hashed_before_start(tmp_path: Path) -> None:
    config = ServerConfig(db=tmp_path / "db.json", admin=ADMIN, cache_dir=tmp_path / "cache")
    built = assemble(config)
    (admin,) = built.api.state.store.users.find(is_admin=True)
    assert admin["password_hash"].startswith("scrypt$")  # nothing half-made on disk
    with built.server:
        assert _login(built.server.url, ADMIN[1]) == 200
    built.close()


def test_a_sessions_administrator_has_no_password_to_guess() -> None:
    built = assemble(ServerConfig(documents=(Document(PETSTORE, slug="shop"),)))
    (admin,) = built.api.state.store.users.find(is_admin=True)
    assert admin["password_hash"] is None
    with built.server:
        refused = requests.post(
            f"{built.server.url}/api/auth/login",
            json={"email": admin["email"], "password": "anything at all"},
            timeout=10,
        )
        assert refused.status_code == 401
        token = {"Authorization": f"Bearer {built.server.admin_token}"}
        assert requests.get(f"{built.server.url}/api/auth/me", headers=token, timeout=10).ok
    built.close()
