"""What a regex condition costs per request, before and after rules matched with RE2, in one run.

    python benchmarks/bench_regex.py [--rounds 7] [--requests 2000] [--before REF]

Four `mockamocha serve --memory --no-record` subprocesses on 127.0.0.1 serve the pet store:
the code before linear-time regexes (``--before``, by default the parent of the commit that
added ``pytest_mockamocha/_regex.py``, extracted with `git archive`) and the code of HEAD,
each without rules and with one rule whose regex condition on a header fits. Each round
measures every setup in rotating order: N sequential GETs on one kept-alive
connection (p50), then 2 s of GETs on 8 kept-alive connections (throughput). Medians over
the rounds are printed with the ratios that matter: the regex rule against no rules in the
same code, and after against before.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
from pathlib import Path

from _loopback import ROOT, latencies, package_at, start_serve, throughput

PATH = "/mocks/petstore/pets/1"
HEADERS = {"X-Tenant": "tenant-4242"}
RULE = {
    "version": 1,
    "rules": [
        {
            "operation": "getPet",
            "match": {"headers": {"X-Tenant": {"regex": "^tenant-[0-9]+$"}}},
            "response": {"json": {"id": 1, "name": "Rex"}},
        }
    ],
}


def before_linear_regexes() -> str:
    """The parent of the commit that added the linear-time regex module."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", "pytest_mockamocha/_regex.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    if not added:
        raise SystemExit("pytest_mockamocha/_regex.py has no history here; pass --before REF")
    return f"{added[-1]}^"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--before", default=None, help="git ref of the code to compare with")
    args = parser.parse_args()
    before = args.before or before_linear_regexes()
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "regex.yaml"
        rules.write_text(json.dumps(RULE))
        codes = {"before": package_at(before, Path(tmp) / "before"),
                 "after": package_at("HEAD", Path(tmp) / "after")}
        setups = {
            f"{code} / {kind}": (env, [] if kind == "no rules" else ["--rules", str(rules)])
            for code, env in codes.items()
            for kind in ("no rules", "regex rule")
        }
        names = list(setups)
        p50s: dict[str, list[float]] = {name: [] for name in names}
        rps: dict[str, list[float]] = {name: [] for name in names}
        servers = {
            name: start_serve(["--no-record", *extra], tmp, env)
            for name, (env, extra) in setups.items()
        }
        try:
            for r in range(args.rounds):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    port = servers[name][1]
                    lat = latencies(port, PATH, args.requests, headers=HEADERS)
                    p50s[name].append(lat[len(lat) // 2] * 1000)
                    rps[name].append(throughput(port, PATH, args.seconds, 8, HEADERS))
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(10)
    p50 = {n: statistics.median(v) for n, v in p50s.items()}
    tput = {n: statistics.median(v) for n, v in rps.items()}
    print(f"GET {PATH} with {HEADERS}; before = {before}; {args.rounds} rounds")
    print(f"  {'setup':24s} {'p50 ms':>8s} {'req/s':>8s}")
    for name in names:
        print(f"  {name:24s} {p50[name]:8.3f} {tput[name]:8.0f}")
    for code in codes:
        print(f"  {code}: regex rule / no rules: p50 "
              f"{p50[f'{code} / regex rule'] / p50[f'{code} / no rules']:.2f}x, throughput "
              f"{tput[f'{code} / regex rule'] / tput[f'{code} / no rules']:.2f}x")
    print(f"  after / before, regex rule: p50 "
          f"{p50['after / regex rule'] / p50['before / regex rule']:.2f}x, throughput "
          f"{tput['after / regex rule'] / tput['before / regex rule']:.2f}x")


if __name__ == "__main__":
    main()
