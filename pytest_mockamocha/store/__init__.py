"""Persistence of users, keys, collections, endpoints and rules: a TinyDB file behind one
lock, or SQLite / PostgreSQL (chosen by URL: ``open_store_url``)."""

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
from pytest_mockamocha.store.urls import StoreLocation, open_store_url, parse_location

__all__ = [
    "HEAVY",
    "TABLES",
    "Query",
    "Record",
    "Repository",
    "Shared",
    "Store",
    "StoreLocation",
    "TinyStore",
    "memory_store",
    "open_store",
    "open_store_url",
    "parse_location",
    "utc_now",
]
