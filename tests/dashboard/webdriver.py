"""A small W3C WebDriver client over `requests`, driving Debian's chromium through its
chromedriver (no Selenium needed): what the dashboard's browser tests and benchmark use."""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
HAVE_BROWSER = CHROMIUM is not None and CHROMEDRIVER is not None


class WebDriverError(AssertionError):
    """The driver refused a command (no such element, a script error...)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """One headless Chromium session: navigate, find, click, type, run scripts, screenshots."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 900) -> None:
        assert CHROMIUM is not None
        assert CHROMEDRIVER is not None
        port = _free_port()
        self._driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}", "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._base = f"http://127.0.0.1:{port}"
        self.http = requests.Session()
        deadline = time.monotonic() + 20
        while True:
            try:
                self.http.get(self._base + "/status", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
        ]
        caps = {
            "browserName": "chrome",
            "timeouts": {"script": 60000},
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "unhandledPromptBehavior": "ignore",
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        answer = self.http.post(
            self._base + "/session", json={"capabilities": {"alwaysMatch": caps}}, timeout=60
        ).json()
        if "sessionId" not in answer.get("value", {}):
            self._driver.kill()
            raise WebDriverError(str(answer)[:2000])
        self._session = f"{self._base}/session/{answer['value']['sessionId']}"

    def close(self) -> None:
        try:
            self.http.delete(self._session, timeout=30)
        finally:
            self._driver.terminate()
            self._driver.wait(timeout=10)
            self.http.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the protocol ------------------------------------------------------------------
    def _cmd(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.request(method, self._session + path, json=body, timeout=60)
        value = answer.json().get("value")
        if answer.status_code >= 400:
            raise WebDriverError(f"{path}: {value}")
        return value

    def go(self, url: str) -> None:
        self._cmd("POST", "/url", {"url": url})

    def size(self, width: int, height: int) -> None:
        self._cmd("POST", "/window/rect", {"width": width, "height": height})

    def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body; ``arguments`` holds ``args``) in the page."""
        return self._cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script: str, *args: Any) -> Any:
        """Run ``script``; it calls ``arguments[arguments.length - 1](value)`` when done."""
        return self._cmd("POST", "/execute/async", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        return str(self._cmd("POST", "/element", {"using": "css selector", "value": css})[ELEMENT])

    def wait_for(self, css: str, text: str = "", timeout: float = 10.0) -> str:
        """The first element matching ``css`` (whose text holds ``text``), once it exists."""
        deadline = time.monotonic() + timeout
        script = (
            "const [css, text] = arguments;"
            "return [...document.querySelectorAll(css)].find("
            "  (el) => !text || el.textContent.includes(text)) || null;"
        )
        while True:
            found = self.run(script, css, text)
            if found:
                return str(found[ELEMENT])
            if time.monotonic() > deadline:
                body = self.run("return document.body.innerText.slice(0, 3000)")
                raise WebDriverError(f"no {css!r} with {text!r} after {timeout} s; page: {body}")
            time.sleep(0.1)

    def click(self, css: str, text: str = "") -> None:
        element = self.wait_for(css, text)
        self._cmd("POST", f"/element/{element}/click", {})

    def type(self, css: str, value: str, *, clear: bool = True) -> None:
        element = self.wait_for(css)
        if clear:
            self._cmd("POST", f"/element/{element}/clear", {})
        self._cmd("POST", f"/element/{element}/value", {"text": value})

    def keys(self, value: str) -> None:
        """Type into whatever has the focus (``\\ue004`` is Tab, ``\\ue007`` Enter)."""
        actions = [
            a
            for k in value
            for a in ({"type": "keyDown", "value": k}, {"type": "keyUp", "value": k})
        ]
        self._cmd(
            "POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}
        )

    def accept_alert(self) -> str:
        text = str(self._cmd("GET", "/alert/text"))
        self._cmd("POST", "/alert/accept", {})
        return text

    def text(self, css: str = "body") -> str:
        return str(self.run("return document.querySelector(arguments[0])?.innerText ?? ''", css))

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._cmd("GET", "/screenshot")))

    def console(self) -> list[dict[str, Any]]:
        """The browser console's entries since the last call."""
        return list(self._cmd("POST", "/se/log", {"type": "browser"}) or [])
