"""The public surface: one sorted __all__, and a light import."""

from __future__ import annotations

import subprocess
import sys

import pytest_mockamocha


def test_all_is_sorted_and_lists_every_public_name() -> None:
    public = {n for n in vars(pytest_mockamocha) if not n.startswith("_")} - {"annotations"}
    modules = {n for n in public if type(getattr(pytest_mockamocha, n)).__name__ == "module"}
    assert sorted(pytest_mockamocha.__all__) == pytest_mockamocha.__all__
    assert set(pytest_mockamocha.__all__) - {"__version__"} == public - modules


def test_importing_the_package_imports_no_pytest_hypothesis_or_httpx() -> None:
    code = (
        "import sys, pytest_mockamocha; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pytest', '_pytest', 'hypothesis', 'httpx', 'hypothesis_jsonschema')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
