"""The structural check gives the same verdict and wording with or without jsonschema-rs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mockamocha.spec import check
from pytest_mockamocha.spec.parse import parse_text

SPECS = Path(__file__).parents[2] / "data" / "specs"
CASES = [
    ("petstore.yaml", "3.0"),
    ("openapi31.yaml", "3.1"),
    ("security.yaml", "3.0"),
    ("broken/invalid_schema.yaml", "3.0"),
    ("broken/missing_paths.yaml", "3.0"),
]


@pytest.mark.parametrize(("name", "version"), CASES, ids=[c[0] for c in CASES])
def test_rust_and_python_checks_agree(name: str, version: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_text((SPECS / name).read_bytes(), name)
    with_rust = check._validate(doc, version)
    monkeypatch.setattr(check, "_rust_validator", lambda version, schema: None)
    python_only = check._validate(doc, version)
    assert with_rust == python_only
    assert bool(with_rust) == name.startswith("broken/")
