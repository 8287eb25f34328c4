"""The dashboard in a real headless Chromium against a real `mockamocha serve` with a
TinyDB file: sign in, import, rules answering in the mock, the live log, API keys, a
document full of script that never runs, a cross-origin CSRF attempt refused, keyboard
use and an axe-core check. chromedriver drives it over W3C WebDriver; .ci/run installs
Debian's chromium and chromium-driver, and without them these tests skip.

Set MOCKAMOCHA_SCREENSHOTS to a folder (docs/screenshots) to keep each page's
screenshots at laptop and phone widths.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from dashboard_server import (  # type: ignore[import-not-found]
    ADMIN,
    SPECS,
    Served,
    served_fixture,  # noqa: F401 -- the fixture
)
from webdriver import HAVE_BROWSER, Browser  # type: ignore[import-not-found]

pytestmark = pytest.mark.skipif(
    not HAVE_BROWSER, reason="chromium and chromedriver are not installed (.ci/run installs them)"
)
HERE = Path(__file__).parent
AXE_VERSION = "4.10.3"
WIDTHS = {"laptop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with Browser(tmp_path_factory.mktemp("profile")) as running:
        yield running


@pytest.fixture(scope="module")
def token(served: Served) -> str:
    answer = requests.post(
        served.url + "/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}, timeout=10
    )
    return str(answer.json()["data"]["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _signed_in(browser: Browser, served: Served) -> None:
    browser.go(served.url + "/#/collections")
    browser.wait_for("#signin-title, #top:not([hidden])")
    if browser.run("return !document.getElementById('top').hidden"):
        return
    browser.type("input[name=email]", ADMIN[0])
    browser.type("input[name=password]", ADMIN[1])
    browser.click("form button[type=submit]")
    browser.wait_for("h1", "Collections")


def _collection(served: Served, token: str, name: str, spec: Path) -> dict[str, Any]:
    made = requests.post(
        served.url + "/api/collections", json={"name": name}, headers=_bearer(token), timeout=10
    ).json()["data"]
    requests.post(
        served.url + f"/api/collections/{made['id']}/import",
        data=spec.read_bytes(),
        headers={**_bearer(token), "Content-Type": "application/yaml"},
        timeout=30,
    )
    return dict(made)


def _endpoint(served: Served, token: str, coll: dict[str, Any], operation: str) -> str:
    listing = requests.get(
        served.url + "/api/endpoints",
        params={"collection_id": coll["id"], "per_page": 100},
        headers=_bearer(token),
        timeout=10,
    ).json()["data"]["endpoints"]
    return next(str(e["id"]) for e in listing if e["operation"] == operation)


def test_signing_in_with_a_wrong_password_says_so_then_works(
    browser: Browser, served: Served
) -> None:
    browser.go(served.url + "/")
    browser.wait_for("#signin-title")
    browser.type("input[name=email]", ADMIN[0])
    browser.type("input[name=password]", "not the password")
    browser.click("form button[type=submit]")
    browser.wait_for(".error-box", "invalid email or password")
    browser.type("input[name=password]", ADMIN[1])
    browser.click("form button[type=submit]")
    browser.wait_for("h1", "Collections")
    # the cookie is HttpOnly: the page's script cannot read it
    assert "mm_session" not in browser.run("return document.cookie")
    browser.click("#signout")
    browser.wait_for(".notice", "You are signed out.")
    assert requests.get(served.url + "/api/auth/session", timeout=10).status_code == 401


def test_import_by_paste_shows_the_result_and_the_collection(
    browser: Browser, served: Served
) -> None:
    _signed_in(browser, served)
    browser.type("input[name=name]", "Shop")
    browser.click("button", "Create collection")
    browser.wait_for("td a", "Shop")
    browser.run(
        "document.querySelector('select[name=collection]').value ="
        "[...document.querySelectorAll('select[name=collection] option')]"
        ".find((o) => o.textContent.startsWith('Shop')).value"
    )
    browser.type("textarea[name=document]", (SPECS / "petstore.yaml").read_text())
    browser.click("button", "Import")
    result = browser.wait_for(".import-result")
    assert result
    text = browser.text(".import-result")
    assert "8 endpoints created" in text
    assert "No warnings." in text
    row = browser.text("tr:has(a[href^='#/collections/coll_'])")
    assert "/mocks/shop" in row


def test_a_rule_made_in_the_form_answers_in_the_mock_and_errors_show_at_the_field(
    browser: Browser, served: Served, token: str
) -> None:
    coll = _collection(served, token, "Rules", SPECS / "petstore.yaml")
    endpoint = _endpoint(served, token, coll, "GET /pets/{petId}")
    _signed_in(browser, served)
    browser.go(f"{served.url}/#/endpoints/{endpoint}")
    browser.wait_for("#rules-title")
    browser.click("button", "Add a rule")
    browser.type("input[name=rule-name]", "rex")
    browser.type("input[name=status]", "99")
    browser.type("textarea[name=json]", '{"id": 7, "name": "Rex"}')
    browser.click("button", "Create the rule")
    error = browser.wait_for("input[name=status] ~ .field-error:not([hidden])")
    assert error
    assert "response.status" in browser.text("input[name=status] ~ .field-error")
    assert (
        browser.run(
            "return document.querySelector('input[name=status]').getAttribute('aria-invalid')"
        )
        == "true"
    )
    browser.type("input[name=status]", "200")
    browser.click("button", "Create the rule")
    browser.wait_for("td", "rex")
    # the mock answers with it, in the try-it panel and to any client
    browser.type("input[name=path-petId]", "3")
    browser.click("button", "Send GET")
    browser.wait_for("[data-answer]", "Rex")
    assert "200 OK" in browser.text(".status-line")
    assert requests.get(coll["mock_url"] + "/pets/3", timeout=10).json() == {"id": 7, "name": "Rex"}
    # the JSON editor takes what the form does not, and shows the server's errors there
    browser.click("button", "Add a rule")
    browser.click("label[for=mode-json]")
    browser.type("textarea[name=rule-json]", '{"response": {"fault": "nope"}}')
    browser.click("button", "Create the rule")
    browser.wait_for("textarea[name=rule-json] ~ .field-error:not([hidden])", "response.fault")
    browser.type(
        "textarea[name=rule-json]",
        "name: from yaml\npriority: 5\nmatch:\n  path: {petId: '404'}\nresponse:\n  status: 404\n",
    )
    browser.click("button", "Create the rule")
    browser.wait_for("td", "from yaml")
    assert requests.get(coll["mock_url"] + "/pets/404", timeout=10).status_code == 404


def test_a_request_appears_in_the_live_log_without_reloading(
    browser: Browser, served: Served, token: str
) -> None:
    coll = _collection(served, token, "Live", SPECS / "petstore.yaml")
    _signed_in(browser, served)
    browser.go(served.url + "/#/requests")
    browser.wait_for("h1", "Requests")
    browser.run("window.__stayed = true")
    requests.get(coll["mock_url"] + "/pets", params={"limit": "abc"}, timeout=10)
    browser.wait_for("tr.new button", "/pets?limit=abc", timeout=15)
    assert browser.run("return window.__stayed") is True  # the same page: no reload
    browser.click("tr button", "/pets?limit=abc")
    browser.wait_for("#detail-title")
    detail = browser.text(".detail")
    assert "Contract violations (1)" in detail
    assert "query.limit" in detail
    assert "User-Agent: python-requests" in detail  # the request's headers
    assert "The answer: 400" in detail  # and the answer, with its body
    assert "limit" in browser.text(".detail pre:last-of-type")
    browser.click("label[for=only-violations]")
    time.sleep(0.5)
    assert "limit=abc" in browser.text(".log")


def test_an_api_key_is_shown_once_works_and_stops_when_revoked(
    browser: Browser, served: Served
) -> None:
    _signed_in(browser, served)
    browser.go(served.url + "/#/settings")
    browser.type("input[name=key-name]", "ci key")
    browser.click("button", "Create API key")
    key = browser.run("return document.querySelector('[data-new-key]')?.textContent")
    for _ in range(50):
        if key:
            break
        time.sleep(0.1)
        key = browser.run("return document.querySelector('[data-new-key]')?.textContent")
    assert key.startswith("mm_")
    assert requests.get(served.url + "/api/auth/me", headers=_bearer(key), timeout=10).ok
    browser.go(served.url + "/#/collections")
    browser.go(served.url + "/#/settings")
    browser.wait_for("td", "ci key")
    assert key not in browser.text("main")  # shown once only
    browser.click("button[aria-label='Revoke the key ci key']")
    assert "Revoke the key" in browser.accept_alert()
    browser.wait_for(".toast", "Key revoked")
    assert (
        requests.get(served.url + "/api/auth/me", headers=_bearer(key), timeout=10).status_code
        == 401
    )


def test_a_document_full_of_script_runs_none_of_it(
    browser: Browser, served: Served, token: str
) -> None:
    _signed_in(browser, served)
    browser.go(served.url + "/#/collections")
    browser.type("input[name=name]", "<img src=x onerror=\"window.__xss='name'\">")
    browser.click("button", "Create collection")
    browser.wait_for("td a", "<img src=x")
    browser.type("textarea[name=document]", (HERE / "xss.yaml").read_text())
    browser.click("button", "Import")
    browser.wait_for(".import-result")
    assert "1 warning" in browser.text(".import-result")  # the undeclared {id}, shown
    browser.click("td a", "<img src=x")
    browser.wait_for("td", "<svg onload")  # the tag, as text
    browser.click("td a", "/items/{id}")
    browser.wait_for("#contract-title")
    page = browser.text("main")
    for shown in (
        "<script>window.__xss='summary'</script>",
        "<iframe src=\"javascript:window.__xss='param'\"></iframe>",
        "<img src=x onerror=window.__xss='prop'>",
    ):
        assert shown in page
    browser.type("input[name=path-id]", "1")
    browser.click("button", "Send GET")
    browser.wait_for("[data-answer]", "<script>window.__xss='example'</script>")
    browser.go(served.url + "/#/requests")
    browser.wait_for("tr button", "/items/1")
    browser.click("tr button", "/items/1")
    browser.wait_for("#detail-title")
    browser.go(served.url + "/#/analytics")
    browser.wait_for("#coverage-title")
    assert browser.run("return window.__xss") is None
    injected = browser.run(
        "return document.querySelectorAll('main script, main img, main svg[onload], main iframe,"
        " main [onerror], main [onload], main [onmouseover]').length"
    )
    assert injected == 0


def test_filter_generate_rename_and_delete(browser: Browser, served: Served, token: str) -> None:
    coll = _collection(served, token, "Tools", SPECS / "petstore.yaml")
    _signed_in(browser, served)
    browser.go(f"{served.url}/#/collections/{coll['id']}")
    browser.wait_for("p.count", "of 8 endpoints")
    browser.run(
        "const s = document.querySelector('select[name=method]'); s.value = 'DELETE';"
        "s.dispatchEvent(new Event('input'))"
    )
    assert browser.text("p.count") == "1 of 8 endpoints"
    browser.type("input[name=path]", "nothing-like-this")
    browser.wait_for("p.count", "0 of 8")
    endpoint = _endpoint(served, token, coll, "GET /pets/{petId}")
    browser.go(f"{served.url}/#/endpoints/{endpoint}")
    browser.wait_for("#generate-title")
    browser.type("input[name=count]", "5")
    browser.type("input[name=seed]", "3")
    browser.type("textarea[name=custom-fields]", '{"tag": ["a", "b"]}')
    browser.click("button", "Generate")
    browser.wait_for("table.preview")
    assert browser.run("return document.querySelectorAll('table.preview tbody tr').length") == 5
    tags = browser.run(
        "return [...document.querySelectorAll('table.preview td[data-label=tag]')]"
        ".map((td) => td.textContent)"
    )
    assert set(tags) <= {"a", "b"}
    assert "5 records (seed 3)" in browser.text("main")
    browser.go(served.url + "/#/collections")
    browser.click("button[aria-label='Rename Tools']")
    browser.type("input[name=name]:focus", "Tools renamed")
    browser.click("button", "Save")
    browser.wait_for("td a", "Tools renamed")
    browser.click("button[aria-label='Delete Tools renamed']")
    assert "Delete the collection" in browser.accept_alert()
    browser.wait_for(".toast", "Deleted Tools renamed")
    gone = requests.get(
        served.url + f"/api/collections/{coll['id']}", headers=_bearer(token), timeout=10
    )
    assert gone.status_code == 404


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return None


ATTACK = """<!doctype html><html><body><p id="out">running</p><script>
const target = %s;
Promise.allSettled([
  fetch(target + '/api/collections', {method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: {'Content-Type': 'text/plain'}, body: JSON.stringify({name: 'csrf-attack'})}),
  fetch(target + '/api/auth/session', {credentials: 'include'}).then((r) => r.text()),
]).then((all) => {
  document.getElementById('out').textContent = JSON.stringify(all.map((r) => r.status));
  document.title = 'done';
});
</script>
<form id="f" method="post" action="%s/api/keys" enctype="text/plain" target="sink">
<input name='{"name": "csrf-form", "x": "' value='"}'></form><iframe name="sink"></iframe>
<script>document.getElementById('f').submit();</script></body></html>"""


def test_a_csrf_attempt_from_another_origin_is_refused(
    browser: Browser, served: Served, token: str, tmp_path: Path
) -> None:
    _signed_in(browser, served)  # the browser holds a live session cookie
    (tmp_path / "attack.html").write_text(ATTACK % (json.dumps(served.url), served.url))
    evil = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        browser.go(f"http://127.0.0.1:{evil.server_address[1]}/attack.html")
        for _ in range(100):
            if browser.run("return document.title") == "done":
                break
            time.sleep(0.1)
        time.sleep(1.0)  # the form post, too
        # the credentialed read is refused by CORS; the blind writes by the server
        assert json.loads(browser.text("#out")) == ["fulfilled", "rejected"]
    finally:
        evil.shutdown()
        evil.server_close()
    names = [
        c["name"]
        for c in requests.get(
            served.url + "/api/collections",
            params={"per_page": 100},
            headers=_bearer(token),
            timeout=10,
        ).json()["data"]["collections"]
    ]
    assert "csrf-attack" not in names
    keys = requests.get(served.url + "/api/keys", headers=_bearer(token), timeout=10).json()
    assert "csrf-form" not in json.dumps(keys)
    # and the session still works from its own origin
    _signed_in(browser, served)


def test_the_pages_work_with_the_keyboard_alone(browser: Browser, served: Served) -> None:
    _signed_in(browser, served)
    browser.go(served.url + "/#/collections")
    browser.wait_for("h1", "Collections")
    browser.run("location.reload()")  # focus starts at the top of the document
    browser.wait_for("h1", "Collections")
    seen = []
    for _ in range(12):
        browser.keys("\ue004")  # Tab
        seen.append(
            browser.run(
                "const el = document.activeElement;"
                "const style = getComputedStyle(el);"
                "return [el.tagName, el.textContent.trim().slice(0, 30),"
                " style.outlineStyle !== 'none' && style.outlineWidth !== '0px']"
            )
        )
    names = [name for _, name, _ in seen]
    assert "Requests" in names
    hidden = [(tag, name) for tag, name, visible in seen if not visible and tag != "BODY"]
    assert hidden == []  # every focus is visible
    browser.run("location.reload()")
    browser.wait_for("h1", "Collections")
    for _ in range(20):
        if browser.run("return document.activeElement.textContent.trim()") == "Requests":
            break
        browser.keys("\ue004")
    browser.keys("\ue007")  # Enter follows the focused link
    browser.wait_for("h1", "Requests")


def _axe(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    """axe-core's script, installed from the npm registry at a pinned version; None without npm."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    folder = tmp_path_factory.getbasetemp() / "axe"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        folder.mkdir(exist_ok=True)
        run = subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(folder),
                f"axe-core@{AXE_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if run.returncode != 0:
            return None
    return script.read_text()


