"""What a change did to request coverage: two report models compared, and the result in
term or markdown (a pull-request comment) words.

A *loss* is an operation, declared response or optional parameter that BASE covered and
HEAD, still declaring it, does not; or more violations in HEAD. What HEAD's document no
longer declares (an operation, a status, a whole collection) is listed as such, not as a
loss: the API changed, not the suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Model = Mapping[str, Any]
KINDS = ("operations", "responses", "parameters")
#: lines per list in the markdown; GitHub refuses comments over 65,536 characters
MAX_MARKDOWN_ITEMS = 50
MAX_MARKDOWN_CHARS = 60_000


def diff(base: Model, head: Model) -> dict[str, Any]:
    """The change from ``base`` to ``head``, per collection and in total (JSON-able)."""
    before = {c["slug"]: c for c in base["collections"]}
    after = {c["slug"]: c for c in head["collections"]}
    collections = [
        _collection(slug, before.get(slug), after.get(slug))
        for slug in sorted(before.keys() | after.keys())
    ]
    return {
        "operations": {
            "base": base["totals"]["operations"],
            "head": head["totals"]["operations"],
        },
        "lost": sum(_count(c, "lost") for c in collections),
        "gained": sum(_count(c, "gained") for c in collections),
        "new_violations": sum(c["violations"]["added"] for c in collections),
        "collections": collections,
    }


def has_loss(change: Mapping[str, Any]) -> bool:
    """Whether anything lost coverage or more requests broke the contract."""
    return bool(change["lost"] or change["new_violations"])


def _count(coll: Mapping[str, Any], side: str) -> int:
    return sum(len(coll[kind][side]) for kind in KINDS)


def _items(coll: Mapping[str, Any] | None) -> dict[str, dict[str, bool]]:
    """Per kind, every declared item and whether it was covered."""
    out: dict[str, dict[str, bool]] = {kind: {} for kind in KINDS}
    for op in coll["operation_list"] if coll else ():
        if op["deprecated"]:
            continue
        name = op["name"]
        out["operations"][name] = bool(op["valid_hits"])
        hit = set(op["statuses_hit"])
        out["responses"].update({f"{name} {k}": k in hit for k in op["declared_statuses"]})
        sent = set(op["params_sent"])
        out["parameters"].update({f"{name} {p}": p in sent for p in op["params_declared"]})
    return out


def _collection(slug: str, base: Model | None, head: Model | None) -> dict[str, Any]:
    old, new = _items(base), _items(head)
    row: dict[str, Any] = {
        "slug": slug,
        "state": "added" if base is None else "removed" if head is None else "kept",
        "document_changed": bool(
            base and head and base.get("document_hash") != head.get("document_hash")
        ),
    }
    for kind in KINDS:
        was, now = old[kind], new[kind]
        row[kind] = {
            "base": base[kind] if base else None,
            "head": head[kind] if head else None,
            "lost": [k for k in was if was[k] and k in now and not now[k]],
            "gained": [k for k in now if now[k] and not was.get(k)],
            "undeclared": [k for k in was if was[k] and k not in now] if head else [],
        }
    known = set(base["problems"]) if base else set()
    counts = (base["violations"] if base else 0, head["violations"] if head else 0)
    row["violations"] = {
        "base": counts[0],
        "head": counts[1],
        "added": max(0, counts[1] - counts[0]),
        "new": [p for p in (head["problems"] if head else ()) if p not in known],
    }
    return row


# -- words ----------------------------------------------------------------------------------
_SINGULAR = {"operations": "operation", "responses": "response", "parameters": "parameter"}


def _ratio(ratio: Mapping[str, Any] | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio['hit']}/{ratio['declared']} ({ratio['percent']:g}%)"


def _points(change: Mapping[str, Any]) -> str:
    delta = change["operations"]["head"]["percent"] - change["operations"]["base"]["percent"]
    return f"{delta:+.2f} points" if delta else "unchanged"


def _headline(change: Mapping[str, Any]) -> str:
    ops = change["operations"]
    return (
        f"operation coverage {_ratio(ops['base'])} -> {_ratio(ops['head'])} ({_points(change)}); "
        f"{change['lost']} lost, {change['gained']} gained, "
        f"{change['new_violations']} new violations"
    )


def _entries(coll: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(tag, text) per line of a collection's change, losses first."""
    out: list[tuple[str, str]] = []
    for side in ("lost", "gained", "undeclared"):
        for kind in KINDS:
            label = "no longer declared" if side == "undeclared" else f"{side} {_SINGULAR[kind]}"
            out.extend((label, item) for item in coll[kind][side])
    out.extend(("new violation", p) for p in coll["violations"]["new"])
    return out


def _collection_title(coll: Mapping[str, Any]) -> str:
    extra = {"added": " (new collection)", "removed": " (no longer served)"}.get(coll["state"], "")
    if coll["document_changed"]:
        extra += " (document changed)"
    return f"{coll['slug']}{extra}"


def render_term(change: Mapping[str, Any]) -> str:
    """The change as plain lines: a headline, then per changed collection what moved."""
    lines = [_headline(change)]
    for coll in change["collections"]:
        entries = _entries(coll)
        counts = coll["violations"]
        if not entries and counts["base"] == counts["head"] and coll["state"] == "kept":
            continue
        ops = coll["operations"]
        lines.append(
            f"{_collection_title(coll)}: operations {_ratio(ops['base'])} -> "
            f"{_ratio(ops['head'])}, violations {counts['base']} -> {counts['head']}"
        )
        lines.extend(f"  {tag}: {text}" for tag, text in entries)
    if len(lines) == 1:
        lines.append("no change in what the suite covers")
    return "".join(f"{line}\n" for line in lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(change: Mapping[str, Any]) -> str:
    """The change as GitHub-flavoured Markdown for a pull-request comment or job summary,
    kept under GitHub's comment size (long lists end with how many more)."""
    mark = ":x:" if has_loss(change) else ":white_check_mark:"
    lines = ["## MockaMocha request coverage change", "", f"{mark} {_md(_headline(change))}", ""]
    changed = [c for c in change["collections"] if _entries(c) or c["state"] != "kept"]
    if changed:
        lines += [
            "| Collection | Operations | Responses | Parameters | Violations |",
            "|---|---|---|---|---|",
        ]
        for coll in changed:
            cells = [f"{_ratio(coll[k]['base'])} → {_ratio(coll[k]['head'])}" for k in KINDS]
            counts = coll["violations"]
            lines.append(
                f"| `{_md(_collection_title(coll))}` | {' | '.join(cells)} | "
                f"{counts['base']} → {counts['head']} |"
            )
        lines.append("")
    for coll in changed:
        entries = _entries(coll)
        if not entries:
            continue
        lines += [f"<details{' open' if has_loss(change) else ''}>", ""]
        lines += [
            f"<summary><code>{_md(coll['slug'])}</code>: {len(entries)} changes</summary>",
            "",
        ]
        shown = entries[:MAX_MARKDOWN_ITEMS]
        lines += [f"- **{tag}**: `{_md(text)}`" for tag, text in shown]
        if len(entries) > len(shown):
            lines.append(f"- … and {len(entries) - len(shown)} more (`mockamocha report diff`)")
        lines += ["", "</details>", ""]
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > MAX_MARKDOWN_CHARS:
        cut = text[:MAX_MARKDOWN_CHARS].rsplit("\n", 1)[0]
        if cut.count("<details") > cut.count("</details>"):
            cut += "\n\n</details>"
        text = cut + "\n\n… cut to fit a comment; run `mockamocha report diff` for all of it.\n"
    return text
