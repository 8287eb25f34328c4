"""Fixtures for the spec layer's unit tests: where the shipped specs live, and the large one."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SPECS = Path(__file__).resolve().parents[2] / "data" / "specs"


def _generator() -> ModuleType:
    path = SPECS / "large" / "generate_large.py"
    spec = importlib.util.spec_from_file_location("mockamocha_generate_large", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    """The folder of the shipped test specs."""
    return SPECS


@pytest.fixture(scope="session")
def large_document() -> dict[str, Any]:
    """The generated 1,190-operation document, as a dict."""
    doc: dict[str, Any] = _generator().build()
    return doc


@pytest.fixture(scope="session")
def large_spec_path(
    tmp_path_factory: pytest.TempPathFactory, large_document: dict[str, Any]
) -> Path:
    """The large document written as JSON into a temporary folder."""
    path = tmp_path_factory.mktemp("large") / "large.json"
    path.write_text(json.dumps(large_document))
    return path
