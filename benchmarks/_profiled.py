"""Run a Python command line with cProfile in every thread it starts; merge the stats at exit.

    python benchmarks/_profiled.py OUT.prof [python] SCRIPT|-m MODULE|-c CODE ARGS...

Each thread gets its own profiler timed with ``time.thread_time`` (CPU time, so threads
that wait do not count); the main thread is not profiled (start-up stays out of the
numbers). ``OUT.prof`` is written at exit (SIGTERM exits cleanly) for ``pstats``.
"""

from __future__ import annotations

import atexit
import cProfile
import pstats
import runpy
import signal
import sys
import threading
import time

_profilers: list[cProfile.Profile] = []
_lock = threading.Lock()
_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    profiler = cProfile.Profile(time.thread_time)
    with _lock:
        _profilers.append(profiler)
    profiler.enable()
    try:
        _run(self)
    finally:
        profiler.disable()


def _dump(out: str) -> None:
    stats: pstats.Stats | None = None
    with _lock:
        profilers = list(_profilers)
    for profiler in profilers:
        profiler.create_stats()
        if not getattr(profiler, "stats", None):
            continue
        if stats is None:
            stats = pstats.Stats(profiler)
        else:
            stats.add(profiler)
    if stats is not None:
        stats.dump_stats(out)


def main() -> None:
    out, argv = sys.argv[1], sys.argv[2:]
    if argv and argv[0] == sys.executable:
        argv = argv[1:]
    threading.Thread.run = _profiled_run  # type: ignore[method-assign]
    atexit.register(_dump, out)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if argv[0] == "-m":
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    elif argv[0] == "-c":
        sys.argv = ["-c", *argv[2:]]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = argv
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
