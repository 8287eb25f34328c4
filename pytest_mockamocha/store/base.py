"""The repository seam: what the management API needs from storage, and nothing more.

Records are plain JSON objects with a prefixed string ``id`` (``user_…``, ``coll_…``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

Record = dict[str, Any]

#: table name -> id prefix
TABLES: Mapping[str, str] = {
    "users": "user",
    "keys": "key",
    "collections": "coll",
    "endpoints": "ep",
    "rules": "rule",
    "imports": "imp",
}


def utc_now() -> str:
    """Now as ISO 8601 UTC with ``Z``, to the second: ``2024-01-15T10:30:00Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Repository(Protocol):
    """One kind of record."""

    def insert(self, record: Record) -> Record:
        """Store a new record (it must carry its ``id``); returns it."""
        ...

    def get(self, record_id: str) -> Record | None:
        """The record with this id, if any."""
        ...

    def find(self, **equals: Any) -> list[Record]:
        """Records whose fields equal the given values, in insertion order."""
        ...

    def where(self, test: Callable[[Record], bool]) -> list[Record]:
        """Records for which ``test`` is true, in insertion order."""
        ...

    def update(self, record_id: str, fields: Mapping[str, Any]) -> Record | None:
        """Change some fields; the updated record, or None when there is none."""
        ...

    def delete(self, record_id: str) -> bool:
        """Forget one record; False when there was none."""
        ...

    def delete_where(self, **equals: Any) -> int:
        """Forget every record whose fields equal the given values; how many."""
        ...

    def count(self, **equals: Any) -> int:
        """How many records match."""
        ...


class Store(Protocol):
    """Every repository, sharing one lock; ``path`` is None when nothing is on disk."""

    users: Repository
    keys: Repository
    collections: Repository
    endpoints: Repository
    rules: Repository
    imports: Repository

    @property
    def path(self) -> str | None:
        """The database file, None for an in-memory store."""
        ...

    def transaction(self) -> Any:
        """Hold the store's lock over several operations, written to disk once at the end."""
        ...

    def close(self) -> None:
        """Release the file."""
        ...
