"""The ``markdown`` report: fits a CI job summary, a table per collection and the gaps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _pct(ratio: Mapping[str, Any]) -> str:
    return f"{ratio['hit']}/{ratio['declared']} ({ratio['percent']:g}%)"


def _table(coll: Mapping[str, Any]) -> list[str]:
    rows = [
        "| Operation | Hits | Statuses returned | Statuses never returned | Optional params sent |",
        "|---|---:|---|---|---|",
    ]
    for op in coll["operation_list"]:
        name = f"`{_cell(op['name'])}`" + (" (deprecated)" if op["deprecated"] else "")
        statuses = ", ".join(f"{k} ({n})" for k, n in op["statuses"].items()) or "-"
        missing = ", ".join(op["statuses_missing"]) or "-"
        sent = f"{len(op['params_sent'])}/{len(op['params_declared'])}"
        rows.append(f"| {name} | {op['valid_hits']} | {statuses} | {missing} | {sent} |")
    return rows


def _collection(coll: Mapping[str, Any]) -> list[str]:
    lines = [
        f"### {_cell(coll['title'])} (`{coll['slug']}`)",
        "",
        f"Operations {_pct(coll['operations'])} · responses {_pct(coll['responses'])} · "
        f"parameters {_pct(coll['parameters'])} · {coll['requests']} requests, "
        f"{coll['violations']} violations, {coll['unmatched']} unmatched",
        "",
        "<details><summary>Operations</summary>",
        "",
        *_table(coll),
        "",
        "</details>",
        "",
    ]
    if coll["uncovered"]:
        lines.append("**Uncovered operations:** " + ", ".join(f"`{o}`" for o in coll["uncovered"]))
        lines.append("")
    gaps = [
        f"- `{op['name']}`: never returned {', '.join(op['statuses_missing'])}"
        for op in coll["operation_list"]
        if op["statuses_missing"] and not op["deprecated"]
    ]
    if gaps:
        lines.extend(["**Responses never exercised:**", "", *gaps, ""])
    return lines


def render(model: Mapping[str, Any]) -> str:
    """The whole report as GitHub-flavoured Markdown."""
    lines = [
        "## MockaMocha request coverage",
        "",
        f"Operation coverage: **{_pct(model['totals']['operations'])}** over "
        f"{model['totals']['requests']} requests.",
        "",
    ]
    run = model.get("run") or {"shards": 1, "notes": []}
    if run["shards"] > 1:
        lines.extend([f"Combined from {run['shards']} runs.", ""])
    if run["notes"]:
        lines.extend([*(f"> {_cell(note)}" for note in run["notes"]), ""])
    for coll in model["collections"]:
        lines.extend(_collection(coll))
    return "\n".join(lines).rstrip() + "\n"
