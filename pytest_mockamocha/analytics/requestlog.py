"""The request log on disk: journal records appended as JSON Lines, in batches.

One writer thread flushes what arrived in the last ``interval`` seconds, so the request
path never waits for a disk; a hard kill loses at most that interval. On start the log
is read back into the journal's counters, so per-operation counts survive restarts. A
torn last line (a kill mid-write) is skipped.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pytest_mockamocha.analytics.journal import Journal, RequestRecord

_FIELDS = set(RequestRecord._fields)
_TUPLES = ("violations", "nearest", "params")


class RequestLog:
    """Appends every record the journal receives to ``path``, once per ``interval``."""

    def __init__(self, path: Path, journal: Journal, interval: float = 1.0):
        self.path = path
        self.interval = interval
        self._pending: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mockamocha-requestlog", daemon=True)
        journal.subscribe(self._pending_append)

    def _pending_append(self, record: RequestRecord) -> None:
        with self._lock:
            self._pending.append(record)

    def start(self) -> RequestLog:
        """Start the writer thread."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def flush(self) -> int:
        """Write what is pending now; returns how many records."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        lines = "".join(json.dumps(r._asdict(), separators=(",", ":")) + "\n" for r in batch)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
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
                self.flush()
            except OSError:
                continue  # a full or vanished disk: keep serving, try again next time


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
