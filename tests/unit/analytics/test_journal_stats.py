"""The journal's counters, read for some collections only."""

from __future__ import annotations

from pytest_mockamocha.analytics.journal import Journal, RequestRecord


def _record(i: int, collection: str) -> RequestRecord:
    return RequestRecord(
        id=f"req_{i}", time=1_700_000_000.0 + i, collection=collection, operation="GET /pets",
        method="GET", path="/pets", query="", status=200, duration_us=5, source="example",
    )  # fmt: skip


def test_stats_of_some_collections_are_theirs_and_counted_up_to_now() -> None:
    journal = Journal()
    for i in range(3):
        journal.append(_record(i, "a"))
    journal.append(_record(3, "b"))
    assert set(journal.stats()) == {"a", "b"}
    some = journal.stats(only=("b", "never-called"))
    assert set(some) == {"b"}
    assert some["b"].requests == 1
    journal.append(_record(4, "b"))  # still uncounted (counting is batched) until read
    assert journal.stats(only=["b"])["b"].requests == 2
    assert journal.stats(only=()) == {}
    copy = journal.stats(only=("a",))["a"]
    copy.by_operation["GET /pets"] += 10  # a copy: the journal's counts stay as they are
    assert journal.stats(only=("a",))["a"].by_operation["GET /pets"] == 3
