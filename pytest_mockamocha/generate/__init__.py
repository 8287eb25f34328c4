"""Deterministic, always-valid JSON values for OpenAPI 3.0/3.1 schemas (the mock's fallback)."""

from __future__ import annotations

from pytest_mockamocha.errors import GenerationError
from pytest_mockamocha.generate.schema import SchemaGenerator

__all__ = ["GenerationError", "SchemaGenerator"]
