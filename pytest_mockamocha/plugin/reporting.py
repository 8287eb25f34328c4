"""The terminal summary: per collection, requests served, coverage and violations."""

from __future__ import annotations

from pytest_mockamocha.analytics.journal import Journal
from pytest_mockamocha.engine import Engine

MAX_LISTED = 10


def summary_lines(engine: Engine, journal: Journal, base_url: str | None) -> list[str]:
    """Lines for the ``mockamocha`` section of the terminal summary."""
    stats = journal.stats()
    lines: list[str] = []
    for coll in engine:
        s = stats.get(coll.slug)
        requests = s.requests if s else 0
        declared = len(coll.spec.operations)
        hit = len(s.by_operation) if s else 0
        violations = s.violations if s else 0
        unmatched = s.unmatched if s else 0
        where = f"{base_url}/mocks/{coll.slug}" if base_url else f"/mocks/{coll.slug}"
        lines.append(
            f"{coll.slug} ({where}): {requests} requests, {hit}/{declared} operations "
            f"hit, {violations} violations, {unmatched} unmatched"
        )
        bad = [r for r in journal.records(collection=coll.slug) if not r.ok]
        for record in bad[:MAX_LISTED]:
            reason = "; ".join(record.violations) or (
                "no such operation; nearest: " + ", ".join(record.nearest)
            )
            test = f" [{record.test}]" if record.test else ""
            lines.append(f"  {record.describe()}{test}: {reason}")
        if len(bad) > MAX_LISTED:
            lines.append(f"  ... and {len(bad) - MAX_LISTED} more")
        warnings = [*coll.spec.warnings, *coll.responder.examples.problems.values()]
        for problem in warnings[:MAX_LISTED]:
            lines.append(f"  spec warning: {problem}")
        if len(warnings) > MAX_LISTED:
            lines.append(f"  ... and {len(warnings) - MAX_LISTED} more spec warnings")
    return lines
