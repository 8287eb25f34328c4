"""The compiled-document cache: a second load of the same bytes reads what the first
compiled; nothing stale, half-written or corrupt is ever read."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec import cache as cache_module
from pytest_mockamocha.spec import loader
from pytest_mockamocha.spec.cache import DocumentCache
from pytest_mockamocha.spec.loader import load_spec, load_text

SPECS = Path(__file__).parents[2] / "data" / "specs"


def entries(root: Path) -> list[Path]:
    return sorted((root / "documents").glob("*.json"))


def never_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make compiling fail: a load that succeeds read the cache."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again instead of reading the cache")

    monkeypatch.setattr(loader, "_compile", refuse)


def test_a_second_load_reads_the_entry_instead_of_compiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    first = load_spec(SPECS / "petstore.yaml", cache_dir=root)
    assert len(entries(root)) == 1
    never_compile(monkeypatch)
    second = load_spec(SPECS / "petstore.yaml", cache_dir=root)
    assert second.document == first.document
    assert [op.name for op in second.operations] == [op.name for op in first.operations]
    assert second.content_hash == first.content_hash
    assert second.warnings == first.warnings


def test_a_changed_document_is_compiled_again(tmp_path: Path) -> None:
    root, path = tmp_path / "cache", tmp_path / "api.yaml"
    shutil.copy(SPECS / "petstore.yaml", path)
    load_spec(path, cache_dir=root)
    path.write_text(path.read_text().replace("title:", "title: Changed", 1))
    changed = load_spec(path, cache_dir=root)
    assert changed.title.startswith("Changed")
    assert len(entries(root)) == 2


def test_a_changed_referenced_file_is_never_read_stale(tmp_path: Path) -> None:
    folder = tmp_path / "spec"
    shutil.copytree(SPECS / "multifile", folder)
    root = tmp_path / "cache"
    main = folder / "api.yaml"
    before = load_spec(main, cache_dir=root)
    referenced = sorted(
        p for p in folder.rglob("*.yaml") if p != main and "description" in p.read_text()
    )[0]
    referenced.write_text(referenced.read_text().replace("description:", "description: NEW", 1))
    after = load_spec(main, cache_dir=root)
    assert json.dumps(after.document) != json.dumps(before.document)
    assert "NEW" in json.dumps(after.document)
    referenced.unlink()
    with pytest.raises(SpecError, match="cannot read"):
        load_spec(main, cache_dir=root)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "wrong-format"])
def test_a_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    root = tmp_path / "cache"
    good = load_spec(SPECS / "petstore.yaml", cache_dir=root)
    (entry,) = entries(root)
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.write_bytes(b"\x00\xff not json")
    else:
        entry.write_text(json.dumps({**json.loads(data), "format": -1}))
    again = load_spec(SPECS / "petstore.yaml", cache_dir=root)
    assert again.document == good.document
    assert json.loads(entry.read_bytes())["format"] == cache_module.FORMAT


def test_half_written_entries_are_never_read(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    (root / "documents").mkdir(parents=True)
    key = DocumentCache(root).key((SPECS / "petstore.yaml").read_bytes(), "file")
    (root / "documents" / f".{key}.tmp").write_text('{"format": 1')
    spec = load_spec(SPECS / "petstore.yaml", cache_dir=root)
    assert spec.operations
    assert len(entries(root)) == 1


def test_another_loader_version_never_reads_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    load_spec(SPECS / "petstore.yaml", cache_dir=root)
    monkeypatch.setattr("pytest_mockamocha._version.__version__", "99.0")
    monkeypatch.setattr(cache_module, "_FINGERPRINT", [])
    load_spec(SPECS / "petstore.yaml", cache_dir=root)
    assert len(entries(root)) == 2


def test_workers_loading_at_once_each_get_a_whole_document(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    loaded: list[int] = []
    errors: list[BaseException] = []

    def load() -> None:
        try:
            loaded.append(len(load_spec(SPECS / "petstore.yaml", cache_dir=root).operations))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(loaded)) == 1
    assert len(entries(root)) == 1
    assert not list((root / "documents").glob("*.tmp"))


def test_the_folder_keeps_the_most_recently_used_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 3)
    root = tmp_path / "cache"
    text = (SPECS / "petstore.yaml").read_text()
    for n in range(6):
        load_text(text.replace("title:", f"title: Copy {n}", 1), cache_dir=root)
    assert len(entries(root)) == 3


def test_text_documents_are_cached_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "cache"
    text = (SPECS / "petstore.yaml").read_text()
    first = load_text(text, cache_dir=root)
    never_compile(monkeypatch)
    second = load_text(text, cache_dir=root)
    assert second.document == first.document


def _json_document(tmp_path: Path) -> Path:
    """The pet store as JSON text: what the fast paths read."""
    from pytest_mockamocha.spec.parse import parse_text

    doc = parse_text((SPECS / "petstore.yaml").read_bytes(), "petstore.yaml")
    path = tmp_path / "petstore.json"
    path.write_text(json.dumps(doc, indent=1))
    return path


def test_an_entry_of_a_json_document_read_as_it_is_keeps_no_copy_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, path = tmp_path / "cache", _json_document(tmp_path)
    first = load_spec(path, cache_dir=root)
    [entry] = entries(root)
    stored = json.loads(entry.read_text())
    assert stored["document"] is None
    assert entry.stat().st_size < 1000 < path.stat().st_size
    never_compile(monkeypatch)
    second = load_spec(path, cache_dir=root)  # read from the text it was given
    assert second.document == first.document
    assert second.content_hash == first.content_hash
    assert second.json_clean
    assert [op.name for op in second.operations] == [op.name for op in first.operations]


def test_an_entry_keeps_the_document_when_loading_changed_it(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    load_spec(SPECS / "petstore.yaml", cache_dir=root)  # YAML: the text is not its JSON
    swagger = tmp_path / "swagger.json"  # converted to OpenAPI 3
    swagger.write_text(json.dumps({
        "swagger": "2.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }))
    load_spec(swagger, cache_dir=root)
    dialect = tmp_path / "dialect.json"  # 3.1 with a $schema no validator knows: dropped
    dialect.write_text(json.dumps({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$schema": "https://example.com/draft-05",
                                            "type": "object"}}}}}}}},
    }))
    spec = load_spec(dialect, cache_dir=root)
    assert "$schema" not in json.dumps(spec.document)
    documents = [json.loads(e.read_text())["document"] for e in entries(root)]
    assert len(documents) == 3
    assert all(isinstance(d, dict) for d in documents)
    again = load_spec(dialect, cache_dir=root)
    assert again.document == spec.document


def test_an_entry_without_a_copy_never_answers_for_other_bytes(tmp_path: Path) -> None:
    """A hit reads the text it was given; an entry put under another document's key (by
    hand: keys are hashes of the bytes) answers a miss, not a document built from them."""
    root, path = tmp_path / "cache", _json_document(tmp_path)
    load_spec(path, cache_dir=root)
    [entry] = entries(root)
    shutil.copy(entry, root / "documents" / f"{DocumentCache(root).key(b'[1]', 'text')}.json")
    with pytest.raises(SpecError, match="not an OpenAPI mapping"):
        load_text(b"[1]", cache_dir=root)


def test_a_process_reads_no_file_for_text_it_has_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team server importing a document it has seen (into another collection, or again)
    needs only the bytes it is given: what the entry says besides them is remembered."""
    root, other = tmp_path / "cache", tmp_path / "other"
    text = _json_document(tmp_path).read_bytes()
    first = load_text(text, cache_dir=root)
    [entry] = entries(root)
    entry.unlink()
    never_compile(monkeypatch)
    second = load_text(text, cache_dir=root)
    assert second.document == first.document
    assert second.document is not first.document  # each load has its own
    assert second.content_hash == first.content_hash
    assert second.warnings == first.warnings
    assert second.json_clean
    assert entries(root) == []  # neither read nor written again
    with pytest.raises(AssertionError, match="compiled again"):
        load_text(text, cache_dir=other)  # another cache folder remembers nothing of it


