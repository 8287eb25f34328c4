"""The ``html`` report: one self-contained page (inline CSS, JS and SVG; no fetches).

Coverage bars per collection, a sortable table of operations, bar charts of requests
and mean response time per operation, and a drill-down per test.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
.bar{background:#eee;width:20em;height:1em;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;background:#2a7}
.low>span{background:#d63}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}
th{cursor:pointer;background:#f4f4f4}
td.num{text-align:right}
tr.uncovered td:first-child{color:#c33;font-weight:bold}
details{margin:.2em 0}summary{cursor:pointer}
svg text{font:11px sans-serif}
"""
_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var table = th.closest('table'), body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute('data-order') !== 'asc';
    rows.sort(function(a, b){
      var x = a.cells[col].getAttribute('data-sort') || a.cells[col].textContent;
      var y = b.cells[col].getAttribute('data-sort') || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? c : -c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
    th.setAttribute('data-order', asc ? 'asc' : 'desc');
  });
});
"""


def _bar(label: str, ratio: Mapping[str, Any]) -> str:
    pct = float(ratio["percent"])
    low = " low" if pct < 50 else ""
    return (
        f'<p>{escape(label)}: <span class="bar{low}" title="{pct:g}%">'
        f'<span style="width:{pct:g}%"></span></span> '
        f"{ratio['hit']}/{ratio['declared']} ({pct:g}%)</p>"
    )


def _chart(title: str, values: list[tuple[str, float]], unit: str) -> str:
    if not values:
        return ""
    top = max(v for _, v in values) or 1.0
    row, label_w, bar_w = 18, 260, 300
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{label_w + bar_w + 80}" '
        f'height="{row * len(values) + 24}">',
        f'<text x="0" y="12" font-weight="bold">{escape(title)}</text>',
    ]
    for n, (name, value) in enumerate(values):
        y = 20 + n * row
        width = bar_w * value / top
        parts.append(
            f'<text x="0" y="{y + 12}">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="{row - 4}" '
            f'fill="#48a"/><text x="{label_w + width + 4:.1f}" y="{y + 12}">{value:g}{unit}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _row(op: Mapping[str, Any]) -> str:
    cls = ' class="uncovered"' if not op["valid_hits"] and not op["deprecated"] else ""
    statuses = ", ".join(f"{escape(k)} ({n})" for k, n in op["statuses"].items()) or "-"
    missing = escape(", ".join(op["statuses_missing"])) or "-"
    name = escape(op["name"]) + (" <em>(deprecated)</em>" if op["deprecated"] else "")
    sent = f"{len(op['params_sent'])}/{len(op['params_declared'])}"
    return (
        f"<tr{cls}><td>{name}</td><td class=num>{op['hits']}</td>"
        f"<td class=num>{op['valid_hits']}</td><td class=num>{op['avg_response_ms']:g}</td>"
        f"<td>{statuses}</td><td>{missing}</td>"
        f'<td class=num data-sort="{len(op["params_sent"])}">{sent}</td></tr>'
    )


def _collection(coll: Mapping[str, Any]) -> str:
    ops = coll["operation_list"]
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "Operation",
            "Requests",
            "Valid",
            "Mean ms",
            "Statuses returned",
            "Never returned",
            "Optional params sent",
        )
    )
    parts = [
        f'<section class="collection" id="coll-{escape(coll["slug"])}">',
        f"<h2>{escape(coll['title'])} <small>({escape(coll['slug'])})</small></h2>",
        f"<p>{coll['requests']} requests, {coll['violations']} violations, "
        f"{coll['unmatched']} unmatched</p>",
        _bar("Operations", coll["operations"]),
        _bar("Responses", coll["responses"]),
        _bar("Parameters", coll["parameters"]),
        f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>',
        *(_row(op) for op in ops),
        "</tbody></table>",
        _chart("Requests per operation", [(o["name"], float(o["hits"])) for o in ops], ""),
        _chart(
            "Mean response time per operation",
            [(o["name"], float(o["avg_response_ms"])) for o in ops if o["hits"]],
            " ms",
        ),
    ]
    if coll["problems"]:
        parts.append("<h3>Problems</h3><ul>")
        parts.extend(f"<li>{escape(p)}</li>" for p in coll["problems"])
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _test(test: Mapping[str, Any]) -> str:
    ops = "".join(
        f"<li>{escape(o['collection'])}: {escape(o['operation'])} ({o['count']})</li>"
        for o in test["operations"]
    )
    statuses = ", ".join(f"{escape(k)} ({n})" for k, n in test["statuses"].items())
    violations = "".join(f"<li>{escape(v)}</li>" for v in test["violations"])
    return (
        f'<details class="test"><summary>{escape(test["nodeid"])} — {test["requests"]} '
        f"requests{', ' + str(len(test['violations'])) + ' violations' if violations else ''}"
        f"</summary><p>Statuses: {statuses or '-'}</p><ul>{ops}</ul>"
        + (f"<p>Violations:</p><ul>{violations}</ul>" if violations else "")
        + "</details>"
    )


def _run(model: Mapping[str, Any]) -> list[str]:
    run = model.get("run") or {"shards": 1, "notes": []}
    out = [f"<p>Combined from {run['shards']} runs.</p>"] if run["shards"] > 1 else []
    if run["notes"]:
        out.append("<ul class=notes>" + "".join(f"<li>{escape(n)}</li>" for n in run["notes"]))
        out.append("</ul>")
    return out


def render(model: Mapping[str, Any]) -> str:
    """The whole page."""
    totals = model["totals"]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<title>MockaMocha request coverage</title>",
            f"<style>{_CSS}</style></head><body>",
            "<h1>MockaMocha request coverage</h1>",
            _bar("Session operations", totals["operations"]),
            f"<p>{totals['requests']} requests, {totals['violations']} violations, "
            f"{totals['unmatched']} unmatched</p>",
            *_run(model),
            *(_collection(c) for c in model["collections"]),
            "<h2>Tests</h2>",
            *(_test(t) for t in model["tests"]),
            f"<script>{_JS}</script>",
            "</body></html>",
            "",
        ]
    )
