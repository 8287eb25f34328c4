"""The request log on disk: journal records appended as JSON Lines, in batches.

One writer thread flushes what arrived in the last ``interval`` seconds, so the request
path never waits for a disk; a hard kill loses at most that interval. On start the log
is read back into the journal's counters, so per-operation counts survive restarts. A
torn last line (a kill mid-write) is skipped.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pytest_mockamocha.analytics.journal import Journal, RequestRecord

log = logging.getLogger("pytest_mockamocha.analytics")
_FIELDS = set(RequestRecord._fields)
_TUPLES = ("violations", "nearest", "params")


class BatchedLog:
    """What every request log shares: the journal's records collected as they arrive and
    handed to ``write`` in batches by one thread, every ``interval`` seconds, so the request
    path never waits for a disk or a database; the rest is written at ``close``."""

    name = "mockamocha-requestlog"

    def __init__(self, journal: Journal, interval: float) -> None:
        self.interval = interval
        self._pending: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        journal.subscribe(self._pending_append)

    def _pending_append(self, record: RequestRecord) -> None:
        with self._lock:
            self._pending.append(record)

    def write(self, batch: list[RequestRecord]) -> None:
        """Keep ``batch`` (never empty) wherever this log keeps records."""
        raise NotImplementedError

    def tick(self) -> None:
        """One round of the thread: write what is pending."""
        self.flush()

    def flush(self) -> int:
        """Write what is pending now; returns how many records."""
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            self.write(batch)
        return len(batch)

    def close(self) -> None:
        """Stop the thread and write the rest."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception as exc:  # a full disk or a database blip must not end the log
                # the class only: a driver's message may quote a connection URL
                log.warning("request log: %s; trying again", type(exc).__name__)


class RequestLog(BatchedLog):
    """Appends every record the journal receives to ``path``, once per ``interval``."""

    def __init__(self, path: Path, journal: Journal, interval: float = 1.0):
        super().__init__(journal, interval)
        self.path = path

    def start(self) -> RequestLog:
        """Start the writer thread."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def write(self, batch: list[RequestRecord]) -> None:
        lines = "".join(json.dumps(r._asdict(), separators=(",", ":")) + "\n" for r in batch)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())


def read_log(path: Path) -> Iterator[RequestRecord]:
    """The records of a log file, oldest first; unreadable lines are skipped."""
    try:
        fh = path.open(encoding="utf-8")
    except FileNotFoundError:
        return
    with fh:
        for line in fh:
            record = parse_line(line)
            if record is not None:
                yield record


def parse_line(line: str) -> RequestRecord | None:
    """One JSON line of a request log as a record; None when it is not one."""
    try:
        raw: Any = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, dict) or not _FIELDS.issuperset(raw) or "id" not in raw:
        return None
    for key in _TUPLES:
        raw[key] = tuple(raw.get(key) or ())
    try:
        return RequestRecord(**raw)
    except TypeError:
        return None
