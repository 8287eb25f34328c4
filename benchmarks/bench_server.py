"""Benchmark pytest-mockamocha's mock server against pytest-httpserver, bare werkzeug and Prism.

One command, one machine, one run:

    python benchmarks/bench_server.py [--quick] [--out results.json] [--prism PATH]

Every server runs in its own subprocess (so CPU time and RSS are its own) and all load goes
to 127.0.0.1, bounded in count and time. Two operations are measured on each server:

* GET  /pets/{petId}  (a mocked example), and
* POST /pets with ``{"name": "Rex"}`` (validated against the request schema by our server).

Method: the servers are measured round-robin (each round spawns every server afresh, in a
rotated order) and the medians over the rounds are reported. Each round measures start-up
time to the first 200, idle RSS, warms up, then measures sequential keep-alive latency with
``http.client`` and ``requests.Session``, server CPU per request, and throughput with 16
concurrent keep-alive connections. A final phase sends N requests (100,000; fewer with
``--quick``) to one fresh process per server and samples its RSS to show whether memory
stays flat. The targets are printed next to the ratios; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PETSTORE = REPO / "tests" / "data" / "specs" / "petstore.yaml"
GENERATE_LARGE = REPO / "tests" / "data" / "specs" / "large" / "generate_large.py"
DEFAULT_OUT = HERE / "results" / "latest.json"

POST_JSON = {"name": "Rex"}
POST_BODY = json.dumps(POST_JSON).encode()
LARGE_POST_BODY = json.dumps({"body": "Rex"}).encode()
#: The 1,000+-operation document asks for a bearer token (any JWT-shaped one).
BENCH_JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaCJ9.YmVuY2g"
#: What the baselines send if our server cannot be asked (the petstore's ``dog`` example).
FALLBACK_PET = {"id": 1, "name": "Rex", "tag": "dog", "status": "available",
                "created_at": "2024-03-01T10:15:00Z"}
CLK_TCK = os.sysconf("SC_CLK_TCK")

#: Where our server keeps verdicts of its structural spec check (by content hash).
CACHE_ENV = "MOCKAMOCHA_CACHE_DIR"

#: The main row ("ours") that the ratios and targets talk about.
OURS = "ours-waitress"

#: the start-up and hot-path issue's figures (start-up itself: bench_startup.py)
TARGETS = {
    "startup_small_s": 0.3,
    "startup_large_warm_s": 0.3,
    "startup_large_cold_s": 1.0,
    "p50_vs_httpserver": 0.8,
    "p50_vs_prism": 0.5,
    "throughput_vs_prism": 2.0,
    "throughput_vs_httpserver": 1.2,
    "idle_rss_mb": 40.0,
}


@dataclass(frozen=True)
class Profile:
    """How much to measure."""

    rounds: int
    warmup: int  # requests per operation before measuring
    latency_n: int  # sequential requests per operation and client, per round
    throughput_s: float  # seconds per operation, per round
    throughput_cap: int  # requests per operation, per round (upper bound)
    connections: int
    memory_n: int  # requests in the memory phase, per server
    memory_cap_s: float  # time bound of the memory phase for our server
    memory_cap_baseline_s: float  # time bound of the memory phase for each baseline
    startup_timeout_s: float


FULL = Profile(rounds=5, warmup=300, latency_n=500, throughput_s=1.5, throughput_cap=100_000,
               connections=16, memory_n=100_000, memory_cap_s=120.0,
               memory_cap_baseline_s=30.0, startup_timeout_s=60.0)
QUICK = Profile(rounds=3, warmup=30, latency_n=120, throughput_s=0.5, throughput_cap=20_000,
                connections=16, memory_n=5_000, memory_cap_s=6.0, memory_cap_baseline_s=3.0,
                startup_timeout_s=30.0)


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------
@dataclass
class Target:
    """One server to measure: how to start it and which two URLs to call."""

    name: str
    label: str
    argv: Callable[[int], list[str]]
    get_path: str
    post_path: str
    get_status: int = 200
    post_status: int = 201
    memory_phase: bool = True
    launcher: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    post_body: bytes = POST_BODY
    #: also time a start with an empty spec-check cache (our server only)
    cold_start: bool = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli_serve() -> tuple[list[str], set[str]] | None:
    """How to run ``mockamocha serve`` (and its option names), or None if it does not exist."""
    try:
        if importlib.util.find_spec("pytest_mockamocha.cli") is None:
            return None
        import pytest_mockamocha.cli as cli
    except Exception:
        return None
    group = next((g for g in (getattr(cli, "cli", None), getattr(cli, "main", None))
                  if getattr(g, "commands", None)), None)
    commands = getattr(group, "commands", None)
    if not commands or "serve" not in commands:
        return None
    options: set[str] = set()
    for param in getattr(commands["serve"], "params", []):
        options.update(getattr(param, "opts", []))
        choices = getattr(getattr(param, "type", None), "choices", None) or ()
        if "werkzeug" in choices:
            options.update(f"{opt}=werkzeug" for opt in getattr(param, "opts", []))
    if "--spec" not in options or "--port" not in options:
        return None
    script = Path(sys.executable).with_name("mockamocha")
    if script.exists():
        return [str(script)], options
    if importlib.util.find_spec("pytest_mockamocha.cli.__main__") is not None:
        return [sys.executable, "-m", "pytest_mockamocha.cli"], options
    return [sys.executable, "-c", "import sys; from pytest_mockamocha.cli import main; "
            "sys.argv[0] = 'mockamocha'; sys.exit(main())"], options


def ours_argv(spec_arg: str, kind: str) -> tuple[Callable[[int], list[str]], str]:
    """The command line that starts our server: the CLI if it is there, else _serve_ours.py."""
    cli = _cli_serve()
    if cli is not None:
        prefix, options = cli
        kind_opt = next((o.split("=")[0] for o in sorted(options) if o.endswith("=werkzeug")),
                        None)
        if kind == "waitress" or kind_opt is not None:
            extra = ["--memory"] if "--memory" in options else []
            if kind != "waitress" and kind_opt is not None:
                extra += [kind_opt, kind]
            return (lambda port: [*prefix, "serve", "--spec", spec_arg, "--port", str(port),
                                  *extra]), "mockamocha serve"
    script = str(HERE / "_serve_ours.py")
    return (lambda port: [sys.executable, script, "--spec", spec_arg, "--port", str(port),
                          "--kind", kind]), "benchmarks/_serve_ours.py"


def find_prism(explicit: str | None) -> str | None:
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    return shutil.which("prism")


def large_spec(tmp: Path) -> tuple[Path, str, str, int]:
    """Write the 1,000+-operation document; return it, a GET and a POST path, #operations.

    The operations called are the first ``comments`` sub-collection under an integer id:
    ``GET .../{id}/comments`` and ``POST .../{id}/comments`` with ``{"body": "Rex"}``.
    """
    spec = importlib.util.spec_from_file_location("generate_large", GENERATE_LARGE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = module.build()
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    n_ops = sum(1 for item in doc["paths"].values() for m in item if m in methods)
    path = next(p for p, item in doc["paths"].items()
                if p.endswith("}/comments") and "post" in item
                and item["parameters"][0]["schema"].get("type") == "integer")
    concrete = path[:path.index("{")] + "1" + path[path.index("}") + 1:]
    out = tmp / "large.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out, concrete, concrete, n_ops


# ---------------------------------------------------------------------------------------------
# Process accounting (/proc)
# ---------------------------------------------------------------------------------------------
def _proc_tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLK_TCK


def memory_kb(pids: list[int]) -> tuple[int, int]:
    """(RSS, peak RSS) in KiB, summed over ``pids``."""
    rss = hwm = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        except OSError:
            continue
    return rss, hwm


def system_busy_s() -> float:
    """CPU seconds all processes of the machine spent busy since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK


