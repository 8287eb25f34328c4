"""The ``term`` report: the lines of the ``mockamocha`` section of pytest's summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_LISTED = 10


def _ratio(name: str, ratio: Mapping[str, Any]) -> str:
    return f"{name} {ratio['hit']}/{ratio['declared']} ({ratio['percent']:g}%)"


def _capped(label: str, items: list[str], total: int | None = None) -> list[str]:
    lines = [f"  {label}{item}" for item in items[:MAX_LISTED]]
    rest = (len(items) if total is None else total) - MAX_LISTED
    if rest > 0:
        lines.append(f"  ... and {rest} more")
    return lines


def collection_lines(coll: Mapping[str, Any], base_url: str | None = None) -> list[str]:
    """One collection: counts, coverage, uncovered operations, problems, spec warnings."""
    slug = coll["slug"]
    where = f"{base_url}/mocks/{slug}" if base_url else f"/mocks/{slug}"
    ops = coll["operation_list"]
    hit = sum(1 for o in ops if o["valid_hits"])
    lines = [
        f"{slug} ({where}): {coll['requests']} requests, {hit}/{len(ops)} operations hit, "
        f"{coll['violations']} violations, {coll['unmatched']} unmatched",
        "  coverage: "
        + ", ".join(_ratio(name, coll[name]) for name in ("operations", "responses", "parameters")),
    ]
    lines.extend(_capped("uncovered: ", list(coll["uncovered"])))
    lines.extend(f"  deprecated: {d['name']} ({d['hits']} requests)" for d in coll["deprecated"])
    problems = list(coll["problems"])
    lines.extend(_capped("", problems, coll["violations"] + coll["unmatched"]))
    lines.extend(_capped("spec warning: ", list(coll["warnings"])))
    return lines


def lines(model: Mapping[str, Any], base_url: str | None = None) -> list[str]:
    """Every collection's lines, then the session's operation coverage."""
    out: list[str] = []
    for coll in model["collections"]:
        out.extend(collection_lines(coll, base_url))
    if len(model["collections"]) > 1:
        out.append(_ratio("session coverage: operations", model["totals"]["operations"]))
    return out


def render(model: Mapping[str, Any]) -> str:
    """The term report as text."""
    return "".join(f"{line}\n" for line in lines(model))
