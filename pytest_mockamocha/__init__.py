"""pytest-mockamocha: contract-checked mock HTTP APIs from OpenAPI documents.

Importing this package does not import pytest, hypothesis or httpx.
"""

from __future__ import annotations

from pytest_mockamocha.analytics.journal import RequestRecord
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.errors import (
    CollectionNotFoundError,
    MockamochaAssertionError,
    MockamochaError,
    MockamochaWarning,
    OperationNotFoundError,
    RuleError,
    SpecError,
)
from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.rulebuilder import RuleBuilder
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.spec.loader import load_spec
from pytest_mockamocha.spec.model import ApiSpec, Operation

__version__ = "0.1.0"

__all__ = [
    "ApiSpec",
    "CollectionNotFoundError",
    "Engine",
    "MockServer",
    "Mockamocha",
    "MockamochaAssertionError",
    "MockamochaError",
    "MockamochaWarning",
    "Operation",
    "OperationNotFoundError",
    "RequestRecord",
    "RuleBuilder",
    "RuleError",
    "SpecError",
    "__version__",
    "load_spec",
]