def own_cpu_s() -> float:
    """CPU seconds of this process and its reaped children (the servers it stopped)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Running:
    """A spawned server process."""

    def __init__(self, target: Target, profile: Profile, logdir: Path,
                 env: dict[str, str] | None = None):
        self.target = target
        self.port = free_port()
        self.log_path = logdir / f"{target.name}-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        argv = target.argv(self.port)
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     cwd=REPO, env={**os.environ, **(env or {})})
        try:
            self.startup_s = self._wait_ready(profile.startup_timeout_s)
        except BaseException:
            self.stop()
            raise
        self.pids = _proc_tree(self.proc.pid)

    def _wait_ready(self, timeout: float) -> float:
        deadline = self.started + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.target.name} exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.target.get_path, headers=self.target.headers)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == self.target.get_status:
                    return time.perf_counter() - self.started
                raise RuntimeError(f"{self.target.name}: first GET answered {resp.status}")
            except (ConnectionRefusedError, ConnectionResetError, http.client.RemoteDisconnected):
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{self.target.name} not ready after {timeout} s:\n"
                                   + self.log_tail())
            time.sleep(0.003)

    def log_tail(self, n: int = 3000) -> str:
        self._log.flush()
        try:
            return self.log_path.read_bytes()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def cpu(self) -> float:
        return cpu_seconds(self.pids)

    def memory_mb(self) -> tuple[float, float]:
        rss, hwm = memory_kb(self.pids)
        return rss / 1024, hwm / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
        with contextlib.suppress(OSError):
            self.log_path.unlink()


@contextlib.contextmanager
def running(target: Target, profile: Profile, logdir: Path) -> Iterator[Running]:
    server = Running(target, profile, logdir)
    try:
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------
class CountingConnection(http.client.HTTPConnection):
    """An ``http.client`` connection that counts how often it had to (re)connect."""

    def __init__(self, port: int):
        super().__init__("127.0.0.1", port, timeout=30)
        self.connects = 0

    def connect(self) -> None:
        self.connects += 1
        super().connect()


def one(conn: CountingConnection, op: str, target: Target) -> int:
    """Send one request of ``op`` ("get"/"post") and read the whole answer; return the status."""
    if op == "get":
        conn.request("GET", target.get_path, headers=target.headers)
    else:
        conn.request("POST", target.post_path, body=target.post_body,
                     headers={**target.headers, "Content-Type": "application/json"})
    resp = conn.getresponse()
    resp.read()
    return resp.status


def expected(target: Target, op: str) -> int:
    return target.get_status if op == "get" else target.post_status


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency_http_client(server: Running, op: str, n: int) -> dict[str, Any]:
    """Sequential requests on one persistent connection; also the server's CPU per request."""
    target = server.target
    conn = CountingConnection(server.port)
    want = expected(target, op)
    errors = 0
    samples: list[float] = []
    one(conn, op, target)
    cpu0 = server.cpu()
    for _ in range(n):
        t0 = time.perf_counter_ns()
        status = one(conn, op, target)
        samples.append((time.perf_counter_ns() - t0) / 1e6)
        errors += status != want
    cpu1 = server.cpu()
    conn.close()
    return {"p50_ms": pct(samples, 50), "p99_ms": pct(samples, 99),
            "mean_ms": statistics.fmean(samples), "cpu_ms_per_req": (cpu1 - cpu0) * 1000 / n,
            "errors": errors, "connects": conn.connects, "n": n}


