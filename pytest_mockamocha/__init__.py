"""pytest-mockamocha: contract-checked mock HTTP APIs from OpenAPI documents.

Names are imported on first use (PEP 562), so loading the pytest plugin costs nothing
in a suite that never asks for a mock; importing the package never imports pytest,
hypothesis or httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

from pytest_mockamocha._version import __version__

_WHERE = {
    "ApiSpec": "pytest_mockamocha.spec.model",
    "CollectionNotFoundError": "pytest_mockamocha.errors",
    "Engine": "pytest_mockamocha.engine",
    "MockServer": "pytest_mockamocha.server.runtime",
    "Mockamocha": "pytest_mockamocha.handle",
    "MockamochaAssertionError": "pytest_mockamocha.errors",
    "MockamochaError": "pytest_mockamocha.errors",
    "MockamochaWarning": "pytest_mockamocha.errors",
    "Operation": "pytest_mockamocha.spec.model",
    "OperationNotFoundError": "pytest_mockamocha.errors",
    "RequestRecord": "pytest_mockamocha.analytics.journal",
    "RuleBuilder": "pytest_mockamocha.rulebuilder",
    "RuleError": "pytest_mockamocha.errors",
    "SpecError": "pytest_mockamocha.errors",
    "load_spec": "pytest_mockamocha.spec.loader",
}

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


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mockamocha' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
