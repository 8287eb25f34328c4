"""Serve one spec with pytest-mockamocha until killed (fallback for ``mockamocha serve``).

Used by ``bench_server.py`` while the ``mockamocha serve`` command does not exist yet:

    python benchmarks/_serve_ours.py --spec petstore=PATH --port PORT [--kind waitress|werkzeug]
"""

from __future__ import annotations

import argparse
import threading

from pytest_mockamocha.engine import Engine
from pytest_mockamocha.server import MockServerApp, ServerThread
from pytest_mockamocha.spec.loader import load_spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="SLUG=PATH")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kind", default="waitress", choices=("waitress", "werkzeug"))
    args = parser.parse_args()
    slug, _, path = args.spec.partition("=")
    engine = Engine()
    engine.add(load_spec(path), slug=slug)
    ServerThread(MockServerApp(engine), host=args.host, port=args.port, kind=args.kind).start()
    threading.Event().wait()  # serve until the benchmark kills the process


if __name__ == "__main__":
    main()
