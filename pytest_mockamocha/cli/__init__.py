"""The ``mockamocha`` command line (click)."""

from __future__ import annotations

from pytest_mockamocha.cli.main import cli, main

__all__ = ["cli", "main"]
