"""Sort the failing operations of a conformance run into categories.

Reads the ``--out`` JSON of the shared conformance harness (run it with a large
``--max-examples`` so that every failing operation is kept) and prints, per category, the
count and one example per document::

    python benchmarks/conformance_summary.py conformance.json [--all] [--json]

The categories say *who* answered wrongly, as far as the JSON and the document tell:

* ``harness: no responses (3.1)`` -- the harness's validator raises ``KeyError:
  'responses'`` on a 3.1 operation that declares no ``responses`` (allowed in 3.1);
* ``declared 5xx answered`` -- the operation declares only 5xx statuses and we answered
  one of them; the harness counts every 5xx as a failure;
* ``declared 1xx only`` -- the operation declares only informational statuses, which
  cannot be a final HTTP answer;
* ``request rejected: ...`` -- we answered 4xx to the harness's "valid" request; the
  problem detail says why (read it: the request may really be invalid);
* ``routing: ...`` -- 404/405 from the router;
* ``unpassable: ...`` -- no answer can pass the harness's check, whatever a server sends:
  a ``204`` or a response declared with an empty ``content: {}`` (openapi-core, the
  harness's judge, wants a body whenever ``content`` is there, and HTTP forbids one on a
  204), a ``*/*`` response with an object or array schema (the harness reads ``*/*`` as
  text), or a non-JSON media type declared with an object or array schema;
* ``response invalid`` / anything else -- our answer does not validate: ours to fix.

Invalid requests the mock did not reject are sorted too: ``harness: the invalid request
is the valid one`` when the harness's mutation dropped a header parameter it never sends
(``Accept``, ``Content-Type``, ``Authorization``: OpenAPI says to ignore them), so the
request it calls invalid is the valid request again.

The first lines give the run's figures (as the harness computes them) and the same
figures with the unpassable operations and the harness's no-op mutations set aside.

Documents are read (to see the declared statuses) from the ``id`` of each result, relative
to the current folder, as the harness printed them; unreadable ones are skipped quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections import defaultdict
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
IGNORED_HEADERS = ("accept", "content-type", "authorization")
STRUCTURED = ("object", "array")


def _load(path: str) -> Any:
    try:
        with open(path, "rb") as f:
            if path.endswith((".yaml", ".yml")):
                import yaml

                return yaml.safe_load(f)
            return json.load(f)
    except Exception:  # a missing file, bad JSON or YAML: the document is only a hint here
        return None


def _declared(doc: Any, op: str) -> list[str]:
    if not isinstance(doc, dict):
        return []
    method, _, path = op.partition(" ")
    item = (doc.get("paths") or {}).get(path)
    if not isinstance(item, dict):
        return []
    operation = item.get(method.lower())
    responses = operation.get("responses") if isinstance(operation, dict) else None
    return [str(k) for k in responses] if isinstance(responses, dict) else []


def _resolve(doc: Any, node: Any) -> Any:
    for _ in range(32):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node


def _operation(doc: Any, op: str) -> tuple[dict[str, Any], dict[str, Any]]:
    method, _, path = op.partition(" ")
    if not isinstance(doc, dict):
        return {}, {}
    item = _resolve(doc, (doc.get("paths") or {}).get(path))
    if not isinstance(item, dict):
        return {}, {}
    operation = item.get(method.lower())
    return item, operation if isinstance(operation, dict) else {}


def unpassable(doc: Any, example: dict[str, Any]) -> str | None:
    """Why no answer can pass the harness's check of this response, if none can."""
    fail, status = example.get("fail"), example.get("status")
    if fail not in ("body_missing", "body_invalid") or not isinstance(doc, dict):
        return None
    _, operation = _operation(doc, example["op"])
    responses = operation.get("responses") or {}
    response = _resolve(doc, responses.get(str(status)) or responses.get("default"))
    content = response.get("content") if isinstance(response, dict) else None
    if fail == "body_missing":
        if content == {}:
            return "unpassable: `content: {}` declares no body; the judge wants one"
        if status == 204:
            return "unpassable: a 204 with declared content (HTTP forbids its body)"
        return None
    if not isinstance(content, dict) or not content:
        return None
    kinds = []
    for media, node in content.items():
        schema = _resolve(doc, (node or {}).get("schema")) if isinstance(node, dict) else None
        kind = schema.get("type") if isinstance(schema, dict) else None
        kinds.append((str(media).split(";")[0].strip().lower(), kind))
    if all(m == "*/*" and k in STRUCTURED for m, k in kinds):
        return "unpassable: a */* response with an object or array schema (read as text)"
    if all("json" not in m and "*" not in m and k in STRUCTURED for m, k in kinds):
        return "unpassable: a non-JSON media type declared with an object or array schema"
    return None


def noop_mutation(doc: Any, entry: dict[str, Any]) -> bool:
    """Whether the harness's "invalid" request is its valid one: it dropped the first
    required header parameter, which it never sends (one OpenAPI says to ignore)."""
    if entry.get("kind") != "missing_required_header" or not isinstance(doc, dict):
        return False
    item, operation = _operation(doc, entry["op"])
    params: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        param = _resolve(doc, raw)
        if isinstance(param, dict) and "name" in param and "in" in param:
            params[(param["in"], param["name"])] = param
    first = next(
        (p for p in params.values() if p["in"] == "header" and p.get("required")), None
    )
    return first is not None and str(first["name"]).lower() in IGNORED_HEADERS


