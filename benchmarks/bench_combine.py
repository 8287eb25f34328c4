"""What `mockamocha report combine` costs: 100 shard reports of a 1,000-operation document.

    python benchmarks/bench_combine.py [--shards 100] [--rounds 5]

The document is tests/data/specs/large/generate_large.py with 177 resources (1,003
operations). Each shard report is written by the same code a pytest run uses
(``coverage.report`` and the json writer) from counts of its own: 60 operations hit with
their statuses and optional parameters, 25 tests. Each round times, in rotating order:

- parse only: reading and parsing every shard with orjson (garbage collector paused),
  the floor of any combine;
- combine: what the command does in-process (read and check each shard against the
  report schema, merge, compute the model, write the JSON report);
- the command: `mockamocha report combine DIR --format json:OUT` in a new process.

Medians over the rounds, and combine against the parse floor.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "data" / "specs" / "large"))

from generate_large import build, count_operations  # noqa: E402

from pytest_mockamocha.analytics import coverage  # noqa: E402
from pytest_mockamocha.analytics.combine import combine_files, shard_paths  # noqa: E402
from pytest_mockamocha.analytics.reports import render  # noqa: E402
from pytest_mockamocha.spec.loader import load_spec  # noqa: E402


def shard_model(spec: Any, rng: random.Random, n: int) -> dict[str, Any]:
    """One shard's report: counts of a run that hit 60 operations from 25 tests."""
    declared = [coverage._declared(op) for op in spec.operations]
    hit = rng.sample(declared, 60)
    statuses = {op["name"]: {op["statuses"][0]: rng.randint(1, 9)} for op in hit}
    summary = {
        "title": spec.title,
        "document_hash": spec.content_hash,
        "declared": len(declared),
        "requests": sum(sum(s.values()) for s in statuses.values()),
        "violations": 0,
        "unmatched": 0,
        "covered": sorted(statuses),
        "problems": [],
        "warnings": [],
        "operations": declared,
        "hits": {name: sum(s.values()) for name, s in statuses.items()},
        "valid": {name: sum(s.values()) for name, s in statuses.items()},
        "time_us": {name: rng.randint(100, 900) for name in statuses},
        "statuses": statuses,
        "params": {op["name"]: dict.fromkeys(op["params"][:1], 1) for op in hit if op["params"]},
        "tests": {
            f"tests/test_{n}.py::test_{t}": {
                "requests": 3,
                "operations": {op["name"]: 1 for op in hit[t : t + 3]},
                "statuses": {"200": 3},
                "violations": [],
            }
            for t in range(25)
        },
    }
    return coverage.report({"large": summary}, coverage.run_info({"seed": 0}))


def write_shards(folder: Path, shards: int) -> int:
    doc = build(n_resources=177)
    source = folder / "large.json"
    source.write_bytes(orjson.dumps(doc))
    spec = load_spec(source)
    rng = random.Random(1)
    for n in range(shards):
        (folder / "shards").mkdir(exist_ok=True)
        path = folder / "shards" / f"shard-{n:03}.json"
        path.write_text(render("json", shard_model(spec, rng, n)), encoding="utf-8")
    return count_operations(doc)


def parse_only(folder: Path) -> None:
    gc.disable()  # as combine does: the floor is the parse itself
    try:
        for path in shard_paths([folder / "shards"]):
            orjson.loads(path.read_bytes())
    finally:
        gc.enable()


def combine_in_process(folder: Path) -> None:
    model, _ = combine_files([folder / "shards"])
    (folder / "combined.json").write_text(render("json", model), encoding="utf-8")


def the_command(folder: Path) -> None:
    exe = shutil.which("mockamocha") or str(Path(sys.executable).parent / "mockamocha")
    out = folder / "cli.json"
    subprocess.run(
        [exe, "report", "combine", str(folder / "shards"), "--format", f"json:{out}"],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shards", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        operations = write_shards(folder, args.shards)
        size = sum(p.stat().st_size for p in (folder / "shards").iterdir())
        print(f"{args.shards} shards of a {operations}-operation document, {size / 1e6:.1f} MB")
        cases: dict[str, Callable[[Path], None]] = {
            "parse only": parse_only,
            "combine, in-process": combine_in_process,
            "mockamocha report combine": the_command,
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for r in range(args.rounds):
            names = list(cases)
            for name in names[r % len(names) :] + names[: r % len(names)]:
                started = time.perf_counter()
                cases[name](folder)
                times[name].append(time.perf_counter() - started)
        medians = {name: statistics.median(t) for name, t in times.items()}
        for name, median in medians.items():
            print(f"{name:28} median {median:.3f} s over {args.rounds} rounds")
        floor = medians["parse only"]
        print(f"combine / parse floor: {medians['combine, in-process'] / floor:.2f}x")


if __name__ == "__main__":
    main()
