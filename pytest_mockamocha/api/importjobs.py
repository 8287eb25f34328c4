"""Imports that finish in the background: large documents, or when the client asks.

The reference's import answers ``"status": "processing"``: a large document (GitHub's
takes seconds to load) would otherwise hold a request open that long, and past many
clients' timeouts. ``ImportJobs`` runs such imports one at a time on a thread of their
own, updating the import record as it goes (``stage``), and completes or fails it; a
failed import leaves the collection as it was, as a synchronous one does.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from pytest_mockamocha.api.catalog import Catalog
from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.store import Record

log = logging.getLogger("pytest_mockamocha.api")

#: documents larger than this (bytes) are imported in the background
ASYNC_THRESHOLD = 512 * 1024


@dataclass(frozen=True, slots=True)
class _Job:
    coll: Record
    text: str | bytes
    source: str
    record: Record


class ImportJobs:
    """A queue of background imports and the one thread that works through it."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, coll: Record, text: str | bytes, source: str) -> Record:
        """Queue an import of ``text`` into ``coll``; its ``processing`` record."""
        record = self.catalog.begin_import(coll, source)
        self._queue.put(_Job(coll, text, source, record))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="mockamocha-imports", daemon=True
                )
                self._thread.start()
        return record

    def wait(self, timeout: float | None = None) -> bool:
        """Whether every queued import has ended within ``timeout`` seconds (for tests
        and for stopping cleanly)."""
        done = threading.Event()

        def join() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=join, daemon=True).start()
        return done.wait(timeout)

    def _work(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=5)
            except queue.Empty:
                return  # idle: the next submit starts a thread again
            try:
                self._run(job)
            finally:
                self._queue.task_done()

    def _run(self, job: _Job) -> None:
        catalog, record = self.catalog, job.record
        try:
            catalog.import_stage(record, "loading", f"Loading {job.source}")
            spec = catalog.parse(job.text, job.coll["slug"])
            catalog.import_stage(
                record,
                "saving",
                f"Saving {len(spec.operations)} endpoints from {job.source}",
            )
            catalog.import_loaded(job.coll, spec, source=job.source, record=record, defer=True)
        except ApiError as exc:
            catalog.fail_import(record, f"Import failed: {exc.message}", exc.details)
        except Exception:  # a bug must not leave the record processing for ever
            log.exception("background import %s failed", record["id"])
            catalog.fail_import(record, "Import failed: unexpected error; see the server log", [])
