"""One request answered by a new Python process: what a warm start loads, seen from outside."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def answer_in_a_fresh_process(
    spec: Path, cache: Path, path: str, modules: tuple[str, ...]
) -> tuple[bytes, list[str]]:
    """The body a new process answers to ``GET path`` of ``spec`` (mounted as ``p``, with
    ``cache`` as its cache folder), and which of ``modules`` it had loaded by then."""
    program = (
        "import json, sys, pathlib, urllib.request\n"
        "from pytest_mockamocha.server.runtime import MockServer\n"
        "from pytest_mockamocha.spec.loader import load_spec\n"
        "s = MockServer().start()\n"
        f"s.add_spec(load_spec({str(spec)!r}, cache_dir=pathlib.Path({str(cache)!r})), 'p')\n"
        f"body = urllib.request.urlopen(s.url_for('p', {path!r})).read()\n"
        "s.stop()\n"
        f"loaded = [m for m in {list(modules)!r} if m in sys.modules]\n"
        "print(json.dumps([body.decode('latin-1'), loaded]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    body, loaded = json.loads(out.stdout)
    return body.encode("latin-1"), loaded