def latency_requests(server: Running, op: str, n: int) -> dict[str, Any]:
    import requests

    target = server.target
    base = f"http://127.0.0.1:{server.port}"
    want = expected(target, op)
    errors = 0
    samples: list[float] = []
    with requests.Session() as session:
        def call() -> int:
            if op == "get":
                r = session.get(base + target.get_path, headers=target.headers)
            else:
                r = session.post(base + target.post_path, data=target.post_body,
                                 headers={**target.headers, "Content-Type": "application/json"})
            _ = r.content
            return r.status_code

        call()
        for _ in range(n):
            t0 = time.perf_counter_ns()
            status = call()
            samples.append((time.perf_counter_ns() - t0) / 1e6)
            errors += status != want
    return {"p50_ms": pct(samples, 50), "p99_ms": pct(samples, 99),
            "mean_ms": statistics.fmean(samples), "errors": errors, "n": n}


def load(server: Running, ops: tuple[str, ...], connections: int, seconds: float, cap: int,
         on_sample: Callable[[int], None] | None = None) -> dict[str, Any]:
    """``connections`` threads, each with its own keep-alive connection, until time or count."""
    target = server.target
    done = [0] * connections
    errs = [0] * connections
    connects = [0] * connections
    caps = [cap // connections + (i < cap % connections) for i in range(connections)]
    barrier = threading.Barrier(connections + 1)
    stop_at = [0.0]

    def worker(i: int) -> None:
        conn = CountingConnection(server.port)
        k = i
        with contextlib.suppress(Exception):
            one(conn, ops[k % len(ops)], target)
        barrier.wait()
        deadline = stop_at[0]
        while done[i] < caps[i] and time.perf_counter() < deadline:
            op = ops[k % len(ops)]
            k += 1
            try:
                status = one(conn, op, target)
            except (OSError, http.client.HTTPException):
                errs[i] += 1
                conn.close()
                continue
            done[i] += 1
            errs[i] += status != expected(target, op)
        connects[i] = conn.connects
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(connections)]
    for t in threads:
        t.start()
    cpu0, client0 = server.cpu(), _self_cpu_s()
    t0 = time.perf_counter()
    stop_at[0] = t0 + seconds
    barrier.wait()
    if on_sample is not None:
        while any(t.is_alive() for t in threads):
            on_sample(sum(done))
            time.sleep(0.25)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    cpu1, client1 = server.cpu(), _self_cpu_s()
    total = sum(done)
    if on_sample is not None:
        on_sample(total)
    return {"rps": total / elapsed, "requests": total, "seconds": elapsed,
            "errors": sum(errs), "connects": sum(connects),
            "cpu_ms_per_req": (cpu1 - cpu0) * 1000 / max(total, 1),
            "server_cores": (cpu1 - cpu0) / elapsed, "client_cores": (client1 - client0) / elapsed}


