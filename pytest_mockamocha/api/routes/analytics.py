"""``GET /api/analytics/requests`` and ``/coverage``: the workspace's mock traffic.

Totals, per-endpoint counts and coverage are exact; per-day counts and response times of
``requests`` come from the journal's bounded window of recent requests.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from pytest_mockamocha.analytics import coverage
from pytest_mockamocha.analytics.journal import RequestRecord, count_records
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.store import Query, Record

PERIODS = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}
TOP = 10


def _period(call: Call) -> str:
    period = call.request.args.get("time_period") or "30d"
    if period not in PERIODS:
        raise ApiError(
            422,
            "invalid query parameter",
            [f'Query parameter "time_period" must be one of {", ".join(PERIODS)}'],
        )
    return period


def _top(
    counts: Counter[tuple[str, str]],
    records: list[RequestRecord],
    endpoints: dict[tuple[str, str], Record],
    colls: dict[str, str],
) -> list[dict[str, Any]]:
    durations: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    for r in records:
        durations[(r.collection, r.operation)].append(r.duration_us)
    top = []
    for (slug, op), n in counts.most_common(TOP):
        endpoint = endpoints.get((colls[slug], op))
        method, _, path = op.partition(" ")
        spent = durations.get((slug, op)) or [0]
        top.append(
            {
                "endpoint_id": endpoint["id"] if endpoint else None,
                "path": endpoint["path"] if endpoint else path,
                "method": endpoint["method"] if endpoint else method,
                "requests_count": n,
                "avg_response_time": round(sum(spent) / len(spent) / 1000, 3),
            }
        )
    return top


def _collections(call: Call, slugs: Iterable[str]) -> dict[str, str]:
    """slug -> id of the workspace's collections among ``slugs`` (or the one asked for)."""
    colls = call.collections_among(slugs)
    wanted = call.request.args.get("collection_id")
    return {s: cid for s, cid in colls.items() if cid == wanted} if wanted else colls


def requests_report(call: Call) -> Answer:
    period = _period(call)
    since = time.time() - PERIODS[period] * 86400
    journal = call.state.engine.journal
    colls = _collections(call, journal.slugs())  # the workspace's collections with traffic
    stats = journal.stats(only=colls)
    records = [r for r in journal.records() if r.collection in colls and r.time >= since]
    by_day = Counter(time.strftime("%Y-%m-%d", time.gmtime(r.time)) for r in records)
    counts: Counter[tuple[str, str]] = Counter()
    for slug, s in stats.items():
        counts.update({(slug, op): n for op, n in s.by_operation.items()})
    top = {colls[slug] for (slug, _), _ in counts.most_common(TOP)}
    endpoints = {
        (e["collection_id"], e["operation"]): e
        for e in call.store.endpoints.select(Query(within={"collection_id": list(top)}))
    }
    return Answer(
        {
            "total_requests": sum(s.requests for s in stats.values()),
            "unique_endpoints": len(counts),
            "time_period": period,
            "requests_by_day": [{"date": d, "count": by_day[d]} for d in sorted(by_day)],
            "top_endpoints": _top(counts, records, endpoints, colls),
        }
    )


def coverage_report(call: Call) -> Answer:
    """The coverage report model of the workspace's collections that were called or are
    compiled (or of the one asked, called or not), over every request since the counts
    began, or over one ``time_period`` (of the requests the journal keeps: the latest
    10,000)."""
    wanted = call.request.args.get("collection_id")
    asked = call.collection(wanted)["slug"] if wanted else None  # 404: not the caller's
    engine = call.state.engine
    since = None
    if call.request.args.get("time_period"):
        since = time.time() - PERIODS[_period(call)] * 86400
        stats = count_records(r for r in engine.journal.records() if r.time >= since)
    else:
        stats = engine.journal.stats()
    summaries = {}
    if asked is not None:
        slugs = [asked]
    else:  # a collection nobody called and nothing compiled covers nothing: left out,
        live = {c.slug for c in engine}  # rather than compiling every stored one
        slugs = list(_collections(call, {*stats, *live}))
    for slug in slugs:
        try:
            coll = engine.collection(slug)
        except LookupError:
            continue  # a collection with no document imported yet
        records = engine.journal.records(collection=slug)
        bad = [r for r in records if not r.ok and (since is None or r.time >= since)]
        problems = [coverage.problem_line(r) for r in bad[: coverage.MAX_PROBLEMS]]
        summaries[slug] = coverage.summarize(slug, coll.spec, stats.get(slug), problems)
    return Answer(coverage.report(summaries))


ROUTES = [
    Route("/api/analytics/requests", ("GET",), requests_report),
    Route("/api/analytics/coverage", ("GET",), coverage_report),
]
