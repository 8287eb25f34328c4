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
* ``response invalid`` / anything else -- our answer does not validate: ours to fix.

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
    for spec in data["specs"]:
        failing = spec.get("ops_total", 0) - spec.get("conformant", 0)
        examples = spec.get("examples") or []
        if failing > len(examples):
            truncated.append(spec["id"])
        doc = _load(spec["id"]) if examples else None
        for ex in examples:
            cats[category(ex, _declared(doc, ex["op"]))].append((spec["id"], ex))
    if a.json:
        out = {
            name: [
                {"spec": s, **{k: ex.get(k) for k in ("op", "status", "fail")}} for s, ex in rows
            ]
            for name, rows in cats.items()
        }
        print(json.dumps(out, indent=1))
        return 0
    total = sum(len(v) for v in cats.values())
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