def _self_cpu_s() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


# ---------------------------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------------------------
def cold_start(target: Target, profile: Profile, logdir: Path) -> tuple[float, bool]:
    """Start-up with an empty spec-check cache; and whether the server wrote to that cache."""
    cache = Path(tempfile.mkdtemp(prefix="cold-cache-", dir=logdir))
    try:
        server = Running(target, profile, logdir, env={CACHE_ENV: str(cache)})
        server.stop()
        return server.startup_s, any(cache.rglob("*"))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def measure_round(target: Target, profile: Profile, logdir: Path) -> dict[str, Any]:
    cold: dict[str, Any] = {}
    if target.cold_start:
        cold["startup_cold_s"], cold["cache_written"] = cold_start(target, profile, logdir)
    with running(target, profile, logdir) as server:
        out: dict[str, Any] = {"startup_s": server.startup_s, **cold}
        time.sleep(0.2)
        out["idle_rss_mb"] = server.memory_mb()[0]
        warm = CountingConnection(server.port)
        for i in range(profile.warmup * 2):
            one(warm, ("get", "post")[i % 2], target)
        warm.close()
        for op in ("get", "post"):
            out[op] = {
                "http_client": latency_http_client(server, op, profile.latency_n),
                "requests": latency_requests(server, op, profile.latency_n),
                "load": load(server, (op,), profile.connections, profile.throughput_s,
                             profile.throughput_cap),
            }
        out["rss_after_mb"] = server.memory_mb()[0]
    return out


