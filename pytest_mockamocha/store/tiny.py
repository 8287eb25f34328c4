"""The TinyDB implementation of the repositories: one lock, atomic file writes.

TinyDB is not thread-safe (records are lost and the file corrupted under threads), so
every operation of every table runs under the store's single re-entrant lock.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import Query as TinyQuery
from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

from pytest_mockamocha.store.base import Query, Record, Repository, Shared
from pytest_mockamocha.store.storage import AtomicJSONStorage


def _matches(equals: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    def test(doc: Mapping[str, Any]) -> bool:
        return all(doc.get(k) == v for k, v in equals.items())

    return test


def _query_test(query: Query) -> Callable[[Mapping[str, Any]], bool]:
    equals, contains, starts = _matches(query.equals), query.contains, query.starts.items()
    within = {k: set(v) for k, v in query.within.items()}
    without = {k: set(v) for k, v in query.without.items()}
    fields, text = query.search or ((), "")
    text = text.lower()

    def test(doc: Mapping[str, Any]) -> bool:
        return (
            equals(doc)
            and all(doc.get(k) in v for k, v in within.items())
            and all(doc.get(k) not in v for k, v in without.items())
            and all(isinstance(doc.get(k), str) and v in doc[k] for k, v in contains.items())
            and all(isinstance(doc.get(k), str) and doc[k].startswith(v) for k, v in starts)
            and (
                not query.search
                or any(isinstance(doc.get(f), str) and text in doc[f].lower() for f in fields)
            )
        )

    return test


def _order_key(name: str, record: Record) -> tuple[bool, Any]:
    value = record.get(name)
    return (value is None, "" if value is None else value)


class TinyRepository:
    """One TinyDB table of records keyed by their ``id`` field."""

    def __init__(self, table: Table, lock: threading.RLock) -> None:
        self._table = table
        self._lock = lock
        self._id = TinyQuery().id

    def insert(self, record: Record) -> Record:
        with self._lock:
            self._table.insert(dict(record))
        return dict(record)

    def insert_many(self, records: Sequence[Record]) -> list[Record]:
        with self._lock:
            self._table.insert_multiple(dict(r) for r in records)
        return [dict(r) for r in records]

    def get(self, record_id: str, omit: tuple[str, ...] = ()) -> Record | None:
        with self._lock:
            doc = self._table.get(self._id == record_id)
        if doc is None:
            return None
        return {k: v for k, v in doc.items() if k not in omit} if omit else dict(doc)

    def find(self, **equals: Any) -> list[Record]:
        return self._where(_matches(equals))

    def _where(self, test: Callable[[Mapping[str, Any]], bool]) -> list[Record]:
        with self._lock:
            docs = self._table.all()
        return [dict(d) for d in docs if test(d)]

    def select(self, query: Query) -> list[Record]:
        rows = self._where(_query_test(query))
        if query.order and query.order[0][1]:  # ties in reverse insertion order
            rows.reverse()
        for name, descending in reversed(query.order):  # stable sorts, last key first
            rows.sort(key=functools.partial(_order_key, name), reverse=descending)
        stop = None if query.limit is None else query.offset + query.limit
        rows = rows[query.offset : stop]
        if query.omit:
            rows = [{k: v for k, v in r.items() if k not in query.omit} for r in rows]
        return rows

    def total(self, query: Query) -> int:
        test = _query_test(query)
        with self._lock:
            return sum(1 for d in self._table.all() if test(d))

    def count_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        counts = dict.fromkeys(values, 0)
        with self._lock:
            for doc in self._table.all():
                value = doc.get(field)
                if value in counts:
                    counts[value] += 1
        return counts

    def update(self, record_id: str, fields: Mapping[str, Any]) -> Record | None:
        with self._lock:
            if not self._table.update(dict(fields), self._id == record_id):
                return None
            return self.get(record_id)

    def update_many(self, changes: Mapping[str, Mapping[str, Any]]) -> int:
        # One pass over the table: TinyDB rebuilds its table (and a file store rewrites the
        # file) for each update call, so a re-import's 1,000 updates took seconds.
        if not changes:
            return 0
        done: list[str] = []

        def change(doc: MutableMapping[str, Any]) -> None:
            doc.update(changes[doc["id"]])
            done.append(doc["id"])

        with self._lock:
            self._table.update(change, TinyQuery().id.test(lambda v: v in changes))
        return len(done)

    def delete(self, record_id: str) -> bool:
        with self._lock:
            return bool(self._table.remove(self._id == record_id))

    def delete_where(self, **equals: Any) -> int:
        with self._lock:
            test = _matches(equals)
            doomed = [doc.doc_id for doc in self._table.all() if test(doc)]
            return len(self._table.remove(doc_ids=doomed)) if doomed else 0

    def count(self, **equals: Any) -> int:
        return len(self.find(**equals))


class TinyStore:
    """All repositories over one TinyDB database (a file, or memory)."""

    def __init__(self, db: TinyDB, path: str | None) -> None:
        self._db = db
        self._path = path
        self._lock = threading.RLock()
        #: one process owns a TinyDB file: nothing to share
        self.shared: Shared | None = None
        self.users: Repository = self._repo("users")
        self.keys: Repository = self._repo("keys")
        self.collections: Repository = self._repo("collections")
        self.endpoints: Repository = self._repo("endpoints")
        self.rules: Repository = self._repo("rules")
        self.imports: Repository = self._repo("imports")
        self.sessions: Repository = self._repo("sessions")

    def _repo(self, name: str) -> TinyRepository:
        return TinyRepository(self._db.table(name, cache_size=0), self._lock)

    @property
    def path(self) -> str | None:
        return self._path

    @contextmanager
    def transaction(self) -> Iterator[None]:
        storage = self._db.storage
        with self._lock:
            if not isinstance(storage, AtomicJSONStorage):
                yield
                return
            storage.hold()
            try:
                yield
            except BaseException:
                storage.release(commit=False)
                raise
            storage.release()

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_store(path: str | Path) -> TinyStore:
    """The store kept in the JSON file at ``path`` (created with its folder when missing)."""
    db = TinyDB(storage=lambda: AtomicJSONStorage(path))
    db.storage.read()  # a damaged file fails here (ValueError), not at the first request
    store = TinyStore(db, str(path))
    _fill_workspaces(store)
    return store


def _fill_workspaces(store: TinyStore) -> None:
    """Endpoints written before they carried their workspace get their collection's (once,
    at open, in one pass over the table: listings filter endpoints by workspace)."""
    table = store._db.table("endpoints", cache_size=0)

    def lacking(doc: Mapping[str, Any]) -> bool:
        return doc.get("workspace_id") is None

    with store._lock:
        if not any(lacking(doc) for doc in table.all()):
            return
        owners = {c["id"]: c.get("workspace_id") for c in store.collections.find()}

        def fill(doc: dict[str, Any]) -> None:
            doc["workspace_id"] = owners.get(doc.get("collection_id"))

        table.update(fill, lacking)  # type: ignore[arg-type]


def memory_store() -> TinyStore:
    """A store that keeps nothing on disk (``--memory`` and pytest sessions)."""
    return TinyStore(TinyDB(storage=MemoryStorage), None)
