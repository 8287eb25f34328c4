"""The SDK is an island: importing it loads nothing else of pytest_mockamocha (but the
import-free table of wire codes it shares with the server), nor pytest."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest_mockamocha.sdk as sdk

PROBE = """
import json, sys
import pytest_mockamocha.sdk
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_sdk_loads_no_other_part_of_the_package() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    modules = json.loads(out)
    ours = {m for m in modules if m.startswith("pytest_mockamocha")}
    assert ours, "the probe did not import the SDK"
    shared = {"pytest_mockamocha", "pytest_mockamocha._wire", "pytest_mockamocha._version"}
    outside = {m for m in ours - shared if not m.startswith("pytest_mockamocha.sdk")}
    assert outside == set()
    assert not {
        m for m in modules if m.split(".")[0] in {"pytest", "_pytest", "werkzeug", "tinydb"}
    }


def test_public_names_are_sorted_and_complete() -> None:
    public = {n for n in vars(sdk) if n.isidentifier() and not n.startswith("_")}
    modules = {"aclient", "answers", "calls", "client", "errors", "models", "annotations"}
    assert sorted(sdk.__all__, key=lambda n: (not n.isupper(), n)) == sdk.__all__  # RUF022
    assert set(sdk.__all__) == public - modules
