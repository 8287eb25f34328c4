"""Profile our mock server while it answers a fixed number of sequential requests.

    python benchmarks/profile_server.py [--tool cprofile|py-spy] [--op get|post]
                                        [--requests 5000] [--top 15] [--kind waitress|werkzeug]

The server runs in its own subprocess, started as ``bench_server.py`` starts it (the
``mockamocha serve`` command, else ``_serve_ours.py``), and gets ``--requests`` requests on one
keep-alive ``http.client`` connection after a short warm-up. It prints the top functions by
cumulative time per request:

* ``cprofile`` (default): every server thread under its own cProfile, timed in thread CPU
  time (waiting does not count); shows calls per request. Slows the server down ~2-3x, so
  read the shares, not the absolute times.
* ``py-spy``: samples the live process (``pip install py-spy``); lower overhead, no counts.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_server as bench


def _short(filename: str) -> str:
    """A path relative to the package or site-packages, never this machine's absolute path."""
    for marker in ("site-packages/", "pytest_mockamocha/", "lib/python"):
        if marker in filename:
            tail = filename.split(marker, 1)[1]
            return ("pytest_mockamocha/" + tail) if marker == "pytest_mockamocha/" else tail
    return Path(filename).name if filename.startswith("/") else filename


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    return f"{_short(filename)}:{line}({name})"


def drive(port: int, target: bench.Target, op: str, warmup: int, n: int) -> float:
    conn = bench.CountingConnection(port)
    for _ in range(warmup):
        bench.one(conn, op, target)
    t0 = time.perf_counter()
    bad = 0
    for _ in range(n):
        bad += bench.one(conn, op, target) != bench.expected(target, op)
    elapsed = time.perf_counter() - t0
    conn.close()
    if bad:
        print(f"warning: {bad} answers with an unexpected status")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tool", choices=("cprofile", "py-spy"), default="cprofile")
    parser.add_argument("--op", choices=("get", "post"), default="get")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--kind", choices=("waitress", "werkzeug"), default="waitress")
    parser.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative")
    args = parser.parse_args()

    argv_fn, launcher = bench.ours_argv(f"petstore={bench.PETSTORE}", args.kind)
    with tempfile.TemporaryDirectory(prefix="mockamocha-profile-") as tmp_name:
        tmp = Path(tmp_name)
        prof_out = tmp / "server.prof"
        if args.tool == "cprofile":
            wrapper = [sys.executable, str(bench.HERE / "_profiled.py"), str(prof_out)]
            target = bench.Target("ours", "ours", lambda port: [*wrapper, *argv_fn(port)],
                                  "/mocks/petstore/pets/1", "/mocks/petstore/pets")
        else:
            target = bench.Target("ours", "ours", argv_fn, "/mocks/petstore/pets/1",
                                  "/mocks/petstore/pets")
        profile = bench.FULL
        server = bench.Running(target, profile, tmp)
        spy = None
        try:
            if args.tool == "py-spy":
                exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
                spy_out = tmp / "spy.txt"
                drive(server.port, target, args.op, args.warmup, 0)
                spy = subprocess.Popen([exe, "record", "-p", str(server.proc.pid), "-r", "200",
                                        "-f", "raw", "-o", str(spy_out), "--function",
                                        "--nonblocking"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
                elapsed = drive(server.port, target, args.op, 0, args.requests)
                spy.send_signal(signal.SIGINT)
                spy.wait(30)
            else:
                elapsed = drive(server.port, target, args.op, args.warmup, args.requests)
            cpu = server.cpu()
        finally:
            if args.tool == "cprofile":
                # SIGTERM to the server only (not its group): it exits and writes the stats.
                server.proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    server.proc.wait(30)
            server.stop()
        n = args.requests
        print(f"our server ({launcher}, {args.kind}), {args.op.upper()} x {n:,} sequential "
              f"requests: {elapsed / n * 1e3:.3f} ms/request under the profiler "
              f"(server CPU since start {cpu:.2f} s)")
        if args.tool == "cprofile":
            if not prof_out.exists():
                print("no profile written")
                return 1
            stats = pstats.Stats(str(prof_out))
            total = stats.total_tt  # type: ignore[attr-defined]
            rows = sorted(stats.stats.items(),  # type: ignore[attr-defined]
                          key=lambda kv: kv[1][3 if args.sort == "cumulative" else 2],
                          reverse=True)
            print(f"cProfile, thread CPU time; total {total / n * 1e6:.0f} us/request profiled; "
                  f"top {args.top} by {args.sort} (per request: calls, self us, cumulative us)")
            print(f"{'calls':>7} {'self us':>8} {'cum us':>8} {'cum %':>6}  function")
            for func, (_cc, nc, tt, ct, _callers) in rows[:args.top]:
                print(f"{nc / n:7.1f} {tt / n * 1e6:8.1f} {ct / n * 1e6:8.1f} "
                      f"{100 * ct / total:5.1f}%  {_label(func)}")
        else:
            cumulative: collections.Counter[str] = collections.Counter()
            own: collections.Counter[str] = collections.Counter()
            samples = idle = 0
            for line in (tmp / "spy.txt").read_text().splitlines():
                stack, _, count_text = line.rpartition(" ")
                count = int(count_text)
                frames = [_short_frame(f) for f in stack.split(";")
                          if not f.startswith(("process ", "thread "))]
                if not frames or frames[-1].endswith(WAITING):
                    idle += count
                    continue
                samples += count
                for frame in set(frames):
                    cumulative[frame] += count
                if frames:
                    own[frames[-1]] += count
            print(f"py-spy, {samples} samples of busy threads ({idle} more waiting in "
                  f"poll/Condition.wait left out); top {args.top} by cumulative share "
                  "(self %, cumulative %)")
            for frame, count in cumulative.most_common(args.top):
                print(f"{100 * own[frame] / samples:6.1f}% {100 * count / samples:6.1f}%  {frame}")
    return 0


#: Leaf frames of a thread that is blocked, not working (py-spy counts some as active).
WAITING = ("(Condition.wait)", "(poll2)", "(Event.wait)", "(select)", "(poll)",
           "(Thread._wait_for_tstate_lock)")


def _short_frame(frame: str) -> str:
    # py-spy raw frames look like "name (path/file.py:LINE)"; keep function and short file.
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    filename = where.rsplit(":", 1)[0]
    return f"{_short(filename)}({name})" if filename else name


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
