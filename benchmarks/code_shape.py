"""The shape of the package's code, in the figures issue 13 measures before and after.

    python benchmarks/code_shape.py [--json] [--root CHECKOUT]

Prints, for ``pytest_mockamocha/``:

* functions: how many, their median and 90th-percentile length, the 15 longest and how
  many run over 50 lines (a function's length is its ``def`` line to its last line,
  decorators not counted);
* modules: how many ``.py`` files, and the largest by lines;
* duplicates: the pairs the ``duplicates`` tool lists for the package folder (places
  sharing six or more lines of the same shape); "not installed" without the tool;
* server assembly: the modules outside ``engine/`` and ``api/`` that wire a server's
  parts: build the management API (``build_api``) or mount a document into an engine (a
  call of ``add``, ``mount`` or ``warm`` on something named ``engine``/``coll``/...).
  The API's own re-mount after an import is the API's business and not counted;
* rule validators: the modules that check a rule reply's fields themselves: they make
  ``Reply`` values and hold at least two of the checks issue 13 names (the status range
  ``599``, header line breaks, the JSON check ``allow_nan=False``, example names, the
  "declares no ... response" mistake).

No timing is involved: the figures are the same on a busy and on a quiet machine.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import statistics
import subprocess
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_mockamocha"
_MOUNT_CALLS = frozenset({"add", "mount", "warm"})
_MOUNT_TARGETS = re.compile(r"(engine|coll|collection|live|mounted)$")
_RULE_CHECKS = ("599", "line breaks", "allow_nan=False", "no example", "declares no")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def functions() -> list[tuple[int, str]]:
    """(length, "module:qualified name") of every function and method."""
    found: list[tuple[int, str]] = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, prefix: str, path: Path = path) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    assert child.end_lineno is not None
                    length = child.end_lineno - child.lineno + 1
                    found.append((length, f"{_name(path)}:{prefix}{child.name}"))
                    visit(child, f"{prefix}{child.name}.")
                elif isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}{child.name}.")
                else:
                    visit(child, prefix)

        visit(tree, "")
    return found


def _receiver(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def assembly_places() -> list[str]:
    """Modules outside engine/ and api/ that build the API or mount documents."""
    places = []
    for path in _modules():
        name = _name(path)
        if name.startswith(("engine/", "api/")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "build_api":
                places.append(name)
                break
            if (
                isinstance(func, ast.Attribute)
                and func.attr in _MOUNT_CALLS
                and _MOUNT_TARGETS.search(_receiver(func.value))
            ):
                places.append(name)
                break
    return places


def rule_validators() -> list[str]:
    """Modules that check a rule reply's fields (status range, headers, JSON, examples)."""
    places = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        checks = sum(marker in text for marker in _RULE_CHECKS)
        if re.search(r"\bReply\(", text) and checks >= 2:
            places.append(_name(path))
    return places


def duplicate_pairs() -> int | None:
    """The pairs ``duplicates`` lists for the package folder (None without the tool)."""
    tool = shutil.which("duplicates")
    if tool is None:
        return None
    done = subprocess.run(
        [tool, "--repo", str(PACKAGE), "--seconds", "120"],
        capture_output=True,
        text=True,
        check=False,
    )
    first = done.stdout.splitlines()[0] if done.stdout else ""
    if first.startswith("no duplicates"):
        return 0
    match = re.match(r"(\d+) pairs", first)
    return int(match.group(1)) if match else None


def measure() -> dict[str, Any]:
    """Every figure, as one JSON-able mapping."""
    sizes = functions()
    lengths = sorted(length for length, _ in sizes)
    modules = [(len(p.read_text(encoding="utf-8").splitlines()), _name(p)) for p in _modules()]
    largest = max(modules)
    return {
        "functions": len(sizes),
        "median_lines": statistics.median(lengths),
        "p90_lines": lengths[int(len(lengths) * 0.9)],
        "over_50_lines": sum(1 for n in lengths if n > 50),
        "longest": sorted(sizes, reverse=True)[:15],
        "modules": len(modules),
        "largest_module": {"name": largest[1], "lines": largest[0]},
        "duplicate_pairs": duplicate_pairs(),
        "assembly_places": assembly_places(),
        "rule_validators": rule_validators(),
    }


def render(figures: dict[str, Any]) -> str:
    """The figures as the table printed on the terminal."""
    largest = figures["largest_module"]
    dupes = figures["duplicate_pairs"]
    lines = [
        f"functions            {figures['functions']} (median {figures['median_lines']} lines, "
        f"90th percentile {figures['p90_lines']})",
        f"over 50 lines        {figures['over_50_lines']}",
        f"modules              {figures['modules']} (largest: {largest['name']}, "
        f"{largest['lines']} lines)",
        f"duplicates pairs     {'not installed' if dupes is None else dupes}",
        f"server assembly      {len(figures['assembly_places'])}: "
        f"{', '.join(figures['assembly_places'])}",
        f"rule validators      {len(figures['rule_validators'])}: "
        f"{', '.join(figures['rule_validators'])}",
        "15 longest functions (lines):",
    ]
    lines += [f"  {length:4d}  {where}" for length, where in figures["longest"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--root", type=Path, help="measure the package of another checkout (an older commit)"
    )
    args = parser.parse_args()
    if args.root is not None:
        global PACKAGE
        PACKAGE = args.root.resolve() / "pytest_mockamocha"
    figures = measure()
    print(json.dumps(figures, indent=2) if args.json else render(figures))


if __name__ == "__main__":
    main()
