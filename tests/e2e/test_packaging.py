"""The built wheel: it carries the JavaScript SDK's sources and the dashboard's files, and
serves them from there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_wheel_carries_and_serves_the_js_sdk(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for source in (ROOT / "sdk" / "js" / "src").glob("*.js"):
        assert f"pytest_mockamocha/_sdk_js/src/{source.name}" in names
    assert "pytest_mockamocha/_sdk_js/index.d.ts" in names
    static = ROOT / "pytest_mockamocha" / "dashboard" / "static"
    assets = sorted(p.name for p in static.iterdir())
    assert {"index.html", "app.js", "app.css", "dom.js"} <= set(assets)
    for asset in assets:  # the dashboard ships whole: nothing is fetched at run time
        assert f"pytest_mockamocha/dashboard/static/{asset}" in names
    probe = (
        "from pytest_mockamocha.server import sdkjs;"
        "print(sdkjs.sources()); print(b'export class Client' in sdkjs.module().body);"
        "from pytest_mockamocha.dashboard import pages; print(pages.STATIC)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""}, timeout=60,
    ).stdout.split()
    assert Path(out[0]) == tmp_path / "site" / "pytest_mockamocha" / "_sdk_js"
    assert out[1] == "True"
    assert Path(out[2]) == tmp_path / "site" / "pytest_mockamocha" / "dashboard" / "static"
