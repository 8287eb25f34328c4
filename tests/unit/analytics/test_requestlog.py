"""The request log: batched appends, counts restored on start, torn lines skipped."""

from __future__ import annotations

import time
from pathlib import Path

from pytest_mockamocha.analytics.journal import Journal, RequestRecord
from pytest_mockamocha.analytics.requestlog import RequestLog, read_log


def _record(
    i: int, op: str | None = "GET /pets", violations: tuple[str, ...] = ()
) -> RequestRecord:
    return RequestRecord(
        id=f"req_{i}", time=1_700_000_000.0 + i, collection="pets", operation=op,
        method="GET", path="/pets", query="", status=200, duration_us=5, source="example",
        test="t::x", violations=violations, nearest=("GET /pets",) if op is None else (),
    )


def test_records_round_trip_and_counts_are_restored(tmp_path: Path) -> None:
    path = tmp_path / "db.json.requests.jsonl"
    journal = Journal()
    log = RequestLog(path, journal, interval=60)
    for i in range(5):
        journal.append(_record(i))
    journal.append(_record(5, op=None))
    journal.append(_record(6, violations=("query.limit: too big",)))
    assert log.flush() == 7
    assert log.flush() == 0
    back = list(read_log(path))
    assert back[0] == _record(0)
    assert back[5].nearest == ("GET /pets",)
    assert back[6].violations == ("query.limit: too big",)
    fresh = Journal()
    assert fresh.restore(read_log(path)) == 7
    stats = fresh.stats()["pets"]
    assert (stats.requests, stats.unmatched, stats.violations) == (7, 1, 1)
    assert stats.by_operation["GET /pets"] == 6
    assert stats.valid_by_operation["GET /pets"] == 5
    assert stats.last_by_operation["GET /pets"] == 1_700_000_006.0


def test_the_writer_thread_flushes_within_its_interval(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    journal = Journal()
    log = RequestLog(path, journal, interval=0.05).start()
    journal.append(_record(1))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not path.exists():
        time.sleep(0.02)
    log.close()
    assert [r.id for r in read_log(path)] == ["req_1"]


def test_a_torn_last_line_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    journal = Journal()
    log = RequestLog(path, journal, interval=60)
    journal.append(_record(1))
    log.close()
    with path.open("a") as fh:
        fh.write('["not", "a record"]\n{"id": "req_2", "unknown": 1}\n{"id": "req_3", "ti')
    assert [r.id for r in read_log(path)] == ["req_1"]
    assert list(read_log(tmp_path / "missing.jsonl")) == []
