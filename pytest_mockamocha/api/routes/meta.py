"""``/api/openapi.json``: the document of this API (public, like ``/api/health``)."""

from __future__ import annotations

from pytest_mockamocha.api.document import openapi_document
from pytest_mockamocha.api.envelope import Answer
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call


def document(call: Call) -> Answer:
    return Answer(openapi_document(), raw=True)


ROUTES = [Route("/api/openapi.json", ("GET",), document, public=True)]
