"""What our own code costs per request, without the HTTP server around it.

    python benchmarks/bench_app.py [--requests 20000] [--rounds 5]

The pet store is assembled as ``mockamocha serve --memory`` assembles it, and the WSGI app
is called in-process with a fixed environ (``GET /mocks/petstore/pets/1``, answered from
its example, and ``POST /pets``, validated and generated). A bare WSGI app answering a
fixed JSON is timed in the same rounds as the floor of calling any app. Medians of
``--rounds`` interleaved rounds, microseconds per request. Compare with ``cpu/req`` of
``bench_server.py``: the difference is what the server (waitress) spends per request.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from _loopback import PETSTORE

from pytest_mockamocha.server.assembly import assemble
from pytest_mockamocha.server.config import Document, ServerConfig

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
BODY = b'{"name": "Rex"}'


def environ(method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    """A WSGI environ as waitress builds it for a small kept-alive request."""
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "*/*",
        "HTTP_ACCEPT_ENCODING": "identity",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    env["wsgi.input"] = io.BytesIO(body)
    return env


def bare(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The floor: a WSGI app that answers a fixed JSON."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "24")])
    return [b'{"id": 1, "name": "Rex"}']


def per_request_us(app: App, method: str, path: str, count: int) -> float:
    """Microseconds per call of ``app``, its answer read whole."""
    body = BODY if method == "POST" else b""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    began = time.perf_counter()
    for _ in range(count):
        b"".join(app(environ(method, path, body), start_response))
    spent = time.perf_counter() - began
    if not statuses[-1].startswith("20"):
        raise SystemExit(f"{method} {path} answered {statuses[-1]}")
    return spent / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        config = ServerConfig(
            documents=(Document(PETSTORE, slug="petstore"),), cache_dir=Path(cache)
        )
        built = assemble(config)
        try:
            ours = built.server.app
            rows: dict[str, list[float]] = {"ours GET": [], "ours POST": [], "bare app": []}
            cases: list[tuple[str, App, str, str]] = [
                ("ours GET", ours, "GET", "/mocks/petstore/pets/1"),
                ("ours POST", ours, "POST", "/mocks/petstore/pets"),
                ("bare app", bare, "GET", "/pets/1"),
            ]
            for _name, app, method, path in cases:  # warm-up: caches, first compiles
                per_request_us(app, method, path, 500)
            for round_no in range(args.rounds):
                order = cases if round_no % 2 == 0 else cases[::-1]
                for name, app, method, path in order:
                    rows[name].append(per_request_us(app, method, path, args.requests))
        finally:
            built.close()
    print(f"WSGI app called in-process, medians of {args.rounds} rounds (us per request)")
    for name, values in rows.items():
        print(f"  {name:<10} {statistics.median(values):8.1f}   (max {max(values):.1f})")


if __name__ == "__main__":
    main()
