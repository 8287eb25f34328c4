"""Round-trip latency of a mock GET with request recording on versus off, in one run.

    python benchmarks/bench_recording.py [--rounds 7] [--requests 2000]

Two `mockamocha serve --memory` subprocesses on 127.0.0.1 (one with --no-record) serve
the pet store; each round measures both, in alternating order, with N sequential GETs on
one kept-alive http.client connection after a warm-up. Prints the median p50 and p99 of
each over the rounds and the p50 ratio (target: under 5% apart).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile

from _loopback import latencies, start_serve

PATH = "/mocks/petstore/pets/1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as cache:
        servers = {"on": start_serve([], cache), "off": start_serve(["--no-record"], cache)}
        try:
            for r in range(args.rounds):
                order = ("on", "off") if r % 2 == 0 else ("off", "on")
                for name in order:
                    lat = latencies(servers[name][1], PATH, args.requests)
                    p50 = lat[len(lat) // 2] * 1000
                    p99 = lat[int(len(lat) * 0.99)] * 1000
                    results[name].append((p50, p99))
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(10)
    med = {
        k: (statistics.median(p for p, _ in v), statistics.median(q for _, q in v))
        for k, v in results.items()
    }
    print(f"GET /pets/1, {args.requests} sequential keep-alive requests x {args.rounds} rounds")
    for name in ("on", "off"):
        print(f"  recording {name:3s}: p50 {med[name][0]:.3f} ms   p99 {med[name][1]:.3f} ms")
    ratio = med["on"][0] / med["off"][0]
    print(f"  p50 on/off: {ratio:.3f}x ({(ratio - 1) * 100:+.1f}%)   [target: within 5%]")


if __name__ == "__main__":
    main()