@pytest.mark.parametrize("cached", [False, True])
def test_a_document_its_caller_read_already_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    """The management API reads an import's body to tell a document from a wrapper; the
    loader keeps that reading (which orjson made from the same bytes) as the document."""
    from pytest_mockamocha.spec.parse import fast_json

    root = tmp_path / "cache"
    text = _json_document(tmp_path).read_bytes()
    if cached:
        load_text(text, cache_dir=root)
    parsed, names = fast_json(text), [op.name for op in load_text(text).operations]
    reads: list[bytes] = []
    for module in (loader, cache_module):

        def counted(data: bytes, *args: object, real=module.fast_json, **kw: object) -> object:
            reads.append(data)
            return real(data, *args, **kw)

        monkeypatch.setattr(module, "fast_json", counted)
    spec = load_text(text, cache_dir=root, parsed=parsed)
    assert reads == []
    assert spec.document is parsed
    assert spec.json_clean
    assert [op.name for op in spec.operations] == names
    load_text(text, cache_dir=root)  # without it: read as before
    assert reads == [text]


def test_a_document_that_refers_to_files_is_checked_on_every_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "spec"
    shutil.copytree(SPECS / "multifile", folder)
    root = tmp_path / "cache"
    load_spec(folder / "api.yaml", cache_dir=root)
    load_spec(folder / "api.yaml", cache_dir=root)  # a hit: its files compared again
    for entry in entries(root):
        entry.unlink()
    never_compile(monkeypatch)
    with pytest.raises(AssertionError, match="compiled again"):
        load_spec(folder / "api.yaml", cache_dir=root)
