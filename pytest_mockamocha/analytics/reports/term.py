"""The ``term`` and ``term-missing`` reports: the ``mockamocha`` section of pytest's summary.

``term`` (the default) is one line per collection, as pytest-cov prints one line per file:
requests, problems and coverage; the requests that broke the contract follow it, since a
run that is not strict shows them nowhere else. ``term-missing`` adds what a large
document would bury the summary under on every run: the uncovered operations, the
deprecated ones and the spec's warnings, all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_LISTED = 10
#: what ``term`` says when ``term-missing`` would list more
HINT = "--mockamocha-report term-missing"


def _ratio(name: str, ratio: Mapping[str, Any]) -> str:
    return f"{name} {ratio['hit']}/{ratio['declared']} ({ratio['percent']:g}%)"


def _capped(label: str, items: list[str], total: int | None = None) -> list[str]:
    lines = [f"  {label}{item}" for item in items[:MAX_LISTED]]
    rest = (len(items) if total is None else total) - MAX_LISTED
    if rest > 0:
        lines.append(f"  ... and {rest} more")
    return lines


def collection_lines(
    coll: Mapping[str, Any], base_url: str | None = None, *, missing: bool = False
) -> list[str]:
    """One collection: its line; the requests that broke the contract; with ``missing``,
    every uncovered and deprecated operation and every spec warning."""
    slug = coll["slug"]
    where = f"{base_url}/mocks/{slug}" if base_url else f"/mocks/{slug}"
    deprecated = list(coll["deprecated"])
    apart = (
        f" ({len(deprecated)} deprecated operation{'s' if len(deprecated) > 1 else ''} not counted)"
        if deprecated
        else ""
    )
    coverage = ", ".join(
        _ratio(name, coll[name]) for name in ("operations", "responses", "parameters")
    )
    lines = [
        f"{slug} ({where}): {coll['requests']} requests, {coll['violations']} violations, "
        f"{coll['unmatched']} unmatched; coverage: {coverage}{apart}"
    ]
    problems = list(coll["problems"])
    lines.extend(_capped("", problems, coll["violations"] + coll["unmatched"]))
    if missing:
        lines.extend(f"  uncovered: {name}" for name in coll["uncovered"])
        lines.extend(f"  deprecated: {d['name']} ({d['hits']} requests)" for d in deprecated)
        lines.extend(f"  spec warning: {warning}" for warning in coll["warnings"])
    return lines


def lines(
    model: Mapping[str, Any], base_url: str | None = None, *, missing: bool = False
) -> list[str]:
    """Every collection's lines, the session's operation coverage when there are several,
    and, without ``missing``, how to see what was left out."""
    out: list[str] = []
    for coll in model["collections"]:
        out.extend(collection_lines(coll, base_url, missing=missing))
    if len(model["collections"]) > 1:
        out.append(_ratio("session coverage: operations", model["totals"]["operations"]))
    if not missing:
        hidden = _hidden(model["collections"])
        if hidden:
            out.append(f"({hidden}: {HINT})")
    out.extend(run_lines(model))
    return out


def run_lines(model: Mapping[str, Any]) -> list[str]:
    """How many runs a combined report counts, and its notes (none for one run)."""
    run = model.get("run") or {"shards": 1, "notes": []}
    out = [f"combined from {run['shards']} runs"] if run["shards"] > 1 else []
    out.extend(f"note: {note}" for note in run["notes"])
    return out


def _hidden(collections: list[Mapping[str, Any]]) -> str:
    """What ``term-missing`` would add, counted (empty when nothing)."""
    counts = {
        "uncovered operation": sum(len(c["uncovered"]) for c in collections),
        "deprecated operation": sum(len(c["deprecated"]) for c in collections),
        "spec warning": sum(len(c["warnings"]) for c in collections),
    }
    return ", ".join(f"{n} {what}{'s' if n > 1 else ''}" for what, n in counts.items() if n)


def render(model: Mapping[str, Any]) -> str:
    """The term report as text."""
    return "".join(f"{line}\n" for line in lines(model))


def render_missing(model: Mapping[str, Any]) -> str:
    """The term-missing report as text."""
    return "".join(f"{line}\n" for line in lines(model, missing=True))
