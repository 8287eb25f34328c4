"""Stateful mode: collection/item path pairs answered from a store of records."""

from pytest_mockamocha.engine.stateful.store import StatefulError, StatefulStore

__all__ = ["StatefulError", "StatefulStore"]
