"""Stateful mode: collection/item path pairs answered from a store of records."""

from pytest_mockamocha.engine.stateful.store import StatefulStore
from pytest_mockamocha.errors import StatefulError

__all__ = ["StatefulError", "StatefulStore"]
