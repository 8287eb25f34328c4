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


def start_serve(
    extra: list[str], cache: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """`mockamocha serve --memory` of the pet store plus ``extra`` args, once healthy
    (``env``: more environment, e.g. a ``PYTHONPATH`` that runs another version's code)."""
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
    full = {**os.environ, "MOCKAMOCHA_CACHE_DIR": cache, **(env or {})}
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=full)
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


def latencies(
    port: int, path: str, n: int, warmup: int = 300, headers: dict[str, str] | None = None
) -> list[float]:
    """Sorted seconds of ``n`` sequential GETs of ``path`` (after ``warmup``); each must
    answer 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    out = []
    for i in range(warmup + n):
        began = time.perf_counter()
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        if i >= warmup:
            out.append(time.perf_counter() - began)
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
    conn.close()
    out.sort()
    return out


def package_at(ref: str, into: Path) -> dict[str, str]:
    """The package as it was at git ``ref``, extracted under ``into``; the environment
    (``PYTHONPATH``) that makes a `serve` subprocess run that code."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", ref, "pytest_mockamocha"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    paths = (str(into), os.environ.get("PYTHONPATH"))
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def throughput(
    port: int, path: str, seconds: float, connections: int, headers: dict[str, str] | None = None
) -> float:
    """Requests per second answered 200 over ``connections`` kept-alive connections, each
    sending sequentially for ``seconds``."""
    import threading

    counts = [0] * connections
    deadline = time.monotonic() + seconds

    def run(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"unexpected status {response.status}")
            counts[slot] += 1
        conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - began)