def measure_memory(target: Target, profile: Profile, logdir: Path) -> dict[str, Any]:
    """N mixed requests on 16 connections into one fresh process; RSS sampled throughout."""
    with running(target, profile, logdir) as server:
        time.sleep(0.3)
        idle = server.memory_mb()[0]
        series: list[tuple[int, float]] = []

        def sample(count: int) -> None:
            series.append((count, server.memory_mb()[0]))

        cap_s = profile.memory_cap_s if target.name == OURS else profile.memory_cap_baseline_s
        res = load(server, ("get", "post"), profile.connections, cap_s, profile.memory_n,
                   on_sample=sample)
        rss, hwm = server.memory_mb()
    total = res["requests"]

    def rss_at(fraction: float) -> float:
        return next((mb for count, mb in series if count >= fraction * total), rss)

    return {"requests": total, "seconds": res["seconds"], "errors": res["errors"],
            "idle_rss_mb": idle, "rss_10pct_mb": rss_at(0.1), "rss_50pct_mb": rss_at(0.5),
            "rss_end_mb": rss, "peak_rss_mb": max([hwm, *(mb for _, mb in series)]),
            "growth_10pct_to_end_mb": rss - rss_at(0.1),
            "series": series[:: max(1, len(series) // 40)]}


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over rounds of every numeric leaf."""
    def walk(items: list[Any]) -> Any:
        first = items[0]
        if isinstance(first, dict):
            return {k: walk([it[k] for it in items]) for k in first}
        return med([float(x) for x in items])
    out: dict[str, Any] = walk(rounds)
    return out


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
def fmt(x: float | None, spec: str = ".2f") -> str:
    if x is None or x != x:
        return "-"
    return format(x, spec)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b:
        return None
    return a / b


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                     for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(out)


def report(targets: list[Target], summary: dict[str, dict[str, Any]],
           memory: dict[str, dict[str, Any]], prism_note: str, profile: Profile) -> str:
    lines: list[str] = []
    names = [t.name for t in targets if t.name in summary]
    label = {t.name: t.label for t in targets}
    lines.append("Start-up and memory (medians; RSS of the server process tree)")
    rows = []
    for n in names:
        s, m = summary[n], memory.get(n, {})
        rows.append([label[n], fmt(s["startup_s"], ".3f"), fmt(s.get("startup_cold_s"), ".3f"),
                     fmt(s["idle_rss_mb"], ".1f"),
                     fmt(m.get("requests"), ",.0f"), fmt(m.get("rss_10pct_mb"), ".1f"),
                     fmt(m.get("rss_end_mb"), ".1f"), fmt(m.get("peak_rss_mb"), ".1f"),
                     fmt(m.get("growth_10pct_to_end_mb"), "+.1f")])
    lines.append(table(["server", "start s", "cold s", "idle MB", "N req", "RSS@10%",
                        "RSS end", "peak MB", "grow MB"], rows))
    for op, title in (("get", "GET /pets/{petId}"), ("post", "POST /pets {\"name\": \"Rex\"}")):
        lines.append("")
        lines.append(f"{title}  (ms; sequential keep-alive; {profile.connections} connections "
                     "for req/s)")
        rows = []
        for n in names:
            s = summary[n][op]
            hc, rq, ld = s["http_client"], s["requests"], s["load"]
            rows.append([label[n], fmt(hc["p50_ms"], ".3f"), fmt(hc["p99_ms"], ".3f"),
                         fmt(rq["p50_ms"], ".3f"), fmt(rq["p99_ms"], ".3f"),
                         fmt(ld["rps"], ",.0f"), fmt(hc["cpu_ms_per_req"], ".3f"),
                         fmt(ld["cpu_ms_per_req"], ".3f"), fmt(ld["server_cores"], ".2f"),
                         fmt(ld["client_cores"], ".2f"),
                         fmt(hc["connects"], ".0f"),
                         fmt(hc["errors"] + rq["errors"] + ld["errors"], ".0f")])
        lines.append(table(["server", "hc p50", "hc p99", "rq p50", "rq p99", "req/s",
                            "cpu/req", "cpu/req@16", "cores", "client", "conns", "errors"], rows))
    lines.append("")
    lines.append("start s = Popen to first 200 with the run's spec-check cache filled; cold s "
                 f"= the same with an empty cache ({CACHE_ENV}).")
    lines.append("hc = http.client (one persistent connection), rq = requests.Session; "
                 "cpu/req = server CPU ms per request (sequential / under load); cores, client = "
                 "CPU used under load by the server and by the load generator (a client near "
                 "1.0 is the limit, not the server); conns = connections opened for the "
                 "sequential run (1 = kept alive).")
    large_t = next((t for t in targets if t.name == "ours-large"), None)
    if large_t is not None and large_t.name in summary:
        lines.append(f"{large_t.label}: GET and POST "
                     f"{large_t.get_path.removeprefix('/mocks/large')}"
                     " (POST body {\"body\": \"Rex\"}) of the generated document.")
    lines.append(prism_note)
    lines.append("")
    lines.append(f"Ratios ({label.get(OURS, OURS)} vs baselines; targets in brackets)")
    ours = summary.get(OURS)
    if ours is None:
        lines.append("  (our server was not measured)")
        return "\n".join(lines)
    large = summary.get("ours-large")
    lines.append(f"  start-up, petstore:          {fmt(ours['startup_s'], '.3f')} s, cold cache "
                 f"{fmt(ours.get('startup_cold_s'), '.3f')} s"
                 f"   [target < {TARGETS['startup_small_s']} s]")
    if large is not None:
        lines.append(f"  start-up, 1,000+ operations: {fmt(large['startup_s'], '.3f')} s, "
                     f"cold cache {fmt(large.get('startup_cold_s'), '.3f')} s"
                     f"   [target < {TARGETS['startup_large_warm_s']} s warm, "
                     f"< {TARGETS['startup_large_cold_s']} s cold]")
    for op in ("get", "post"):
        for base, key, tgt in (("pytest-httpserver", "p50_vs_httpserver", "<="),
                               ("prism", "p50_vs_prism", "<=")):
            other = summary.get(base)
            if other is None:
                continue
            r_hc = ratio(ours[op]["http_client"]["p50_ms"], other[op]["http_client"]["p50_ms"])
            r_rq = ratio(ours[op]["requests"]["p50_ms"], other[op]["requests"]["p50_ms"])
            lines.append(f"  {op.upper():4} p50 ours/{base}: {fmt(r_hc)}x (http.client), "
                         f"{fmt(r_rq)}x (requests)   [target {tgt} {TARGETS[key]}x]")
        for base, key in (("prism", "throughput_vs_prism"),
                          ("pytest-httpserver", "throughput_vs_httpserver")):
            other = summary.get(base)
            if other is not None:
                r = ratio(ours[op]["load"]["rps"], other[op]["load"]["rps"])
                lines.append(f"  {op.upper():4} req/s ours/{base}: {fmt(r)}x"
                             f"   [target >= {TARGETS[key]}x]")
    mem = memory.get(OURS)
    lines.append(f"  idle RSS: {fmt(ours['idle_rss_mb'], '.1f')} MB"
                 f"   [target < {TARGETS['idle_rss_mb']:.0f} MB]")
    if mem:
        lines.append(f"  RSS after {mem['requests']:,} requests: "
                     f"{fmt(mem['rss_end_mb'], '.1f')} MB (peak {fmt(mem['peak_rss_mb'], '.1f')}, "
                     f"{fmt(mem['growth_10pct_to_end_mb'], '+.1f')} MB since 10%)"
                     "   [target: flat after 100,000]")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
def probe_bodies(target: Target, profile: Profile, logdir: Path) -> dict[str, Any]:
    """What our server answers, so the baselines can send exactly the same JSON."""
    with running(target, profile, logdir) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        out = {}
        for op in ("get", "post"):
            conn.request(*(("GET", target.get_path) if op == "get" else ("POST", target.post_path)),
                         body=None if op == "get" else POST_BODY,
                         headers={"Content-Type": "application/json"} if op == "post" else {})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != expected(target, op):
                raise RuntimeError(f"our server answered {op.upper()} with {resp.status}: "
                                   f"{body[:500]!r}")
            out[op] = {"status": resp.status, "json": json.loads(body),
                       "content_type": resp.getheader("Content-Type")}
        conn.close()
    return out


def _baseline_argv(script: str, kind: str, bodies: Path) -> Callable[[int], list[str]]:
    return lambda port: [sys.executable, script, kind, str(port), str(bodies)]


def code_version() -> str:
    """The checkout's commit and how many package files differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "pytest_mockamocha"],
                               cwd=REPO, check=True, capture_output=True, text=True,
                               timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + (f" + {len(dirty)} uncommitted file(s) in pytest_mockamocha" if dirty else "")


def snapshot_package(tmp: Path) -> None:
    """Copy the package so that every server of the run imports the same code.

    The subprocesses get the copy first on ``PYTHONPATH``; edits made to the checkout while
    the benchmark runs do not leak into later rounds.
    """
    dest = tmp / "code"
    shutil.copytree(REPO / "pytest_mockamocha", dest / "pytest_mockamocha",
                    ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(dest), os.environ.get("PYTHONPATH", "")) if p)


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("pytest-mockamocha", "werkzeug", "waitress", "pytest-httpserver", "requests"):
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    return out


def prism_version(prism: str) -> str:
    try:
        res = subprocess.run([prism, "--version"], capture_output=True, text=True, timeout=30,
                             check=False)
        return res.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and requests (~1 min)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--prism", help="path of the prism executable (default: prism on PATH)")
    parser.add_argument("--only", help="comma-separated server names to measure "
                        "(ours-waitress, ours-werkzeug, ours-large, pytest-httpserver, "
                        "werkzeug, prism)")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    parser.add_argument("--memory-requests", type=int, help="override N of the memory phase")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="run the checkout's live code instead of a copy taken at start")
    args = parser.parse_args(argv)

    profile = QUICK if args.quick else FULL
    if args.rounds:
        profile = Profile(**{**profile.__dict__, "rounds": args.rounds})
    if args.memory_requests is not None:
        profile = Profile(**{**profile.__dict__, "memory_n": args.memory_requests})
    began = time.perf_counter()
    busy0, own0, load0 = system_busy_s(), own_cpu_s(), os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="mockamocha-bench-") as tmp_name:
        tmp = Path(tmp_name)
        code = code_version()
        if not args.no_snapshot:
            snapshot_package(tmp)
        # A cache of our own: the run neither reads nor fills the user's.
        os.environ[CACHE_ENV] = str(tmp / "spec-cache")
        large_file, large_get, large_post, n_ops = large_spec(tmp)

        ours_fn, launcher = ours_argv(f"petstore={PETSTORE}", "waitress")
        ours = Target(OURS, "ours (waitress)", ours_fn, "/mocks/petstore/pets/1",
                      "/mocks/petstore/pets", launcher=launcher, cold_start=True)
        wz_fn, wz_launcher = ours_argv(f"petstore={PETSTORE}", "werkzeug")
        large_fn, large_launcher = ours_argv(f"large={large_file}", "waitress")
        targets = [
            ours,
            Target("ours-werkzeug", "ours (werkzeug)", wz_fn, "/mocks/petstore/pets/1",
                   "/mocks/petstore/pets", launcher=wz_launcher, memory_phase=False),
            Target("ours-large", f"ours, {n_ops:,} ops", large_fn,
                   f"/mocks/large{large_get}", f"/mocks/large{large_post}",
                   launcher=large_launcher, memory_phase=False, cold_start=True,
                   headers={"Authorization": f"Bearer {BENCH_JWT}"},
                   post_body=LARGE_POST_BODY),
        ]
        failures: dict[str, str] = {}
        try:
            bodies = probe_bodies(ours, profile, tmp)
        except Exception as exc:
            # Still measure the baselines; they send the petstore example instead.
            failures[OURS + " (probe)"] = f"{type(exc).__name__}: {exc}"
            print(f"  our server could not be probed: {failures[OURS + ' (probe)']}", flush=True)
            bodies = {"get": {"status": 200, "json": FALLBACK_PET},
                      "post": {"status": 201, "json": FALLBACK_PET}}
        bodies["get"]["path"] = "/pets/1"
        bodies["post"]["path"] = "/pets"
        bodies["post"]["request"] = POST_JSON
        bodies_file = tmp / "bodies.json"
        bodies_file.write_text(json.dumps(bodies), encoding="utf-8")
        baseline = str(HERE / "_serve_baseline.py")
        for name, kind, lab in (("pytest-httpserver", "httpserver", "pytest-httpserver"),
                                ("werkzeug", "werkzeug", "werkzeug (bare)")):
            targets.append(Target(
                name, lab, _baseline_argv(baseline, kind, bodies_file),
                "/pets/1", "/pets", bodies["get"]["status"], bodies["post"]["status"]))
        prism = find_prism(args.prism)
        if prism:
            pv = prism_version(prism)
            prism_note = f"prism: {pv} (prism mock spec.yaml -p PORT)"
            targets.append(Target("prism", f"prism {pv}",
                                  (lambda port: [prism, "mock", str(PETSTORE), "-p", str(port)]),
                                  "/pets/1", "/pets"))
        else:
            prism_note = "prism: not installed"
        if args.only:
            wanted = {w.strip() for w in args.only.split(",")}
            targets = [t for t in targets if t.name in wanted]

        print(f"pytest-mockamocha server benchmark ({'quick' if args.quick else 'full'}): "
              f"{len(targets)} servers x {profile.rounds} rounds; our server via {launcher}; "
              f"code {code}{'' if args.no_snapshot else ' (copied at start)'}", flush=True)
        raw: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
        for t in targets:  # fill the run's spec-check cache, so that "start s" is a warm start
            if t.cold_start and t.name != OURS:
                with contextlib.suppress(Exception), running(t, profile, tmp):
                    pass
        for rnd in range(profile.rounds):
            shift = rnd % len(targets)
            order = targets[shift:] + targets[:shift]
            for t in order:
                if t.name in failures:
                    continue
                try:
                    raw[t.name].append(measure_round(t, profile, tmp))
                except Exception as exc:
                    failures[t.name] = f"{type(exc).__name__}: {exc}"
                    print(f"  {t.name} failed: {failures[t.name]}", flush=True)
            print(f"  round {rnd + 1}/{profile.rounds} done ({time.perf_counter() - began:.0f} s)",
                  flush=True)
        memory: dict[str, dict[str, Any]] = {}
        for t in targets:
            if t.name in failures or not t.memory_phase:
                continue
            try:
                memory[t.name] = measure_memory(t, profile, tmp)
            except Exception as exc:
                failures[t.name + " (memory)"] = f"{type(exc).__name__}: {exc}"
        print(f"  memory phase done ({time.perf_counter() - began:.0f} s)", flush=True)

    summary = {name: summarise(rs) for name, rs in raw.items() if rs}
    wall = time.perf_counter() - began
    others = max(0.0, (system_busy_s() - busy0) - (own_cpu_s() - own0)) / wall
    noise = (f"machine: {os.cpu_count()} CPUs; load average {load0:.2f} at start; other "
             f"processes used {others:.2f} cores on average during the run")
    if others > 0.15:
        noise += " -- the machine was busy, the numbers are noisy"
    print()
    text = report(targets, summary, memory, prism_note, profile) + "\n" + noise
    print(text)
    for name, why in failures.items():
        print(f"FAILED {name}: {why}")
    elapsed = time.perf_counter() - began
    print(f"\n(total {elapsed:.0f} s)")

    results = {
        "mode": "quick" if args.quick else "full",
        "profile": profile.__dict__,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "packages": package_versions(),
                    "loadavg_at_start": load0, "other_processes_cores": others},
        "launchers": {t.name: t.launcher or "baseline" for t in targets},
        "code": code,
        "snapshot": not args.no_snapshot,
        "prism": prism_note,
        "large_spec_operations": n_ops,
        "bodies": bodies,
        "targets": TARGETS,
        "summary": summary,
        "memory": memory,
        "rounds": raw,
        "failures": failures,
        "report": text,
        "seconds": elapsed,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
