"""The WSGI app over the engine and the thread that serves it."""

from pytest_mockamocha._defaults import SERVER_KINDS
from pytest_mockamocha.server.app import MockServerApp
from pytest_mockamocha.server.runtime import MockServer
from pytest_mockamocha.server.serving import ServerThread

__all__ = ["SERVER_KINDS", "MockServer", "MockServerApp", "ServerThread"]
