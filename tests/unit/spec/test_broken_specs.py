"""Every malformed document in ``tests/data/specs/broken`` is refused with a clear SpecError.

The error must name the file, say what is wrong, and point at where: a JSON pointer or a
line (the three documents that are wrong as a whole have no smaller place to point at).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.loader import load_spec, load_text

PET_SCHEMA = "/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema"


@dataclass(frozen=True)
class Case:
    file: str
    says: tuple[str, ...]  # substrings the message must contain (case-insensitive)
    line: int | None = None
    pointer: str | None = None  # the pointer the error is at, or starts with
    whole_document: bool = False  # wrong as a whole: no smaller place to point at


CASES = [
    Case("bad_yaml.yaml", ("invalid yaml", "mapping values"), line=10),
    Case("bad_json.json", ("invalid json",), line=9),
    Case("alias_bomb.yaml", ("alias",), whole_document=True),
    Case("missing_paths.yaml", ("paths",), pointer="/paths"),
    Case(
        "broken_ref.yaml",
        ("#/components/schemas/Nope", "nowhere"),
        pointer="/paths/~1pets/get/responses/200",
    ),
    Case(
        "circular_ref.yaml",
        ("circular", "#/components/schemas/A", "#/components/schemas/B"),
        pointer="/components/schemas/",
    ),
    Case(
        "remote_ref.yaml",
        ("https://example.com/schemas/pet.yaml#/Pet", "remote"),
        pointer=PET_SCHEMA,
    ),
    Case(
        "escaping_ref.yaml",
        ("../../outside.yaml#/Pet", "leaves the spec's folder"),
        pointer=PET_SCHEMA,
    ),
    Case("missing_file_ref.yaml", ("./schemas/does-not-exist.yaml",), pointer=PET_SCHEMA),
    Case(
        "invalid_schema.yaml",
        ("'in' is a required property",),
        pointer="/paths/~1pets/get/parameters/0",
    ),
    Case("not_a_mapping.yaml", ("list", "not an openapi mapping"), whole_document=True),
    Case("no_version.yaml", ("openapi",), pointer="/openapi"),
    Case("empty.yaml", ("empty",), whole_document=True),
]


#: Files in ``broken/`` that are served now: Swagger 2.0 is converted to OpenAPI 3.0.3.
ACCEPTED: tuple[str, ...] = ()


def test_every_broken_file_has_a_case(specs_dir: Path) -> None:
    on_disk = sorted(p.name for p in (specs_dir / "broken").iterdir() if p.name not in ACCEPTED)
    assert on_disk == sorted(c.file for c in CASES)


def test_swagger2_is_converted_instead_of_refused(specs_dir: Path) -> None:
    spec = load_spec(specs_dir / "swagger2" / "minimal.yaml")
    assert spec.version == "3.0"
    assert [op.name for op in spec.operations] == ["GET /pets"]


@pytest.mark.parametrize("case", CASES, ids=[c.file.rsplit(".", 1)[0] for c in CASES])
def test_broken_spec_is_refused_naming_file_and_place(specs_dir: Path, case: Case) -> None:
    path = specs_dir / "broken" / case.file
    with pytest.raises(SpecError) as info:
        load_spec(path)
    error = info.value
    message = str(error)
    assert message.startswith(str(path))
    assert error.source == str(path)
    for needle in case.says:
        assert needle.lower() in message.lower(), message
    if case.line is not None:
        assert error.line == case.line
        assert f"line {case.line}" in message
    if case.pointer is not None:
        assert error.pointer.startswith(case.pointer), error.pointer
        assert error.pointer in message
    if case.whole_document:
        assert error.pointer in ("", "/")  # the root: the document as a whole is wrong
    else:
        assert error.line is not None or error.pointer


def test_remote_ref_is_refused_without_touching_the_network(
    specs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the loader tried to use the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(SpecError, match="remote"):
        load_spec(specs_dir / "broken" / "remote_ref.yaml")


def test_escaping_ref_is_refused_even_when_the_target_exists(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (tmp_path / "outside.yaml").write_text("Pet: {type: object}\n")
    source = Path(__file__).resolve().parents[2] / "data" / "specs" / "broken" / "escaping_ref.yaml"
    (folder / "spec.yaml").write_text(source.read_text())
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        load_spec(folder / "spec.yaml")


def test_alias_bomb_in_memory_is_refused(specs_dir: Path) -> None:
    text = (specs_dir / "broken" / "alias_bomb.yaml").read_text()
    with pytest.raises(SpecError, match="alias"):
        load_text(text, source="bomb.yaml")


def test_self_referencing_yaml_alias_is_refused() -> None:
    text = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    Loop: &loop\n      items: *loop\n"
    )
    with pytest.raises(SpecError) as info:
        load_text(text, source="loop.yaml")
    assert "loop.yaml" in str(info.value)


def test_broken_spec_json_with_yaml_suffix_is_read_as_yaml(tmp_path: Path) -> None:
    # JSON content is detected by its first character, whatever the suffix says
    path = tmp_path / "spec.yaml"
    path.write_text(
        '{"openapi": "3.0.3", "info": {"title": "x", "version": "1"}, '
        '"paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}'
    )
    assert [op.name for op in load_spec(path).operations] == ["GET /a"]


def test_nested_file_parse_error_names_the_nested_file(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text("Pet:\n  type: object\n  a: b: c\n")
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /p:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: './schemas/pet.yaml#/Pet'}\n"
    )
    with pytest.raises(SpecError) as info:
        load_spec(tmp_path / "api.yaml")
    assert "pet.yaml" in str(info.value)
    assert info.value.line == 3
