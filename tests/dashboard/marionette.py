"""Firefox through Marionette, its built-in remote protocol (length-prefixed JSON over TCP),
with the same methods as ``webdriver.Browser``: Debian packages firefox-esr but not
geckodriver, and Marionette's commands are WebDriver's under other names."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from webdriver import Browser, WebDriverError, _free_port  # type: ignore[import-not-found]

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
#: W3C WebDriver paths (as ``Browser`` sends them) -> Marionette commands
_COMMANDS = {
    "/url": "WebDriver:Navigate",
    "/execute/sync": "WebDriver:ExecuteScript",
    "/execute/async": "WebDriver:ExecuteAsyncScript",
    "/element": "WebDriver:FindElement",
    "/window/rect": "WebDriver:SetWindowRect",
    "/screenshot": "WebDriver:TakeScreenshot",
    "/alert/text": "WebDriver:GetAlertText",
    "/alert/accept": "WebDriver:AcceptAlert",
    "/actions": "WebDriver:PerformActions",
}
_ELEMENT_COMMANDS = {
    "click": "WebDriver:ElementClick",
    "clear": "WebDriver:ElementClear",
    "value": "WebDriver:ElementSendKeys",
}
_PREFS = {
    "marionette.port": 0,  # set per browser below
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "browser.newtabpage.enabled": False,
}


class Firefox(Browser):
    """One headless Firefox (ESR) session driven over Marionette."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 900) -> None:
        assert FIREFOX is not None
        port = _free_port()
        profile.mkdir(parents=True, exist_ok=True)
        prefs = {**_PREFS, "marionette.port": port}
        (profile / "user.js").write_text(
            "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())
        )
        self._driver = subprocess.Popen(
            [
                FIREFOX,
                "--headless",
                "--marionette",
                "--no-remote",
                "--profile",
                str(profile),
                f"--width={width}",
                f"--height={height}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except OSError:
                if time.monotonic() > deadline or self._driver.poll() is not None:
                    self._driver.kill()
                    raise
                time.sleep(0.2)
        self._buffer = b""
        self._read()  # the server's hello
        self._id = 0
        self._send(
            "WebDriver:NewSession",
            {
                "capabilities": {
                    "alwaysMatch": {
                        "acceptInsecureCerts": False,
                        "unhandledPromptBehavior": "ignore",
                        "timeouts": {"script": 60000},
                    }
                }
            },
        )

    def close(self) -> None:
        try:
            self._send("Marionette:Quit", {})
        except (OSError, WebDriverError):
            pass
        finally:
            self._sock.close()
            try:
                self._driver.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._driver.kill()
                self._driver.wait(timeout=10)

    def console(self) -> list[dict[str, Any]]:
        return []  # Marionette has no log endpoint; Chromium's tests check the console

    # -- the protocol ------------------------------------------------------------------
    def _read(self) -> Any:
        while b":" not in self._buffer:
            self._buffer += self._recv()
        size, _, rest = self._buffer.partition(b":")
        while len(rest) < int(size):
            rest += self._recv()
        self._buffer = rest[int(size) :]
        return json.loads(rest[: int(size)])

    def _recv(self) -> bytes:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise WebDriverError("Firefox closed the Marionette connection")
        return chunk

    def _send(self, command: str, params: dict[str, Any]) -> Any:
        self._id += 1
        body = json.dumps([0, self._id, command, params]).encode()
        self._sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            kind, msg_id, error, result = self._read()
            if kind == 1 and msg_id == self._id:
                break
        if error:
            raise WebDriverError(f"{command}: {error}")
        return result.get("value", result) if isinstance(result, dict) else result

    def _cmd(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        params = dict(body or {})
        if path.startswith("/element/"):
            _, _, element, action = path.split("/")
            params["id"] = element
            return self._send(_ELEMENT_COMMANDS[action], params)
        return self._send(_COMMANDS[path], params)
