"""The HTML report, opened in a real headless Chromium, shows what the run did.

.ci/run installs Debian's chromium; on a machine without it this test is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SPECS = Path(__file__).parents[1] / "data" / "specs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

SUITE = """
import requests

def test_get(mockamocha):
    assert requests.get(mockamocha.base_url + "/pets/1").status_code == 200

def test_list(mockamocha):
    assert requests.get(mockamocha.base_url + "/pets").status_code == 200
"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_html_report_renders_in_chromium(tmp_path: Path) -> None:
    shutil.copy(SPECS / "petstore.yaml", tmp_path / "petstore.yaml")
    (tmp_path / "test_suite.py").write_text(SUITE)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mockamocha-spec",
         "petstore.yaml", "--mockamocha-report", "html:report.html"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    page = (tmp_path / "report.html").resolve()
    browser = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True,
                         text=True, timeout=60, check=False).stdout
    assert "MockaMocha request coverage" in dom
    assert "petstore" in dom
    for operation in ("GET /pets", "GET /pets/{petId}", "DELETE /pets/{petId}"):
        assert operation in dom
    assert "2/7" in dom  # two of seven non-deprecated operations hit
    assert "test_suite.py::test_get" in dom
    shot = tmp_path / "shot.png"
    subprocess.run([*browser, f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri()],
                   capture_output=True, timeout=60, check=False)
    assert shot.stat().st_size > 10_000  # something was drawn, not a blank page
