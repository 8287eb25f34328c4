"""Time to interactive of the dashboard, in headless Chromium, on a workspace of 50
collections and 2,000 endpoints.

    python benchmarks/bench_dashboard.py [--rounds 9] [--collections 50] [--per 40]

Starts a real ``mockamocha serve`` on a TinyDB file in a temporary folder, imports
``--collections`` generated documents of ``--per`` operations each through the API, signs
in in the browser, then loads each page ``--rounds`` times from a fresh navigation and
reads two marks the page records: ``ready`` (the first page drawn with its data, ms after
navigation start) and ``interactive`` (the main thread idle after that:
``requestIdleCallback``). Prints medians (and the first, cold-cache load apart). Needs
Debian's chromium and chromedriver; uses the browser tests' WebDriver client.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "dashboard"))
from dashboard_server import ADMIN, serve  # type: ignore[import-not-found]
from webdriver import HAVE_BROWSER, Browser  # type: ignore[import-not-found]


def document(n: int, per: int) -> dict[str, object]:
    """An OpenAPI document of ``per`` operations (``per / 2`` paths, GET and POST each)."""
    item = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string", "description": "a name"},
        },
    }
    paths: dict[str, object] = {}
    for k in range(per // 2):
        paths[f"/things{k}/{{id}}"] = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "get": {
                "operationId": f"get{k}",
                "tags": [f"tag{k % 5}"],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": item}}}
                },
            },
            "post": {
                "operationId": f"post{k}",
                "requestBody": {"content": {"application/json": {"schema": item}}},
                "responses": {"201": {"description": "made"}},
            },
        }
    return {"openapi": "3.0.3", "info": {"title": f"Service {n}", "version": "1"}, "paths": paths}


def fill(url: str, collections: int, per: int) -> tuple[int, str]:
    """Make the workspace; the total number of endpoints and the first collection's id."""
    token = requests.post(
        url + "/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=30
    ).json()["data"]["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    first = ""
    for n in range(collections):
        coll = requests.post(
            url + "/api/collections", json={"name": f"Service {n}"}, headers=auth, timeout=30
        ).json()["data"]
        first = first or coll["id"]
        done = requests.post(
            url + f"/api/collections/{coll['id']}/import",
            json={"spec": document(n, per)},
            headers=auth,
            timeout=120,
        )
        assert done.status_code in (200, 201), done.text
    total = requests.get(
        url + "/api/endpoints", params={"per_page": 1}, headers=auth, timeout=30
    ).json()["data"]["total"]
    return int(total), first


def measure(browser: Browser, url: str, rounds: int) -> dict[str, object]:
    ready, interactive = [], []
    for _ in range(rounds):
        browser.go("about:blank")
        browser.go(url)
        deadline = time.monotonic() + 30
        while True:
            marks = browser.run(
                "const d = document.documentElement.dataset;"
                "return [d.readyMs || null, d.interactiveMs || null]"
            )
            if marks[1]:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} never became ready")
            time.sleep(0.02)
        ready.append(int(marks[0]))
        interactive.append(int(marks[1]))
    return {
        "cold_ready_ms": ready[0],
        "cold_interactive_ms": interactive[0],
        "ready_ms_median": statistics.median(ready[1:] or ready),
        "interactive_ms_median": statistics.median(interactive[1:] or interactive),
        "interactive_ms_max": max(interactive[1:] or interactive),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--collections", type=int, default=50)
    parser.add_argument("--per", type=int, default=40)
    args = parser.parse_args()
    if not HAVE_BROWSER:
        sys.exit("chromium and chromedriver are needed")
    with tempfile.TemporaryDirectory() as folder:
        served = serve(Path(folder))
        try:
            started = time.monotonic()
            total, first = fill(served.url, args.collections, args.per)
            print(
                f"workspace: {args.collections} collections, {total} endpoints "
                f"(made in {time.monotonic() - started:.1f} s)"
            )
            with Browser(Path(folder) / "profile") as browser:
                browser.go(served.url + "/")
                browser.wait_for("input[name=email]")
                browser.type("input[name=email]", ADMIN[0])
                browser.type("input[name=password]", ADMIN[1])
                browser.click("form button[type=submit]")
                browser.wait_for("h1", "Collections")
                results = {
                    "collections page": measure(
                        browser, served.url + "/#/collections", args.rounds
                    ),
                    "one collection's endpoints": measure(
                        browser, f"{served.url}/#/collections/{first}", args.rounds
                    ),
                }
        finally:
            served.stop()
    for name, figures in results.items():
        print(f"{name}: {json.dumps(figures)}")


if __name__ == "__main__":
    main()
