"""Start-up: from launching a server to its first answered request, against baselines, in one run.

    python benchmarks/bench_startup.py [--rounds 7] [--prism PATH] [--document PATH]

Rows, each a fresh subprocess on 127.0.0.1 per round, timed from ``Popen`` to the first
``200`` of a GET (polled every 3 ms):

* ``ours <doc> warm``: ``mockamocha serve --memory`` with the compiled-document cache
  filled (every start after the first); ``cold``: with an empty cache folder.
* ``pytest-httpserver``: its ``HTTPServer`` serving one fixed JSON (what a hand-built
  fixture server costs).
* ``werkzeug + waitress``: a werkzeug ``Request``/``Response`` app on waitress serving the
  same JSON, none of our code: the floor under any server built on the two (as ours is).
* ``prism <doc>``: Stoplight Prism's ``prism mock`` (with ``--prism``).

Documents: the pet store (8 operations), a generated 22-operation API, and with
``--document`` a large real one (GitHub's 1,223-operation ``api.github.com.json`` from npm's
``@octokit/openapi``), which is served at ``GET /`` (its first path). Then two pytest
sessions of the same two trivial tests are timed, with ``--mockamocha-spec`` and with the
plugin disabled (``-p no:mockamocha``), alone and with ``-n 2``, and the same two tests
each calling the mock (so the session, or each xdist worker, starts its server). A pytest
session here varies by more than the plugin costs (a ``-n 2`` one takes 6.4-8 s on two
cores), so each process's server is also timed from inside it: from ``pytest_configure``
(before the plugin's, which assembles the server) to the end of the session fixtures (one
of which starts the server), with the plugin and without it, alone and for the slower of
two xdist workers; the difference, per round, is what the plugin adds before its server
answers. Those sessions load no plugin but xdist's and ours (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``):
the other plugins of an environment take more time than ours, and vary more. Last,
where the time goes: a Python process that imports nothing, only werkzeug, pytest-httpserver,
or what ``serve`` imports before its first answer, each timed from ``Popen`` to exit. Rounds
rotate the order; medians are printed. Nothing passes or fails here: the figures go to
docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from _loopback import PETSTORE, ROOT, free_port

GENERATE_LARGE = ROOT / "tests" / "data" / "specs" / "large" / "generate_large.py"
HTTPSERVER = """
import sys, threading
from pytest_httpserver import HTTPServer
server = HTTPServer(host="127.0.0.1", port=int(sys.argv[1]))
server.expect_request("/pets/1").respond_with_json({"id": 1, "name": "Rex"})
server.start()
threading.Event().wait()
"""
#: the stack ours is built on, with none of our code: werkzeug's Request and Response served
#: by waitress, answering one fixed JSON (the floor of any server made of these two)
STACK_FLOOR = """
import sys
import waitress
from werkzeug.wrappers import Request, Response

@Request.application
def app(request):
    return Response('{"id": 1, "name": "Rex"}', content_type="application/json")

waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), _quiet=True)
"""
#: the generated API asks for a bearer token; the other servers ignore it
AUTH = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.YmVuY2g"}
TRIVIAL_SUITE = """
def test_one():
    assert 1 + 1 == 2

def test_two():
    assert "mock".upper() == "MOCK"
"""
#: the same two tests, each calling the session's mock (each xdist worker starts a server)
SERVER_SUITE = """
import urllib.request

def test_one(mockamocha_server):
    assert urllib.request.urlopen(mockamocha_server.url_for("petstore", "/pets/1")).status == 200

def test_two(mockamocha_server):
    assert urllib.request.urlopen(mockamocha_server.url_for("petstore", "/pets/2")).status == 200
"""

#: beside TRIVIAL_SUITE: each process (an xdist worker, or the session alone) writes the
#: time from pytest_configure (before the plugin's, which assembles the server from
#: --mockamocha-spec) to its session fixtures' end, which start the server when the plugin
#: is on; the same without the plugin is what pytest and its other plugins take meanwhile
READY_CONFTEST = """
import json, os, time
import pytest

_began = []

@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    _began.append(time.perf_counter())

@pytest.fixture(scope="session", autouse=True)
def _ready(request):
    try:
        request.getfixturevalue("mockamocha_server")
    except pytest.FixtureLookupError:  # without the plugin
        pass
    spent = time.perf_counter() - _began[0]
    name = os.environ.get("PYTEST_XDIST_WORKER", "alone")
    with open(os.path.join(os.environ["READY_DIR"], name + ".json"), "w") as f:
        json.dump(spent, f)
