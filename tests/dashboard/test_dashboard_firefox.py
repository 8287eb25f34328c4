"""The dashboard in headless Firefox ESR (Debian's firefox-esr, driven over Marionette):
sign in, import, a schema, try-it, a rule answering, the live log, and the script-laden
document running none of its script. Skips without Firefox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from dashboard_server import (  # type: ignore[import-not-found]
    ADMIN,
    SPECS,
    Served,
    served_fixture,  # noqa: F401 -- the fixture
)
from marionette import FIREFOX, Firefox  # type: ignore[import-not-found]

pytestmark = pytest.mark.skipif(FIREFOX is None, reason="firefox-esr is not installed")
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    with Firefox(tmp_path_factory.mktemp("firefox")) as running:
        yield running


def test_the_dashboard_works_in_firefox(firefox: Firefox, served: Served) -> None:
    b = firefox
    b.go(served.url + "/")
    b.wait_for("#signin-title", timeout=30)
    b.type("input[name=email]", ADMIN[0])
    b.type("input[name=password]", ADMIN[1])
    b.click("form button[type=submit]")
    b.wait_for("h1", "Collections")
    b.type("input[name=name]", "Fox")
    b.click("button", "Create collection")
    b.wait_for("td a", "Fox")
    b.type("textarea[name=document]", (SPECS / "petstore.yaml").read_text())
    b.click("button", "Import")
    b.wait_for(".import-result", "8 endpoints created")
    b.click("td a", "Fox")
    b.wait_for("p.count", "of 8 endpoints")
    b.click("tr:has(.m-get) a", "/pets/{petId}")
    b.wait_for("#contract-title")
    assert "integer (int64)" in b.text("main")  # the schema, drawn
    b.click("button", "Add a rule")
    b.type("input[name=rule-name]", "firefox rule")
    b.type("textarea[name=json]", '{"id": 9, "name": "Fox"}')
    b.click("button", "Create the rule")
    b.wait_for("td", "firefox rule")
    b.type("input[name=path-petId]", "2")
    b.click("button", "Send GET")
    b.wait_for("[data-answer]", '"Fox"')
    b.go(served.url + "/#/requests")
    b.wait_for("h1", "Requests")
    b.run("window.__stayed = true")
    requests.get(served.url + "/mocks/fox/pets/5", timeout=10)
    b.wait_for("tr button", "/pets/5", timeout=15)
    assert b.run("return window.__stayed") is True


def test_script_in_a_document_never_runs_in_firefox(firefox: Firefox, served: Served) -> None:
    b = firefox
    b.go(served.url + "/#/collections")
    b.wait_for("h1", "Collections")
    b.type("input[name=name]", "<img src=x onerror=\"window.__xss='name'\">")
    b.click("button", "Create collection")
    b.wait_for("td a", "<img src=x")
    b.type("textarea[name=document]", (HERE / "xss.yaml").read_text())
    b.click("button", "Import")
    b.wait_for(".import-result")
    b.click("td a", "<img src=x")
    b.click("td a", "/items/{id}")
    b.wait_for("#contract-title")
    assert "<script>window.__xss='summary'</script>" in b.text("main")
    time.sleep(0.5)
    assert b.run("return window.__xss") is None
    assert (
        b.run(
            "return document.querySelectorAll('main script, main img, main iframe,"
            " main [onerror], main [onload]').length"
        )
        == 0
    )
