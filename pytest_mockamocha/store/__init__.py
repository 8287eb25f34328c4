"""Persistence of users, keys, collections, endpoints and rules: TinyDB behind one lock."""

from pytest_mockamocha.store.base import (
    HEAVY,
    TABLES,
    Query,
    Record,
    Repository,
    Shared,
    Store,
    utc_now,
)
from pytest_mockamocha.store.tiny import TinyStore, memory_store, open_store

__all__ = [
    "HEAVY",
    "TABLES",
    "Query",
    "Record",
    "Repository",
    "Shared",
    "Store",
    "TinyStore",
    "memory_store",
    "open_store",
    "utc_now",
]
