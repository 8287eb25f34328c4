"""The mock engine: routing, validation, rules and the response pipeline."""

from pytest_mockamocha.engine.engine import Collection, Engine
from pytest_mockamocha.engine.exchange import MockRequest, MockResponse

__all__ = ["Collection", "Engine", "MockRequest", "MockResponse"]
