"""The request journal: every answered request as a record, bounded in memory.

Records are kept in a ring buffer (memory stays flat however long a session runs);
per-operation counters are kept apart and never evicted, so summaries stay exact.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

DEFAULT_JOURNAL_SIZE = 10_000
#: how many records are counted together (each read of the counters counts the rest)
_COUNT_BATCH = 256


class RequestRecord(NamedTuple):
    """One request the server answered, and how.

    An immutable value made on every request: a NamedTuple is built several times faster
    than a frozen dataclass, which sets each field through ``object.__setattr__``.
    """

    id: str
    time: float  # epoch seconds
    collection: str
    operation: str | None  # "GET /pets/{petId}", None when unmatched
    method: str
    path: str
    query: str
    status: int
    duration_us: int
    source: str  # rule, prefer, example, generated, invalid, unmatched, cors
    test: str | None = None
    rule_id: str | None = None
    violations: tuple[str, ...] = ()
    nearest: tuple[str, ...] = ()
    #: why the nearest rule did not answer, when one came close
    note: str = ""
    #: declared optional parameters the request carried: ``"query.limit"``, ``"header.x-id"``
    params: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the request matched an operation and broke no rule of the contract."""
        return self.operation is not None and not self.violations

    def describe(self) -> str:
        """``GET /pets?limit=2 -> 200 (example)`` for messages."""
        qs = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{qs} -> {self.status} ({self.source})"


MAX_TEST_VIOLATIONS = 20


@dataclass(slots=True)
class TestStats:
    """What one test sent to one collection: exact counts, the first violations."""

    requests: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def copy(self) -> TestStats:
        """An independent copy."""
        return TestStats(
            self.requests,
            Counter(self.by_operation),
            Counter(self.by_status),
            list(self.violations),
        )


@dataclass(slots=True)
class CollectionStats:
    """Counts for one collection that survive journal eviction."""

    requests: int = 0
    violations: int = 0
    unmatched: int = 0
    by_operation: Counter[str] = field(default_factory=Counter)
    #: contract-valid requests per operation: what counts as covering it
    valid_by_operation: Counter[str] = field(default_factory=Counter)
    by_status: Counter[tuple[str, int]] = field(default_factory=Counter)
    #: epoch seconds of the latest request per operation
    last_by_operation: dict[str, float] = field(default_factory=dict)
    #: (operation, "query.limit") -> requests that carried that optional parameter
    by_param: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: microseconds spent answering, per operation
    time_by_operation: Counter[str] = field(default_factory=Counter)
    #: per test node id (requests sent outside any test are not listed)
    by_test: dict[str, TestStats] = field(default_factory=dict)


class Journal:
    """Thread-safe, bounded store of request records plus exact aggregate counters."""

    def __init__(self, maxlen: int = DEFAULT_JOURNAL_SIZE):
        self._records: deque[RequestRecord] = deque(maxlen=maxlen)
        self._stats: dict[str, CollectionStats] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[RequestRecord], None]] = []
        #: records kept but not counted yet: counting is batched off the request path
        self._uncounted: list[RequestRecord] = []
        self.maxlen = maxlen
        #: ids of refused requests a test meant to be refused (``expect_rejection``): not
        #: listed among the run's problems
        self.expected: set[str] = set()

    def append(self, record: RequestRecord) -> None:
        """Keep ``record`` (counted in a batch, before any read), and tell the listeners."""
        with self._lock:
            self._records.append(record)
            self._uncounted.append(record)
            if len(self._uncounted) >= _COUNT_BATCH:
                self._count_pending()
            listeners = self._listeners
        for listener in listeners:
            listener(record)

    def _count_pending(self) -> None:
        pending, self._uncounted = self._uncounted, []
        for record in pending:
            self._count(record)

    def restore(self, records: Iterable[RequestRecord]) -> int:
        """Keep and count records from an earlier run, telling no listener; how many."""
        count = 0
        with self._lock:
            self._count_pending()
            for record in records:
                self._keep(record)
                count += 1
        return count

    def _keep(self, record: RequestRecord) -> None:
        self._records.append(record)
        self._count(record)

    def _count(self, record: RequestRecord) -> None:
        count_into(self._stats, record)

    def subscribe(self, listener: Callable[[RequestRecord], None]) -> None:
        """Call ``listener`` with every new record (from the serving thread)."""
        with self._lock:
            self._listeners = [*self._listeners, listener]  # appends read it without a copy

    def records(
        self,
        *,
        test: str | None = None,
        collection: str | None = None,
        operation: str | None = None,
    ) -> list[RequestRecord]:
        """The kept records, oldest first, filtered by what is given."""
        with self._lock:
            snapshot = list(self._records)
        return [
            r
            for r in snapshot
            if (test is None or r.test == test)
            and (collection is None or r.collection == collection)
            and (operation is None or r.operation == operation)
        ]

    def slugs(self) -> list[str]:
        """The collections that have counters: those with traffic, without copying them."""
        with self._lock:
            self._count_pending()
            return list(self._stats)

    def stats(self, only: Iterable[str] | None = None) -> dict[str, CollectionStats]:
        """A copy of the per-collection counters; with ``only``, of those collections alone
        (an API call showing one collection copies one, however many have traffic)."""
        with self._lock:
            self._count_pending()
            kept = self._stats
            if only is not None:
                kept = {slug: kept[slug] for slug in only if slug in kept}
            return {
                slug: CollectionStats(
                    s.requests,
                    s.violations,
                    s.unmatched,
                    Counter(s.by_operation),
                    Counter(s.valid_by_operation),
                    Counter(s.by_status),
                    dict(s.last_by_operation),
                    Counter(s.by_param),
                    Counter(s.time_by_operation),
                    {test: t.copy() for test, t in s.by_test.items()},
                )
                for slug, s in kept.items()
            }

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.records())


def _count_test(stats: TestStats, record: RequestRecord) -> None:
    stats.requests += 1
    stats.by_operation[record.operation or "(unmatched)"] += 1
    stats.by_status[record.status] += 1
    if not record.ok and len(stats.violations) < MAX_TEST_VIOLATIONS:
        reason = "; ".join(record.violations) or "matches no operation"
        stats.violations.append(f"{record.describe()}: {reason}")


def count_into(all_stats: dict[str, CollectionStats], record: RequestRecord) -> None:
    """Add ``record`` to the counters of its collection in ``all_stats``."""
    # get before setdefault: a new CollectionStats (seven containers) per record was most
    # of what counting cost
    stats = all_stats.get(record.collection)
    if stats is None:
        stats = all_stats[record.collection] = CollectionStats()
    stats.requests += 1
    stats.violations += bool(record.violations)
    if record.test:
        per_test = stats.by_test.get(record.test)
        if per_test is None:
            per_test = stats.by_test[record.test] = TestStats()
        _count_test(per_test, record)
    if record.operation is None:
        stats.unmatched += 1
        return
    stats.by_operation[record.operation] += 1
    last = stats.last_by_operation.get(record.operation)
    stats.last_by_operation[record.operation] = max(record.time, last or record.time)
    if not record.violations:
        stats.valid_by_operation[record.operation] += 1
    stats.by_status[(record.operation, record.status)] += 1
    stats.time_by_operation[record.operation] += record.duration_us
    for param in record.params:
        stats.by_param[(record.operation, param)] += 1


def count_records(records: Iterable[RequestRecord]) -> dict[str, CollectionStats]:
    """Per-collection counters of ``records`` alone (a period's coverage, say)."""
    stats: dict[str, CollectionStats] = {}
    for record in records:
        count_into(stats, record)
    return stats
