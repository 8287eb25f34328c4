"""What the serve-based benchmarks share: a `mockamocha serve` subprocess on 127.0.0.1
and sequential round trips on one kept-alive connection."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PETSTORE = ROOT / "tests" / "data" / "specs" / "petstore.yaml"


def free_port() -> int:
    """A port on 127.0.0.1 that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(extra: list[str], cache: str) -> tuple[subprocess.Popen[bytes], int]:
    """`mockamocha serve --memory` of the pet store plus ``extra`` args, once healthy."""
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "pytest_mockamocha.cli",
        "serve",
        "--memory",
        "--port",
        str(port),
        "--spec",
        f"petstore={PETSTORE}",
        *extra,
    ]
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
    raise RuntimeError(f"server did not start: {' '.join(extra)}")


def latencies(port: int, path: str, n: int, warmup: int = 300) -> list[float]:
    """Sorted seconds of ``n`` sequential GETs of ``path`` (after ``warmup``); each must
    answer 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    for i in range(warmup + n):
        began = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if i >= warmup:
            out.append(time.perf_counter() - began)
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
    conn.close()
    out.sort()
    return out
