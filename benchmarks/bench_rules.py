"""What rules cost per request: round-trip latency of a mock GET under different rule
setups, against the same server without rules, in one run.

    python benchmarks/bench_rules.py [--rounds 7] [--requests 2000]

Each setup is a `mockamocha serve --memory --no-record` subprocess on 127.0.0.1 serving
the pet store: no rules (the spec's example answers), one static rule, 50 rules whose
conditions (regexes, numeric and one_of conditions on query and headers) miss before one
that fits, a JSON template rule, and stateful mode. Each round measures every setup in
rotating order with N sequential GETs on one kept-alive http.client connection after a
warm-up; the medians over the rounds of each p50 and p99 are printed, with the p50 ratio
to the no-rules baseline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import tempfile
from pathlib import Path

import yaml
from _loopback import latencies, start_serve

PATH = "/mocks/petstore/pets/1?limit=5"
PET = {"id": 1, "name": "Rex"}


def rule_files(folder: Path) -> dict[str, list[str]]:
    """The extra serve arguments of each setup (rule files written into ``folder``)."""

    def write(name: str, rules: list[dict[str, object]]) -> list[str]:
        path = folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"version": 1, "rules": rules}))
        return ["--rules", str(path)]

    missing = [
        {
            "operation": "getPet",
            "match": {
                "query": {"limit": {"gte": 100 + i}},
                "headers": {"X-Tenant": {"regex": f"^tenant-{i}$"}},
                "any_of": [{"query": {"status": {"one_of": ["sold", "pending"]}}}],
            },
            "response": {"json": PET},
        }
        for i in range(50)
    ]
    fits = {"operation": "getPet", "match": {"path": {"petId": 1}}, "response": {"json": PET}}
    template = {
        "operation": "getPet",
        "response": {
            "template": {"id": "{{ request.path.petId | int }}", "name": "{{ fake('first_name') }}"}
        },
    }
    return {
        "no rules": [],
        "1 static rule": write("static", [fits]),
        "50 missing + 1": write("many", [fits, *missing]),  # newest first: the 50 are tried first
        "template rule": write("template", [template]),
        "stateful": ["--stateful", "petstore"],
    }


def path_for(name: str, port: int) -> str:
    """The GET to time: stateful mode reads a pet it was just given (seeded ids vary)."""
    if name != "stateful":
        return PATH
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        "/mocks/petstore/pets",
        json.dumps({"name": "Rex"}),
        {"Content-Type": "application/json"},
    )
    made = json.loads(conn.getresponse().read())
    conn.close()
    return f"/mocks/petstore/pets/{made['id']}?limit=5"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setups = rule_files(Path(tmp))
        names = list(setups)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        servers = {name: start_serve(["--no-record", *setups[name]], tmp) for name in names}
        paths = {name: path_for(name, port) for name, (_, port) in servers.items()}
        try:
            for r in range(args.rounds):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    lat = latencies(servers[name][1], paths[name], args.requests)
                    results[name].append(
                        (lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000)
                    )
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(10)
    med = {
        name: (statistics.median(p for p, _ in v), statistics.median(q for _, q in v))
        for name, v in results.items()
    }
    base = med["no rules"][0]
    print(f"GET {PATH}, {args.requests} sequential keep-alive requests x {args.rounds} rounds")
    for name in names:
        p50, p99 = med[name]
        print(
            f"  {name:16s} p50 {p50:.3f} ms   p99 {p99:.3f} ms   p50 vs no rules {p50 / base:.2f}x"
        )


if __name__ == "__main__":
    main()