"""


@dataclass
class Row:
    """One way of starting a server: its argv (given a port and a folder) and what to GET."""

    name: str
    argv: Callable[[int, Path], list[str]]
    path: str
    env: Callable[[Path], dict[str, str]] | None = None
    prepare: Callable[[Path], None] | None = None


def first_answer(argv: list[str], port: int, path: str, env: dict[str, str]) -> float:
    """Seconds from Popen to the first 200 of ``GET path``; the process is then stopped."""
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = began + 120
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"exited with {proc.returncode}: {' '.join(argv)}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", path, headers=AUTH)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return time.perf_counter() - began
            except OSError:
                pass
            time.sleep(0.003)
        raise RuntimeError(f"no answer within 120 s: {' '.join(argv)}")
    finally:
        proc.kill()
        proc.wait(10)


def serve(spec: Path, slug: str) -> Callable[[int, Path], list[str]]:
    def argv(port: int, folder: Path) -> list[str]:
        return [sys.executable, "-m", "pytest_mockamocha.cli", "serve", "--memory",
                "--port", str(port), "--spec", f"{slug}={spec}"]

    return argv


def cache_env(warm: bool) -> Callable[[Path], dict[str, str]]:
    def env(folder: Path) -> dict[str, str]:
        cache = folder / ("warm-cache" if warm else f"cold-{time.perf_counter_ns()}")
        return {"MOCKAMOCHA_CACHE_DIR": str(cache)}

    return env


def first_get(document: Path) -> str:
    """A GET of the document without path parameters (its first such path)."""
    doc = json.loads(document.read_text())
    for path, item in doc.get("paths", {}).items():
        if "{" not in path and isinstance(item, dict) and "get" in item:
            return path
    raise SystemExit(f"{document} has no GET without path parameters")


def rows(folder: Path, prism: str | None, document: Path | None) -> list[Row]:
    small = folder / "small.json"
    module_spec = importlib.util.spec_from_file_location("generate_large", GENERATE_LARGE)
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    small.write_text(json.dumps(module.build(4)))
    small_get = first_get(small)
    pets = serve(PETSTORE, "p")
    out = [
        Row("ours petstore (8 ops) warm", pets, "/mocks/p/pets/1", cache_env(True)),
        Row("ours petstore (8 ops) cold", pets, "/mocks/p/pets/1", cache_env(False)),
        Row("ours 22 ops warm", serve(small, "s"), f"/mocks/s{small_get}", cache_env(True)),
        Row("pytest-httpserver (fixed JSON)",
            lambda port, _: [sys.executable, "-c", HTTPSERVER, str(port)], "/pets/1"),
        Row("werkzeug + waitress (fixed JSON)",
            lambda port, _: [sys.executable, "-c", STACK_FLOOR, str(port)], "/pets/1"),
    ]
    if prism:
        out.append(Row("prism petstore (8 ops)",
                       lambda port, _: [prism, "mock", str(PETSTORE), "-p", str(port)], "/pets/1"))
    if document is not None:
        get = first_get(document)
        label = f"{document.stem} ({len(json.loads(document.read_text())['paths'])} paths)"
        out += [
            Row(f"ours {label} warm", serve(document, "d"), f"/mocks/d{get}", cache_env(True)),
            Row(f"ours {label} cold", serve(document, "d"), f"/mocks/d{get}", cache_env(False)),
        ]
        if prism:
            out.append(Row(f"prism {label}",
                           lambda port, _: [prism, "mock", str(document), "-p", str(port)], get))
    return out


#: processes that only import, from Popen to exit: where a start's time goes
IMPORTS = {
    "python, importing nothing": "pass",
    "python importing werkzeug": "import werkzeug",
    "python importing pytest-httpserver": "from pytest_httpserver import HTTPServer",
    "python importing what serve needs": (
        "import pytest_mockamocha.cli.main, pytest_mockamocha.server.assembly"
    ),
}


def import_time(code: str) -> float:
    """Seconds from ``Popen`` to the exit of a Python process running ``code``."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
    return time.perf_counter() - began


