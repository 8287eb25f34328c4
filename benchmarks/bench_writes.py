"""What a create and an import cost in-process on a SQLite team server: the WSGI app called
directly (no socket, no waitress), so a change of a few percent shows where
``bench_storage.py``'s HTTP p50s, which move by 2x with the machine's load, hide it.

    python benchmarks/bench_writes.py [--sizes 100,10000] [--reps 300] [--profile create|import]

For each size N, a server is assembled as ``mockamocha serve --db sqlite:///...`` assembles
it, over a store grown to N collections of bench_storage's 10-operation document (written
as the API writes them); then ``--reps`` creates (``POST /api/collections``) and as many
imports of that document into them. Per call: p50 wall and CPU time (ms), and the pages
its commit appended to the WAL (mean; read from the WAL index, outside the timed part).
Compare versions by running it alternately on each checkout (``PYTHONPATH=CHECKOUT``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_app import environ
from bench_storage import ADMIN, WalPages, document, grow

from pytest_mockamocha.server.assembly import assemble
from pytest_mockamocha.server.config import ServerConfig

Call = Callable[[str, str, bytes], Any]


def server(folder: Path, n: int) -> tuple[Any, Call, Path]:
    """A team server over a SQLite store of ``n`` collections; a call of its WSGI app as
    the administrator (the answer's data), and the store's file."""
    db = folder / "db.sqlite"
    url = f"sqlite:///{db}"
    config = ServerConfig(
        db=url,
        keep_documents=True,
        private=True,
        admin=ADMIN,
        cache_dir=folder / "cache",
        compiled=64,  # collections compiled on first use, as serve's default does
    )
    assemble(config).close()  # the store and its administrator
    grow(url, n, document())
    built = assemble(config)
    app = built.server.app
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    auth: dict[str, str] = {}

    def call(method: str, path: str, body: bytes) -> Any:
        env = environ(method, path, body)
        env.update(auth)
        answer = b"".join(app(env, start_response))
        if not statuses[-1].startswith("2"):
            raise SystemExit(f"{method} {path} answered {statuses[-1]}: {answer[:200]!r}")
        return json.loads(answer)["data"]

    login = json.dumps({"email": ADMIN[0], "password": ADMIN[1]}).encode()
    token = call("POST", "/api/auth/login", login)["access_token"]
    auth["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return built, call, db


def measure(n: int, reps: int, profile: str | None) -> dict[str, Any]:
    """Creates then imports at ``n`` collections: p50 wall and CPU (ms), WAL pages."""
    with tempfile.TemporaryDirectory(prefix="mm-writes-") as tmp:
        built, call, db = server(Path(tmp), n)
        text = json.dumps(document()).encode()
        made: list[str] = []

        def create() -> None:
            body = json.dumps({"name": f"bench {len(made)}"}).encode()
            made.append(call("POST", "/api/collections", body)["id"])

        targets = iter(made)

        def import_() -> None:
            call("POST", f"/api/collections/{next(targets)}/import", text)

        for _ in range(20):  # warm: statements compiled, caches filled
            create()
        for _ in range(20):
            import_()
        row: dict[str, Any] = {"n": n}
        profiler = cProfile.Profile() if profile else None
        try:
            for name, action in (("create", create), ("import", import_)):
                walls, cpus = [], []
                counted = WalPages(db)
                if profiler is not None and profile == name:
                    profiler.enable()
                for _ in range(reps):
                    counted.before()
                    cpu, began = time.process_time(), time.perf_counter()
                    action()
                    walls.append(time.perf_counter() - began)
                    cpus.append(time.process_time() - cpu)
                    counted.after()
                if profiler is not None and profile == name:
                    profiler.disable()
                row[f"{name}_ms"] = round(statistics.median(walls) * 1000, 3)
                row[f"{name}_cpu_ms"] = round(statistics.median(cpus) * 1000, 3)
                row[f"{name}_pages"] = counted.mean()
        finally:
            built.close()
        if profiler is not None:
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,10000")
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--profile", choices=("create", "import"))
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(measure(n, args.reps, args.profile)), flush=True)


if __name__ == "__main__":
    main()
