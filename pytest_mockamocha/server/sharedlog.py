"""The request log of replicas sharing a store: each server appends its records there and
reads the others' back into its journal, so request counts, analytics and the live log
cover every replica.

One thread per server does both, every ``interval`` seconds: the request path never waits
for the database, and another replica's request shows up here within about two intervals.
Records from earlier runs are read back at start, as the file log's are.
"""

from __future__ import annotations

import json
import logging
import threading

from pytest_mockamocha.analytics.journal import Journal, RequestRecord
from pytest_mockamocha.analytics.requestlog import parse_line
from pytest_mockamocha.store import Shared

_PAGE = 10_000
log = logging.getLogger("pytest_mockamocha.server")


class SharedRequestLog:
    """Appends this server's records to ``shared`` and restores the other replicas'."""

    def __init__(self, shared: Shared, journal: Journal, replica: str, interval: float = 0.25):
        self.shared = shared
        self.journal = journal
        self.replica = replica
        self.interval = interval
        self._after = 0
        self._pending: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mockamocha-sharedlog", daemon=True)
        journal.subscribe(self._pending_append)

    def _pending_append(self, record: RequestRecord) -> None:
        with self._lock:
            self._pending.append(record)

    def start(self) -> SharedRequestLog:
        """Read what every replica logged so far, then keep both directions going."""
        self.pull()
        self._thread.start()
        return self

    def flush(self) -> int:
        """Append what this server answered since the last flush; how many records."""
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            lines = [json.dumps(r._asdict(), separators=(",", ":")) for r in batch]
            self.shared.append_log(self.replica, lines)
        return len(batch)

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

    def close(self) -> None:
        """Stop the thread and append the rest."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
                self.pull()
            except Exception as exc:  # a database blip must not end the log
                # the class only: a driver's message may quote a connection URL
                log.warning("shared request log: %s; trying again", type(exc).__name__)
