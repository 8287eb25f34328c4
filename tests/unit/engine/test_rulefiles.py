"""Rule files: loaded whole or not at all, every problem with its file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.rules.files import load_rule_file
from pytest_mockamocha.errors import MockamochaWarning, RuleFileError
from pytest_mockamocha.spec.loader import load_spec

SPECS = Path(__file__).parents[2] / "data" / "specs"


@pytest.fixture
def engine() -> Engine:
    eng = Engine()
    eng.add(load_spec(SPECS / "petstore.yaml"), "petstore")
    return eng


def write(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_valid_file_puts_its_rules_in_the_book(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        version: 1
        rules:
          - operation: GET /pets/{petId}
            match: {path: {petId: 7}}
            response: {status: 404}
          - collection: petstore
            operation: createPet
            priority: 3
            response: {status: 201, json: {id: 1, name: Rex}}
        """,
    )
    loaded = load_rule_file(path, engine)
    assert [r.id for r in loaded.rules] == ["rules#1", "rules#2"]
    assert loaded.warnings == ()
    book = engine.rules.rules("petstore")
    assert {r.operation for r in book} == {"GET /pets/{petId}", "POST /pets"}
    assert all(r.owner is None for r in book)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("rules:\n  - operation: GET /pets\n    response: {status: 200\n", 4, "invalid YAML"),
        ("version: 2\nrules: []\n", 1, "must be 1"),
        ("rules: {}\n", 1, "must be a list of rules"),
        ("colour: red\nrules: []\n", 1, '"colour" is not a rule file field'),
        ("rules:\n  - response: {}\n", 2, 'needs "operation"'),
        ("rules:\n  - operation: GET /nowhere\n    response: {}\n", 2, "GET /nowhere"),
        (
            "rules:\n  - collection: shop\n    operation: GET /pets\n    response: {}\n",
            2,
            "names no loaded collection (loaded: petstore)",
        ),
        (
            "rules:\n  - operation: GET /pets\n\n    response:\n      status: 200\n"
            "      times: 0\n",
            6,
            '"rules[0].response.times" must be a whole number >= 1',
        ),
        (
            "rules:\n  - operation: GET /pets\n    match:\n      query:\n"
            "        limit: {regex: '('}\n    response: {}\n",
            5,
            "rules[0].match.query.limit",
        ),
        (
            "rules:\n  - operation: GET /pets\n    match:\n      headers:\n"
            "        X-T: {regex: '(a)\\1'}\n    response: {}\n",
            5,
            "linear-time matching cannot run",
        ),
        ("- just\n- a list\n", 1, "an object with"),
        ("rules:\n  - !!python/object:os.system {}\n", 2, "invalid YAML"),
    ],
    ids=[
        "bad-yaml",
        "version",
        "rules-not-list",
        "unknown-key",
        "no-operation",
        "unknown-operation",
        "unknown-collection",
        "bad-times",
        "bad-regex",
        "backreference",
        "not-an-object",
        "python-tag",
    ],
)
def test_each_problem_names_the_file_and_line(
    engine: Engine, tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_rule_file(path, engine)
    message = str(caught.value)
    assert f"{path}:{line}:" in message, message
    assert words in message, message
    assert engine.rules.rules() == []


def test_one_bad_rule_loads_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        rules:
          - operation: listPets
            response: {status: 200}
          - operation: getPet
            response: {status: 42}
        """,
    )
    with pytest.raises(RuleFileError, match=r"(?s)1 problem\(s\).*:5: .*100 to 599"):
        load_rule_file(path, engine)
    assert engine.rules.rules() == []


def test_a_rule_that_breaks_the_contract_loads_with_a_located_warning(
    engine: Engine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        """\
        rules:
          - operation: getPet
            response:
              status: 200
              json: {id: seven, name: Rex}
        """,
    )
    with pytest.warns(MockamochaWarning, match=r"rules.yaml:3: .*body.id.*integer"):
        loaded = load_rule_file(path, engine)
    assert len(loaded.rules) == 1
    assert len(loaded.warnings) == 1


def test_a_missing_or_huge_file_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read the rule file"):
        load_rule_file(tmp_path / "absent.yaml", engine)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (8 * 1024 * 1024 + 1))
    with pytest.raises(RuleFileError, match="limited to"):
        load_rule_file(big, engine)


def test_several_collections_need_the_collection_field(engine: Engine, tmp_path: Path) -> None:
    engine.add(load_spec(SPECS / "petstore.yaml"), "other")
    path = write(tmp_path, "rules:\n  - operation: listPets\n    response: {}\n")
    with pytest.raises(RuleFileError, match=r':2: .*needs "collection"'):
        load_rule_file(path, engine)
