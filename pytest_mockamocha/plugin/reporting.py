"""The terminal summary: per collection, requests served, coverage and violations.

The numbers travel as plain JSON-able dicts so xdist workers can ship theirs to the
controller (``workeroutput``), which merges them before printing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_mockamocha.engine import Engine

MAX_LISTED = 10
Summary = dict[str, dict[str, Any]]


def collect(engine: Engine) -> Summary:
    """This process's numbers, per collection slug."""
    stats = engine.journal.stats()
    out: Summary = {}
    for coll in engine:
        s = stats.get(coll.slug)
        bad = [r for r in engine.journal.records(collection=coll.slug) if not r.ok]
        responder = coll.responder
        warnings = [
            *coll.spec.warnings,
            *responder.examples.problems.values(),
            *responder.unsatisfiable.values(),
        ]
        out[coll.slug] = {
            "declared": len(coll.spec.operations),
            "requests": s.requests if s else 0,
            "violations": s.violations if s else 0,
            "unmatched": s.unmatched if s else 0,
            "covered": sorted(s.valid_by_operation) if s else [],
            "problems": [_problem_line(r) for r in bad[: MAX_LISTED + 1]],
            "warnings": sorted({str(w) for w in warnings}),
        }
    return out


def merge(parts: list[Summary]) -> Summary:
    """One summary from several (xdist workers each serve their own requests)."""
    merged: Summary = {}
    for part in parts:
        for slug, data in part.items():
            into = merged.setdefault(
                slug,
                {
                    "declared": data["declared"],
                    "requests": 0,
                    "violations": 0,
                    "unmatched": 0,
                    "covered": [],
                    "problems": [],
                    "warnings": [],
                },
            )
            for key in ("requests", "violations", "unmatched"):
                into[key] += data[key]
            into["covered"] = sorted({*into["covered"], *data["covered"]})
            into["problems"] = [*into["problems"], *data["problems"]][: MAX_LISTED + 1]
            into["warnings"] = sorted({*into["warnings"], *data["warnings"]})
    return merged


def summary_lines(summary: Summary, base_url: str | None) -> list[str]:
    """Lines for the ``mockamocha`` section of the terminal summary."""
    lines: list[str] = []
    for slug, data in summary.items():
        where = f"{base_url}/mocks/{slug}" if base_url else f"/mocks/{slug}"
        lines.append(
            f"{slug} ({where}): {data['requests']} requests, {len(data['covered'])}/"
            f"{data['declared']} operations hit, {data['violations']} violations, "
            f"{data['unmatched']} unmatched"
        )
        problems = data["problems"]
        lines.extend(f"  {line}" for line in problems[:MAX_LISTED])
        if data["violations"] + data["unmatched"] > MAX_LISTED:
            lines.append(f"  ... and {data['violations'] + data['unmatched'] - MAX_LISTED} more")
        warnings = data["warnings"]
        lines.extend(f"  spec warning: {w}" for w in warnings[:MAX_LISTED])
        if len(warnings) > MAX_LISTED:
            lines.append(f"  ... and {len(warnings) - MAX_LISTED} more spec warnings")
    return lines


def _problem_line(record: Any) -> str:
    reason = "; ".join(record.violations) or (
        "no such operation; nearest: " + ", ".join(record.nearest)
    )
    test = f" [{record.test}]" if record.test else ""
    return f"{record.describe()}{test}: {reason}"
