"""The repository seam: what the management API needs from storage, and nothing more.

Records are plain JSON objects with a prefixed string ``id`` (``user_…``, ``coll_…``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

Record = dict[str, Any]

#: table name -> id prefix
TABLES: Mapping[str, str] = {
    "users": "user",
    "keys": "key",
    "collections": "coll",
    "endpoints": "ep",
    "rules": "rule",
    "imports": "imp",
    #: dashboard sessions signed out before they expire (id: the session's id)
    "sessions": "sess",
}


#: table name -> fields a listing leaves out unless asked (large; a SQL store keeps them apart)
HEAVY: Mapping[str, tuple[str, ...]] = {"collections": ("spec",)}


@dataclass(frozen=True)
class Query:
    """What a listing asks of one table, so that a store reads one page, not the table.

    Every condition must hold. ``order`` is a list of ``(field, descending)``; a missing or
    null value sorts after every value ascending (before them descending); ties keep
    insertion order, reversed when the first key is descending (so a descending order is
    the exact reverse of the ascending one, and an index read backwards serves it).
    ``total`` ignores ``offset``/``limit``. ``omit`` leaves fields out of the returned
    records (the stored document of a collection, say).
    """

    equals: Mapping[str, Any] = field(default_factory=dict)
    within: Mapping[str, Collection[Any]] = field(default_factory=dict)
    #: field -> values it must not hold (a missing field holds none of them)
    without: Mapping[str, Collection[Any]] = field(default_factory=dict)
    #: field -> substring it must contain (case-sensitive)
    contains: Mapping[str, str] = field(default_factory=dict)
    #: field -> what it must start with (case-sensitive; an index serves it)
    starts: Mapping[str, str] = field(default_factory=dict)
    #: (fields, text): ``text`` is in at least one of ``fields``, ignoring case
    search: tuple[tuple[str, ...], str] | None = None
    order: tuple[tuple[str, bool], ...] = ()
    offset: int = 0
    limit: int | None = None
    omit: tuple[str, ...] = ()


def utc_now() -> str:
    """Now as ISO 8601 UTC with ``Z``, to the second: ``2024-01-15T10:30:00Z``.

    The text of the current second is kept: an import asks five times (its endpoints,
    the collection, the import record, the envelope), and formatting a date each time
    was most of the cost of asking."""
    return _second_text(int(time.time()))


@lru_cache(maxsize=2)
def _second_text(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))


class Repository(Protocol):
    """One kind of record."""

    def insert(self, record: Record) -> Record:
        """Store a new record (it must carry its ``id``); returns it."""
        ...

    def insert_many(self, records: Sequence[Record]) -> list[Record]:
        """Store new records in this order, in one write; returns them."""
        ...

    def get(self, record_id: str, omit: tuple[str, ...] = ()) -> Record | None:
        """The record with this id, if any; without the fields in ``omit`` (a SQL store
        then does not read a heavy field it names)."""
        ...

    def find(self, **equals: Any) -> list[Record]:
        """Records whose fields equal the given values, in insertion order."""
        ...

    def select(self, query: Query) -> list[Record]:
        """The records ``query`` describes, ordered and cut to its page."""
        ...

    def total(self, query: Query) -> int:
        """How many records match ``query``'s conditions (its page ignored)."""
        ...

    def count_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """How many records have each of ``values`` in ``field`` (0 for none), in one read."""
        ...

    def update(self, record_id: str, fields: Mapping[str, Any]) -> Record | None:
        """Change some fields; the updated record, or None when there is none."""
        ...

    def update_many(self, changes: Mapping[str, Mapping[str, Any]]) -> int:
        """Change some fields of each record named in ``changes`` (id -> fields), in one
        write; how many records were there to change."""
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


class Shared(Protocol):
    """What the replicas of one team server share besides records: numbers and texts that
    mock requests change (rule hits, scenario states, revisions) and the request log.

    Every call is its own transaction, visible to every replica once it returns."""

    def add(self, key: str, by: int = 1) -> int:
        """Add ``by`` to the number ``key`` (0 when missing) atomically; the new value."""
        ...

    def number(self, key: str) -> int:
        """The number ``key`` (0 when missing)."""
        ...

    def set_number(self, key: str, value: int) -> None:
        """Set the number ``key``."""
        ...

    def text(self, key: str) -> str | None:
        """The text ``key``, None when missing."""
        ...

    def set_text(self, key: str, value: str | None) -> None:
        """Set the text ``key`` (None forgets it)."""
        ...

    def texts(self, prefix: str) -> dict[str, str]:
        """Every text whose key starts with ``prefix``."""
        ...

    def swap(self, key: str, expected: str | None, value: str | None) -> bool:
        """Set the text ``key`` to ``value`` only if it is still ``expected`` (None:
        missing); whether it was set. Replicas change one document this way without a lock."""
        ...

    def append_log(self, replica: str, lines: Sequence[str]) -> None:
        """Append request records (JSON lines) written by ``replica``."""
        ...

    def read_log(self, after: int, limit: int = 10_000) -> list[tuple[int, str, str]]:
        """``(position, replica, line)`` of the records after ``position``, oldest first."""
        ...


class Store(Protocol):
    """Every repository, sharing one lock; ``path`` is None when nothing is on disk."""

    users: Repository
    keys: Repository
    collections: Repository
    endpoints: Repository
    rules: Repository
    imports: Repository
    sessions: Repository

    #: set when several servers may share this store (PostgreSQL): what mock requests
    #: change must then live here too; None keeps it in each server's memory
    shared: Shared | None

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


@runtime_checkable
class Settings(Protocol):
    """A store that keeps named settings itself (the SQL stores: replicas share them)."""

    def setting(self, name: str, make: Callable[[], str]) -> str:
        """The stored value of ``name``; the first caller stores ``make()``."""
        ...

    def get_setting(self, name: str) -> str | None:
        """The stored value of ``name``, None when there is none."""
        ...

    def put_setting(self, name: str, value: str) -> None:
        """Store ``value`` as ``name``, replacing any."""
        ...
