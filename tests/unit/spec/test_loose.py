"""Loose documents are served, with each looseness reported once as a warning with a pointer."""

from __future__ import annotations

import pytest

from pytest_mockamocha.engine import Engine, MockRequest
from pytest_mockamocha.errors import SpecError
from pytest_mockamocha.spec.loader import load_text

BASE = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: integer}}}
"""

LOOSE = {
    "info-without-version": (BASE.replace('info: {title: t, version: "1"}', "info: {title: t}"),
                             "/info", "'version' is a required property"),
    "response-without-description": (BASE.replace("description: ok\n", ""),
                                     "/paths/~1a/get/responses/200", "'description'"),
    "empty-responses": (BASE.replace('''      responses:
        "200":
          description: ok
          content: {application/json: {schema: {type: integer}}}''', "      responses: {}"),
                        "/paths/~1a/get/responses", "should be non-empty"),
    "unknown-root-field": (BASE + "tags2: [x]\n", "", "does not match any of the regexes"),
}


@pytest.mark.parametrize("case", sorted(LOOSE))
def test_loose_document_is_served_with_a_warning(case: str) -> None:
    text, pointer, words = LOOSE[case]
    spec = load_text(text, slug="t")
    matching = [w for w in spec.warnings if w.pointer == pointer and words in w.message]
    assert matching, [str(w) for w in spec.warnings]
    assert not any(w.fatal for w in spec.warnings)
    engine = Engine()
    engine.add(spec)
    assert engine.handle("t", MockRequest("GET", "/a")).status < 500


def test_structural_breakage_is_still_refused() -> None:
    broken = BASE.replace("    get:\n", "    get:\n      parameters: [{name: q}]\n")
    with pytest.raises(SpecError, match="'in' is a required property"):
        load_text(broken, slug="t")
