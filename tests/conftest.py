"""Shared paths for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

SPECS = Path(__file__).parent / "data" / "specs"


@pytest.fixture(scope="session")
def specs_dir() -> Path:
    """The folder of the specs the tests ship."""
    return SPECS
