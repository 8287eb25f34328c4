"""Request coverage: what a suite made the mock do, against what the document declares.

Two steps, both pure. ``summarize`` turns one process's exact journal counters into a
JSON-able summary per collection (an xdist worker ships these to the controller);
``merge`` adds summaries up (counts add, so a merged run equals a plain one); ``report``
turns summaries into the versioned report model every writer renders.

- operations: hit (at least one contract-valid request) / declared; deprecated ones apart.
- responses: per operation, the declared status keys (``200``, ``4XX``, ``default``) the
  mock returned, versus declared.
- parameters: the declared optional query parameters and headers ever sent.
- tests: per test node id, its requests, operations, statuses and violations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pytest_mockamocha.analytics.journal import (
    MAX_TEST_VIOLATIONS,
    CollectionStats,
    RequestRecord,
)
from pytest_mockamocha.spec.model import ApiSpec, Operation

REPORT_SCHEMA_ID = "mockamocha-report"
REPORT_VERSION = 2
MAX_PROBLEMS = 11  # one more than the terminal shows, so it can say "and N more"
Summary = dict[str, Any]  # one collection
Summaries = dict[str, Summary]  # by slug
_COUNTERS = ("hits", "valid", "time_us")
_NESTED = ("statuses", "params")


def problem_line(record: RequestRecord) -> str:
    """A failed request in one line: the request, its test, and what was wrong."""
    reason = "; ".join(record.violations) or (
        "no such operation; nearest: " + ", ".join(record.nearest)
    )
    test = f" [{record.test}]" if record.test else ""
    return f"{record.describe()}{test}: {reason}"


def _declared(op: Operation) -> dict[str, Any]:
    return {
        "name": op.name,
        "operation_id": op.operation_id,
        "deprecated": op.deprecated,
        "statuses": [str(key) for key in op.responses],
        "params": [
            f"{p.location}.{p.name}"
            for p in op.parameters
            if not p.required and p.location in ("query", "header")
        ],
    }


def summarize(
    slug: str,
    spec: ApiSpec,
    stats: CollectionStats | None,
    problems: Iterable[str] = (),
    warnings: Iterable[str] = (),
) -> Summary:
    """The JSON-able summary of one collection from this process's counters."""
    s = stats or CollectionStats()
    statuses: dict[str, dict[str, int]] = {}
    for (op, status), n in s.by_status.items():
        statuses.setdefault(op, {})[str(status)] = n
    params: dict[str, dict[str, int]] = {}
    for (op, label), n in s.by_param.items():
        params.setdefault(op, {})[label] = n
    return {
        "title": spec.title,
        "document_hash": spec.content_hash,
        "declared": len(spec.operations),
        "requests": s.requests,
        "violations": s.violations,
        "unmatched": s.unmatched,
        "covered": sorted(s.valid_by_operation),
        "problems": list(problems)[:MAX_PROBLEMS],
        "warnings": sorted(set(warnings)),
        "operations": [_declared(op) for op in spec.operations],
        "hits": dict(s.by_operation),
        "valid": dict(s.valid_by_operation),
        "time_us": dict(s.time_by_operation),
        "statuses": statuses,
        "params": params,
        "tests": {
            test: {
                "requests": t.requests,
                "operations": dict(t.by_operation),
                "statuses": {str(k): n for k, n in t.by_status.items()},
                "violations": list(t.violations),
            }
            for test, t in s.by_test.items()
        },
    }


def _add(into: dict[str, int], more: Mapping[str, int]) -> None:
    for key, n in more.items():
        into[key] = into.get(key, 0) + n


