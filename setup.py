"""Build hook: wheels carry the JavaScript SDK's sources as package data.

``mockamocha serve`` serves the SDK at ``/sdk/mockamocha.js`` from ``sdk/js`` (the files npm
publishes). Package data cannot reach outside the package, so building copies them into
``pytest_mockamocha/_sdk_js/`` of the build, never into the checkout: there is one copy to
edit. Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SDK = Path(__file__).resolve().parent / "sdk" / "js"


class BuildWithSdk(build_py):  # type: ignore[misc]
    """``build_py`` that also copies the JS SDK's sources into the built package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return  # an editable install reads sdk/js from the checkout
        target = Path(self.build_lib) / "pytest_mockamocha" / "_sdk_js"
        (target / "src").mkdir(parents=True, exist_ok=True)
        for source in sorted((SDK / "src").glob("*.js")):
            shutil.copyfile(source, target / "src" / source.name)
        shutil.copyfile(SDK / "index.d.ts", target / "index.d.ts")


setup(cmdclass={"build_py": BuildWithSdk})