def _problem_detail(body: str) -> str:
    """The ``detail`` of a problem body (the harness keeps 200 characters: maybe cut)."""
    found = re.search(r'"detail": "((?:[^"\\]|\\.)*)', body) or re.search(
        r'"title": "((?:[^"\\]|\\.)*)', body
    )
    return found.group(1) if found else body[:80]


def category(example: dict[str, Any], declared: list[str]) -> str:
    """One line naming why this operation failed."""
    fail = example.get("fail", "")
    status = example.get("status")
    detail = example.get("detail") or ""
    if fail == "other:KeyError" and "'responses'" in detail:
        if status is not None and status >= 400:  # the harness hid an answer of ours
            return f"(no responses) {category(dict(example, fail='status_undeclared'), declared)}"
        return "harness: no responses (3.1), validator KeyError"
    codes = [c for c in declared if c != "default"]
    if codes and all(c.startswith("1") for c in codes):
        return "declared 1xx only"
    if fail == "status_5xx":
        if str(status) in declared or f"{str(status)[0]}XX" in [c.upper() for c in declared]:
            return "declared 5xx answered"
        return "server error (ours)"
    if fail == "connection_error":
        return "connection error"
    if fail == "status_undeclared" and status in (404, 405):
        return f"routing: {status}"
    if fail == "status_undeclared" and status is not None and 400 <= status < 500:
        text = _problem_detail(example.get("body") or "")
        head = re.sub(r"'[^']*'|\d+", "_", text.split(";")[0])[:70]
        return f"request rejected {status}: {head}"
    if fail == "status_undeclared":
        return f"status undeclared: {status}"
    return f"{fail}: {detail[:60]}"


def _about_invalid(name: str) -> bool:
    return name.startswith(("harness: the invalid request", "invalid request not rejected"))


def _figures(totals: dict[str, Any], cats: dict[str, list[Any]], noop: int) -> str:
    """The run's headline figures, then the same without what no server can pass."""
    if not totals:
        return "(no summary in this file)"
    judged, conformant = totals.get("ops_judged", 0), totals.get("conformant", 0)
    applicable, rejected = totals.get("invalid_applicable", 0), totals.get("invalid_rejected", 0)
    declares, answered = totals.get("declares_2xx", 0), totals.get("answered_2xx", 0)
    blocked = sum(len(rows) for name, rows in cats.items() if name.startswith("unpassable"))

    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "n/a"

    lines = [
        f"{totals.get('specs', 0)} documents, {totals.get('ops_total', 0)} operations; "
        f"{totals.get('startup_failed', 0)} refused to start, {totals.get('crashed', 0)} "
        "crashed",
        f"conformant:        {pct(conformant, judged)} ({conformant}/{judged} judged)",
        f"invalid rejected:  {pct(rejected, applicable)} ({rejected}/{applicable})",
        f"2xx when declared: {pct(answered, declares)} ({answered}/{declares} valid requests)",
        f"start-up:          median {totals.get('startup_s_median')} s, "
        f"max {totals.get('startup_s_max')} s",
        f"without what no server can pass ({blocked} unpassable operations, {noop} no-op "
        "mutations): conformant "
        f"{pct(conformant, judged - blocked)}, invalid rejected "
        f"{pct(rejected, applicable - noop)}",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", help="the harness's --out JSON")
    ap.add_argument("--all", action="store_true", help="list every operation, not one per doc")
    ap.add_argument("--json", action="store_true", help="print the categories as JSON")
    a = ap.parse_args()
    with open(a.results) as f:
        data = json.load(f)
    cats: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    truncated = []
    noop = 0
    for spec in data["specs"]:
        judged = (
            spec.get("ops_total", 0)
            - spec.get("not_applicable", 0)
            - spec.get("harness_request_invalid", 0)
        )
        failing = judged - spec.get("conformant", 0)
        examples = spec.get("examples") or []
        if failing > len(examples):
            truncated.append(spec["id"])
        missed = spec.get("not_rejected") or []
        doc = _load(spec["id"]) if examples or missed else None
        for ex in examples:
            why = unpassable(doc, ex) or category(ex, _declared(doc, ex["op"]))
            cats[why].append((spec["id"], ex))
        for entry in missed:
            if noop_mutation(doc, entry):
                noop += 1
                cats["harness: the invalid request is the valid one"].append(
                    (spec["id"], {**entry, "fail": "not_rejected"})
                )
            else:
                cats[f"invalid request not rejected: {entry.get('kind')}"].append(
                    (spec["id"], {**entry, "fail": "not_rejected"})
                )
    if a.json:
        out = {
            name: [
                {"spec": s, **{k: ex.get(k) for k in ("op", "status", "fail")}} for s, ex in rows
            ]
            for name, rows in cats.items()
        }
        print(json.dumps(out, indent=1))
        return 0
    print(_figures(data.get("summary", {}).get("ALL", {}), cats, noop))
    total = sum(len(v) for k, v in cats.items() if not _about_invalid(k))
    print(f"{total} failing operations in {len(cats)} categories")
    for name, rows in sorted(cats.items(), key=lambda kv: -len(kv[1])):
        print(f"\n{len(rows):4d}  {name}")
        seen = set()
        for spec_id, ex in rows:
            short = os.path.join(*spec_id.split(os.sep)[-3:])
            if not a.all and short.rsplit(".", 1)[0] in seen:
                continue
            seen.add(short.rsplit(".", 1)[0])
            why = _problem_detail(ex.get("body") or "") or ex.get("detail") or ""
            print(f"      {short}: {ex['op']} -> {ex.get('status')} {why[:150]}")
    for spec_id in truncated:
        print(f"note: {spec_id} has more failures than kept examples (raise --max-examples)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