PAGES = ["collections", "collection", "endpoint", "requests", "analytics", "settings"]


def _page_urls(served: Served, token: str) -> dict[str, str]:
    coll = _collection(served, token, "Pet Store", SPECS / "petstore.yaml")
    endpoint = _endpoint(served, token, coll, "GET /pets")
    for query in ("", "?limit=2", "?limit=abc"):
        requests.get(coll["mock_url"] + "/pets" + query, timeout=10)
    requests.get(coll["mock_url"] + "/pets/1", timeout=10)
    return {
        "collections": "#/collections",
        "collection": f"#/collections/{coll['id']}",
        "endpoint": f"#/endpoints/{endpoint}",
        "requests": "#/requests",
        "analytics": "#/analytics",
        "settings": "#/settings",
    }


def test_every_page_passes_axe_at_both_widths_and_is_photographed(
    browser: Browser,
    served: Served,
    token: str,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    axe = _axe(tmp_path_factory)
    shots = Path(os.environ.get("MOCKAMOCHA_SCREENSHOTS") or tmp_path / "shots")
    urls = _page_urls(served, token)
    _signed_in(browser, served)
    browser.console()  # forget what came before
    failures: dict[str, Any] = {}
    try:
        for width_name, (width, height) in WIDTHS.items():
            browser.size(width, height)
            for page in PAGES:
                browser.go(f"{served.url}/{urls[page]}")
                browser.wait_for("main h1")
                browser.wait_for("main:not(:has(.loading))")
                time.sleep(0.3)
                browser.screenshot(shots / f"{page}-{width_name}.png")
                if axe is None:
                    continue
                browser.run(axe + "\nreturn true;")
                found = browser.run_async(
                    "const done = arguments[arguments.length - 1];"
                    "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
                    ".then((r) => done(r.violations.map((v) => [v.id, v.impact,"
                    " v.nodes.slice(0, 3).map((n) => n.target.join(' '))])))"
                    ".catch((e) => done([['axe failed', String(e)]]));"
                )
                if found:
                    failures[f"{page}@{width_name}"] = found
    finally:
        browser.size(*WIDTHS["laptop"])
    assert all((shots / f"{p}-{w}.png").stat().st_size > 5000 for p in PAGES for w in WIDTHS)
    assert failures == {}
    # the CSP never had to refuse anything the pages themselves do, and nothing failed
    assert [e["message"] for e in browser.console() if e["level"] == "SEVERE"] == []
    if axe is None:
        pytest.skip("npm is not available: axe-core could not be installed (screenshots taken)")