def _merge_tests(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    for test, data in more.items():
        mine = into.setdefault(
            test, {"requests": 0, "operations": {}, "statuses": {}, "violations": []}
        )
        mine["requests"] += data["requests"]
        _add(mine["operations"], data["operations"])
        _add(mine["statuses"], data["statuses"])
        mine["violations"] = [*mine["violations"], *data["violations"]][:MAX_TEST_VIOLATIONS]


def _merge_one(into: Summary, part: Summary) -> None:
    for key in ("requests", "violations", "unmatched"):
        into[key] += part[key]
    into["covered"] = sorted({*into["covered"], *part["covered"]})
    into["problems"] = [*into["problems"], *part["problems"]][:MAX_PROBLEMS]
    into["warnings"] = sorted({*into["warnings"], *part["warnings"]})
    for key in _COUNTERS:
        _add(into.setdefault(key, {}), part.get(key, {}))
    for key in _NESTED:
        nested = into.setdefault(key, {})
        for op, counts in part.get(key, {}).items():
            _add(nested.setdefault(op, {}), counts)
    _merge_tests(into.setdefault("tests", {}), part.get("tests", {}))


def merge(parts: Iterable[Summaries]) -> Summaries:
    """One set of summaries from several processes: every count adds up."""
    merged: Summaries = {}
    for part in parts:
        for slug, data in part.items():
            if slug not in merged:
                merged[slug] = {
                    **data,
                    "requests": 0,
                    "violations": 0,
                    "unmatched": 0,
                    "covered": [],
                    "problems": [],
                    "warnings": [],
                    **{key: {} for key in (*_COUNTERS, *_NESTED, "tests")},
                }
            _merge_one(merged[slug], data)
    return merged


def status_key(status: int, declared: Iterable[str]) -> str | None:
    """The declared response key a returned status falls under: exact, range, default."""
    keys = {k.upper(): k for k in declared}
    for candidate in (str(status), f"{status // 100}XX", "DEFAULT"):
        if candidate in keys:
            return keys[candidate]
    return None


def _percent(hit: int, declared: int) -> float:
    return round(100.0 * hit / declared, 2) if declared else 100.0


def _ratio(hit: int, declared: int) -> dict[str, Any]:
    return {"hit": hit, "declared": declared, "percent": _percent(hit, declared)}


def _operation(data: Summary, op: Mapping[str, Any]) -> dict[str, Any]:
    name = op["name"]
    returned: dict[str, int] = data.get("statuses", {}).get(name, {})
    hit_keys: set[str] = set()
    undeclared: dict[str, int] = {}
    for code, n in returned.items():
        key = status_key(int(code), op["statuses"])
        if key is None:
            undeclared[code] = n
        else:
            hit_keys.add(key)
    sent = data.get("params", {}).get(name, {})
    hits = data.get("hits", {}).get(name, 0)
    spent = data.get("time_us", {}).get(name, 0)
    return {
        "name": name,
        "operation_id": op["operation_id"],
        "deprecated": op["deprecated"],
        "hits": hits,
        "valid_hits": data.get("valid", {}).get(name, 0),
        "avg_response_ms": round(spent / hits / 1000, 3) if hits else 0.0,
        "time_us": spent,
        "statuses": dict(sorted(returned.items())),
        "declared_statuses": list(op["statuses"]),
        "statuses_hit": [k for k in op["statuses"] if k in hit_keys],
        "statuses_missing": [k for k in op["statuses"] if k not in hit_keys],
        "undeclared_statuses": sorted(undeclared),
        "params_declared": list(op["params"]),
        "params_sent": [p for p in op["params"] if sent.get(p)],
        "params_missing": [p for p in op["params"] if not sent.get(p)],
    }


def _collection(slug: str, data: Summary) -> dict[str, Any]:
    ops = [_operation(data, op) for op in data.get("operations", [])]
    current = [o for o in ops if not o["deprecated"]]
    deprecated = [o for o in ops if o["deprecated"]]
    covered = [o for o in current if o["valid_hits"]]
    statuses = sum(len(o["declared_statuses"]) for o in current)
    params = sum(len(o["params_declared"]) for o in current)
    return {
        "slug": slug,
        "title": data.get("title", slug),
        "document_hash": data.get("document_hash", ""),
        "requests": data["requests"],
        "violations": data["violations"],
        "unmatched": data["unmatched"],
        "operations": _ratio(len(covered), len(current)),
        "responses": _ratio(sum(len(o["statuses_hit"]) for o in current), statuses),
        "parameters": _ratio(sum(len(o["params_sent"]) for o in current), params),
        "uncovered": [o["name"] for o in current if not o["valid_hits"]],
        "deprecated": [{"name": o["name"], "hits": o["hits"]} for o in deprecated],
        "operation_list": ops,
        "problems": list(data["problems"]),
        "warnings": list(data["warnings"]),
    }


def _tests(summaries: Summaries) -> list[dict[str, Any]]:
    tests: dict[str, dict[str, Any]] = {}
    for slug, data in summaries.items():
        for test, t in data.get("tests", {}).items():
            mine = tests.setdefault(
                test,
                {
                    "nodeid": test,
                    "requests": 0,
                    "operations": [],
                    "statuses": Counter[str](),
                    "violations": [],
                },
            )
            mine["requests"] += t["requests"]
            mine["operations"].extend(
                {"collection": slug, "operation": op, "count": n}
                for op, n in sorted(t["operations"].items())
            )
            mine["statuses"].update(t["statuses"])
            mine["violations"].extend(t["violations"])
    for mine in tests.values():
        mine["statuses"] = dict(sorted(mine["statuses"].items()))
    return [tests[k] for k in sorted(tests)]


def run_info(settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a report says of the run it counts: one shard, and each setting that shapes
    the answers (package version, seed, strict mode...) as a list of the values seen, so
    ``combine`` can keep every shard's and say where they differ."""
    return {
        "shards": 1,
        "settings": {key: [value] for key, value in (settings or {}).items()},
        "notes": [],
    }


def report(summaries: Summaries, run: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report model (schema ``mockamocha-report`` version 2) every writer renders;
    ``run`` says what was run (``run_info``; ``combine`` merges several)."""
    collections = [_collection(slug, summaries[slug]) for slug in sorted(summaries)]
    hit = sum(c["operations"]["hit"] for c in collections)
    declared = sum(c["operations"]["declared"] for c in collections)
    return {
        "schema": REPORT_SCHEMA_ID,
        "version": REPORT_VERSION,
        "totals": {
            "requests": sum(c["requests"] for c in collections),
            "violations": sum(c["violations"] for c in collections),
            "unmatched": sum(c["unmatched"] for c in collections),
            "operations": _ratio(hit, declared),
        },
        "run": dict(run) if run is not None else run_info(),
        "collections": collections,
        "tests": _tests(summaries),
    }


def operation_coverage(model: Mapping[str, Any]) -> float:
    """Session-wide operation coverage of a report model, in percent."""
    return float(model["totals"]["operations"]["percent"])
