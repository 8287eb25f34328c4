"""Deterministic, always-valid JSON values for OpenAPI 3.0/3.1 schemas (the mock's fallback)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_mockamocha.errors import GenerationError

if TYPE_CHECKING:
    from pytest_mockamocha.generate.schema import SchemaGenerator

__all__ = ["GenerationError", "SchemaGenerator"]


def __getattr__(name: str) -> Any:
    """``SchemaGenerator`` on first use: its imports (jsonschema, hypothesis) cost a tenth
    of a second that ``generate.realism`` and ``generate.records`` users need not pay."""
    if name == "SchemaGenerator":
        from pytest_mockamocha.generate.schema import SchemaGenerator

        return SchemaGenerator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
