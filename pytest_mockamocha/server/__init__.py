"""The WSGI app over the engine, the thread that serves it, and how a server is built.

Names are imported on first use (PEP 562): the plugin's options read ``server.config``
without loading werkzeug, waitress or the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pytest_mockamocha._defaults import SERVER_KINDS

if TYPE_CHECKING:
    from pytest_mockamocha.server.app import MockServerApp
    from pytest_mockamocha.server.runtime import MockServer
    from pytest_mockamocha.server.serving import ServerThread

_WHERE = {
    "MockServer": "pytest_mockamocha.server.runtime",
    "MockServerApp": "pytest_mockamocha.server.app",
    "ServerThread": "pytest_mockamocha.server.serving",
}

__all__ = ["SERVER_KINDS", "MockServer", "MockServerApp", "ServerThread"]


def __getattr__(name: str) -> Any:
    """Import a name from its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_mockamocha.server' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
