"""Helpers for pytester-driven plugin tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SPECS = Path(__file__).parents[1] / "data" / "specs"


@pytest.fixture
def petstore(pytester: pytest.Pytester) -> Path:
    """A copy of the pet-store spec inside the pytester folder."""
    target = pytester.path / "petstore.yaml"
    shutil.copy(SPECS / "petstore.yaml", target)
    return target
