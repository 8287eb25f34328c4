"""``mockamocha generate``: formats, files, determinism, progress and one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from pytest_mockamocha.cli.generate_cmd import flatten, generate_command

PETSTORE = str(Path(__file__).parents[1] / "data" / "specs" / "petstore.yaml")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(generate_command, [PETSTORE, *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_array_of_list_items_on_stdout() -> None:
    code, out, err = _run("GET /pets", "--count", "25", "--seed", "7")
    assert code == 0, err
    pets = json.loads(out)
    assert len(pets) == 25
    assert all(isinstance(p, dict) and {"id", "name"} <= set(p) for p in pets)
    assert err == ""


def test_same_seed_same_records_and_operation_ids() -> None:
    one = _run("GET /pets", "-n", "10", "--seed", "7")[1]
    assert one == _run("listPets", "-n", "10", "--seed", "7")[1]
    assert one != _run("listPets", "-n", "10", "--seed", "8")[1]


def test_jsonl_and_csv() -> None:
    code, out, _ = _run("GET /pets", "-n", "5", "--format", "jsonl")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 5
    code, out, _ = _run("GET /pets", "-n", "5", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5
    assert [r["name"] for r in rows] == [p["name"] for p in lines]


def test_csv_flattens_nested_keys_with_dots() -> None:
    assert flatten({"a": {"b": 1, "c": {"d": None}}, "e": [1, 2], "f": True}) == {
        "a.b": 1,
        "a.c.d": "",
        "e": "[1, 2]",
        "f": "true",
    }


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "pets.json"
    code, out, _ = _run("GET /pets/{petId}", "-n", "3", "--output", str(target))
    assert code == 0
    assert out == ""
    assert len(json.loads(target.read_text())) == 3
    assert not list(tmp_path.glob("*.partial"))


def test_progress_bar_on_stderr_for_large_counts() -> None:
    code, out, err = _run("GET /pets", "-n", "1001", "--format", "jsonl")
    assert code == 0
    assert len(out.splitlines()) == 1001
    assert "generating" in err


def test_locale() -> None:
    code, out, _ = _run("GET /pets", "-n", "5", "--locale", "de_DE")
    assert code == 0
    assert out != _run("GET /pets", "-n", "5")[1]


def test_errors_are_one_line_with_exit_code_1() -> None:
    code, out, err = _run("GET /pet")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "no operation 'GET /pet'" in err
    assert "'GET /pets'" in err
    code, _, err = _run("GET /pets", "--locale", "en_UZ")
    assert (code, err.count("\n")) == (1, 1)
    assert "unknown locale 'en_UZ'" in err
    code, _, err = _run("DELETE /pets/{petId}")
    assert code == 1
    assert "declares no response body" in err
    result = CliRunner().invoke(generate_command, ["missing.yaml", "GET /pets"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
