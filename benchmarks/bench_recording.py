"""Round-trip latency of a mock GET with request recording on versus off, in one run.

    python benchmarks/bench_recording.py [--rounds 7] [--requests 2000]

Two `mockamocha serve --memory` subprocesses on 127.0.0.1 (one with --no-record) serve
the pet store; each round measures both, in alternating order, with N sequential GETs on
one kept-alive http.client connection after a warm-up. Prints the median p50 and p99 of
each over the rounds and the p50 ratio (target: under 5% apart).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PETSTORE = ROOT / "tests" / "data" / "specs" / "petstore.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(record: bool, cache: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    argv = [sys.executable, "-m", "pytest_mockamocha.cli", "serve", "--memory", "--port",
            str(port), "--spec", f"petstore={PETSTORE}"]
    if not record:
        argv.append("--no-record")
    env = {**os.environ, "MOCKAMOCHA_CACHE_DIR": cache}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            conn.getresponse().read()
            return proc, port
        except OSError:
            time.sleep(0.02)
    proc.kill()
    raise RuntimeError("server did not start")


def latencies(port: int, n: int, warmup: int = 300) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    for i in range(warmup + n):
        began = time.perf_counter()
        conn.request("GET", "/mocks/petstore/pets/1")
        response = conn.getresponse()
        response.read()
        if i >= warmup:
            out.append(time.perf_counter() - began)
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
    conn.close()
    out.sort()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as cache:
        servers = {"on": start(True, cache), "off": start(False, cache)}
        try:
            for r in range(args.rounds):
                order = ("on", "off") if r % 2 == 0 else ("off", "on")
                for name in order:
                    lat = latencies(servers[name][1], args.requests)
                    p50 = lat[len(lat) // 2] * 1000
                    p99 = lat[int(len(lat) * 0.99)] * 1000
                    results[name].append((p50, p99))
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(10)
    med = {k: (statistics.median(p for p, _ in v), statistics.median(q for _, q in v))
           for k, v in results.items()}
    print(f"GET /pets/1, {args.requests} sequential keep-alive requests x {args.rounds} rounds")
    for name in ("on", "off"):
        print(f"  recording {name:3s}: p50 {med[name][0]:.3f} ms   p99 {med[name][1]:.3f} ms")
    ratio = med["on"][0] / med["off"][0]
    print(f"  p50 on/off: {ratio:.3f}x ({(ratio - 1) * 100:+.1f}%)   [target: within 5%]")


if __name__ == "__main__":
    main()
