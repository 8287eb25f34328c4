"""`mockamocha lint`: findings with pointers, exit codes, JSON for CI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pytest_mockamocha.cli.lint_cmd import lint_command

SPECS = Path(__file__).parents[1] / "data" / "specs"

MESSY = """
openapi: 3.0.3
info: {title: messy}
components:
  schemas:
    Sloppy:
      oneOf:
        - {type: object, properties: {a: {type: string}}}
        - {type: object, properties: {b: {type: string}}}
paths:
  /pets/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}}}
              example: {id: "seven"}
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, schema: {type: integer}}]
      responses:
        "200": {description: ok, content: {application/json: {}}}
  /odd:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Sloppy"}}}
  /nothing:
    delete:
      responses:
        "404": {description: gone}
"""


def test_a_clean_document_exits_0() -> None:
    result = CliRunner().invoke(lint_command, [str(SPECS / "petstore.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_each_kind_of_problem_is_found_with_its_pointer(tmp_path: Path) -> None:
    (tmp_path / "messy.yaml").write_text(MESSY)
    result = CliRunner().invoke(lint_command, [str(tmp_path / "messy.yaml"), "--json"])
    assert result.exit_code == 1
    findings = {(f["kind"], f["pointer"]) for f in json.loads(result.stdout)["findings"]}
    assert ("loose", "/info") in findings
    assert ("invalid-example",
            "/paths/~1pets~1{id}/get/responses/200/content/application~1json/example") in findings
    assert ("no-schema",
            "/paths/~1pets~1{petId}/get/responses/200/content/application~1json") in findings
    assert ("unreachable", "/paths/~1pets~1{petId}/get") in findings
    assert ("no-response", "/paths/~1nothing/delete/responses") in findings
    assert any(kind == "unsatisfiable" for kind, _ in findings)


def test_a_broken_document_is_one_finding(tmp_path: Path) -> None:
    result = CliRunner().invoke(lint_command, [str(SPECS / "broken" / "broken_ref.yaml")])
    assert result.exit_code == 1
    assert "[invalid-document]" in result.stdout
    assert "points nowhere" in result.output
