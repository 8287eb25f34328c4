"""The request log of replicas sharing a store: each server appends its records there and
reads the others' back into its journal, so request counts, analytics and the live log
cover every replica.

One thread per server does both, every ``interval`` seconds: the request path never waits
for the database, and another replica's request shows up here within about two intervals.
Records from earlier runs are read back at start, as the file log's are.
"""

from __future__ import annotations

import json

from pytest_mockamocha.analytics.journal import Journal, RequestRecord
from pytest_mockamocha.analytics.requestlog import BatchedLog, parse_line
from pytest_mockamocha.store import Shared

_PAGE = 10_000


class SharedRequestLog(BatchedLog):
    """Appends this server's records to ``shared`` and restores the other replicas'."""

    name = "mockamocha-sharedlog"

    def __init__(self, shared: Shared, journal: Journal, replica: str, interval: float = 0.25):
        super().__init__(journal, interval)
        self.shared = shared
        self.journal = journal
        self.replica = replica
        self._after = 0

    def start(self) -> SharedRequestLog:
        """Read what every replica logged so far, then keep both directions going."""
        self.pull()
        self._thread.start()
        return self

    def write(self, batch: list[RequestRecord]) -> None:
        lines = [json.dumps(r._asdict(), separators=(",", ":")) for r in batch]
        self.shared.append_log(self.replica, lines)

    def tick(self) -> None:
        self.flush()
        self.pull()

    def pull(self) -> int:
        """Restore the records other replicas appended since the last pull; how many."""
        taken = 0
        while True:
            rows = self.shared.read_log(self._after, _PAGE)
            if not rows:
                return taken
            self._after = rows[-1][0]
            theirs = (parse_line(line) for _, replica, line in rows if replica != self.replica)
            taken += self.journal.restore(r for r in theirs if r is not None)
