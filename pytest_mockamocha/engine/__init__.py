"""The mock engine: routing, validation, rules and the response pipeline."""

from pytest_mockamocha.engine.collection import Collection
from pytest_mockamocha.engine.engine import Engine
from pytest_mockamocha.engine.exchange import MockRequest, MockResponse

__all__ = ["Collection", "Engine", "MockRequest", "MockResponse"]
