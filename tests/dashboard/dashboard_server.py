"""A real `mockamocha serve` over a TinyDB file, for the dashboard's tests.

Test modules import the ``served_fixture`` fixture from here (a conftest.py of this
folder would shadow the ``conftest`` other folders import by name)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SPECS = Path(__file__).parents[1] / "data" / "specs"
ADMIN = ("admin@example.com", "a long dashboard password")
SECRET = "s" * 48


@dataclass
class Served:
    url: str
    db: Path
    proc: subprocess.Popen[str]
    drain: threading.Thread

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.drain.join(timeout=10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def serve(folder: Path) -> Served:
    """Start `mockamocha serve --db folder/db.json` on a free port; its root URL."""
    env = {
        **os.environ,
        "MOCKAMOCHA_ADMIN_EMAIL": ADMIN[0],
        "MOCKAMOCHA_ADMIN_PASSWORD": ADMIN[1],
        "MOCKAMOCHA_SECRET": SECRET,
        "MOCKAMOCHA_CACHE_DIR": str(folder / "cache"),
    }
    db = folder / "db.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_mockamocha.cli", "serve", "--db", str(db), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=folder,
    )
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        found = re.search(r"serving on (http://127\.0\.0\.1:\d+)", line)
        if found:  # keep reading what it prints, so it never blocks on a full pipe
            drain = threading.Thread(target=proc.stdout.read, daemon=True)
            drain.start()
            return Served(found.group(1), db, proc, drain)
    proc.kill()
    raise AssertionError("".join(seen))


@pytest.fixture(scope="module", name="served")
def served_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One real server per test module."""
    running = serve(tmp_path_factory.mktemp("served"))
    try:
        yield running
    finally:
        running.stop()