def pytest_session(folder: Path, plugin: bool, workers: int) -> float:
    """Seconds of one pytest run of the suite in ``folder``."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]
    argv += [f"--mockamocha-spec={PETSTORE}"] if plugin else ["-p", "no:mockamocha"]
    if workers:
        argv += ["-n", str(workers)]
    began = time.perf_counter()
    subprocess.run(argv, cwd=folder, capture_output=True, check=True, timeout=300)
    return time.perf_counter() - began


def servers_ready(folder: Path, plugin: bool, workers: int, scratch: Path) -> float:
    """The slowest process's READY_CONFTEST time in one run of the suite in ``folder``, with
    no plugin but xdist's and (``plugin``) ours loaded: the environment's other plugins
    (this one has Faker's, schemathesis', anyio's...) take longer than ours and vary more."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]
    if plugin:
        argv += ["-p", "pytest_mockamocha.plugin", f"--mockamocha-spec={PETSTORE}"]
    if workers:
        argv += ["-p", "xdist.plugin", "-n", str(workers)]
    env = {**os.environ, "READY_DIR": str(scratch), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    subprocess.run(argv, cwd=folder, capture_output=True, check=True, timeout=300, env=env)
    found = [json.loads(p.read_text()) for p in sorted(scratch.glob("*.json"))]
    assert len(found) == max(workers, 1), found
    return max(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--prism", default=shutil.which("prism"))
    parser.add_argument("--document", type=Path, help="a large JSON document to start on")
    args = parser.parse_args()
    # what users run: compiled modules (an environment with PYTHONDONTWRITEBYTECODE set
    # would otherwise compile the package from source in every process, ~0.2 s each)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "pytest_mockamocha")],
                   check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        table = rows(folder, args.prism, args.document)
        env = {**os.environ}
        for row in table:  # fill the warm caches once
            if "warm" in row.name and row.env is not None:
                port = free_port()
                first_answer(row.argv(port, folder), port, row.path, {**env, **row.env(folder)})
        times: dict[str, list[float]] = {row.name: [] for row in table}
        for r in range(args.rounds):
            for row in table[r % len(table):] + table[: r % len(table)]:
                port = free_port()
                extra = row.env(folder) if row.env else {}
                times[row.name].append(first_answer(row.argv(port, folder), port, row.path,
                                                    {**env, **extra}))
        suite, calling, timed = folder / "suite", folder / "calling", folder / "timed"
        suites = ((suite, TRIVIAL_SUITE), (calling, SERVER_SUITE), (timed, TRIVIAL_SUITE))
        for where, text in suites:
            where.mkdir()
            (where / "test_suite.py").write_text(text)
            (where / "conftest.py").write_text(READY_CONFTEST if where == timed else "")
        sessions: dict[str, list[float]] = {}
        ready: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for workers in (0, 2):
                label = "alone" if not workers else "slower of 2 xdist workers"
                with_it, without = (
                    servers_ready(timed, plugin, workers, folder / "ready")
                    for plugin in (True, False)
                )
                ready.setdefault(f"{label}, with the plugin", []).append(with_it)
                ready.setdefault(f"{label}, without it", []).append(without)
                ready.setdefault(f"{label}, the plugin's share", []).append(with_it - without)
            for plugin in (True, False):
                for workers in (0, 2):
                    name = f"pytest {'with' if plugin else 'without'} the plugin" + (
                        f", -n {workers}" if workers else "")
                    sessions.setdefault(name, []).append(pytest_session(suite, plugin, workers))
                    if plugin:  # the same tests calling the mock: each session starts it
                        name = name.replace("the plugin", "the plugin, calling the mock")
                        sessions.setdefault(name, []).append(
                            pytest_session(calling, plugin, workers)
                        )
    imports: dict[str, list[float]] = {name: [] for name in IMPORTS}
    for r in range(args.rounds):
        names = list(IMPORTS)
        for name in names[r % len(names):] + names[: r % len(names)]:
            imports[name].append(import_time(IMPORTS[name]))
    med = {name: statistics.median(v) for name, v in times.items()}
    print(f"start to first answered request, medians of {args.rounds} rounds (s)")
    base = med["pytest-httpserver (fixed JSON)"]
    prism_base = med.get("prism petstore (8 ops)")
    for name, value in med.items():
        ratios = f"  {value / base:5.2f}x pytest-httpserver"
        if prism_base:
            ratios += f"  {value / prism_base:5.2f}x prism petstore"
        print(f"  {name:44s} {value:7.3f}{ratios}  (max {max(times[name]):.3f})")
    print("pytest sessions of two trivial tests, medians (s)")
    smed = {name: statistics.median(v) for name, v in sessions.items()}
    for name, value in smed.items():
        print(f"  {name:44s} {value:7.3f}")
    for workers in ("", ", -n 2"):
        without = smed[f"pytest without the plugin{workers}"]
        extra = smed[f"pytest with the plugin{workers}"] - without
        print(f"  the plugin costs{workers or ''}: {extra:+.3f} s")
        serving = smed[f"pytest with the plugin, calling the mock{workers}"] - without
        print(f"  the plugin and its server, tests calling the mock{workers}: {serving:+.3f} s")
    print("pytest_configure to the end of the session fixtures (the server running), per "
          "process, medians (s)")
    for label, values in ready.items():
        print(f"  {label:44s} {statistics.median(values):7.3f}  (max {max(values):.3f})")
    print("processes that only import, Popen to exit, medians (s)")
    for name, values in imports.items():
        print(f"  {name:44s} {statistics.median(values):7.3f}")


if __name__ == "__main__":
    main()
