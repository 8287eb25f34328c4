"""``/api/collections/{id}/import`` and ``/api/imports/{id}``: OpenAPI documents in."""

from __future__ import annotations

from typing import Any

from pytest_mockamocha.api.catalog import spec_text
from pytest_mockamocha.api.envelope import Answer, ApiError
from pytest_mockamocha.api.importjobs import ASYNC_THRESHOLD
from pytest_mockamocha.api.inputs import (
    MAX_IMPORT_BODY,
    Field,
    field_problems,
    is_json_type,
    raw_body,
    read_json,
    too_large,
)
from pytest_mockamocha.api.routing import Route
from pytest_mockamocha.api.state import Call
from pytest_mockamocha.spec.parse import NOT_FAST
from pytest_mockamocha.store import Record

_YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
_WRAPPER = {"spec": Field((dict, str), required=True)}


def view(record: Record) -> dict[str, Any]:
    return {
        "import_id": record["id"],
        "status": record["status"],
        "stage": record.get("stage", record["status"]),
        "endpoints_created": record["endpoints_created"],
        "endpoints_updated": record["endpoints_updated"],
        "endpoints_removed": record["endpoints_removed"],
        "message": record["message"],
        "errors": list(record.get("errors") or []),
        "warnings": list(record.get("warnings") or []),
        "collection_id": record["collection_id"],
        "created_at": record["created_at"],
        "finished_at": record.get("finished_at", record["created_at"]),
    }


def _document(call: Call) -> tuple[str | bytes, str, Any]:
    """The document's text and where it came from, from any of the accepted forms; and
    the document as orjson read it from that text, when it did (else ``NOT_FAST``): the
    body is read once to tell a document from a wrapper, and not again to import it."""
    request = call.request
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        return (*_upload(call), NOT_FAST)
    if mimetype in _YAML_TYPES:
        return raw_body(request, MAX_IMPORT_BODY), "a YAML body", NOT_FAST
    if not is_json_type(mimetype):
        raise ApiError(
            415,
            "send application/json, application/yaml or multipart/form-data, "
            f"not {mimetype or 'no content type'}",
        )
    data = raw_body(request, MAX_IMPORT_BODY)
    body, fast = read_json(data) if data.strip() else (None, False)
    if isinstance(body, dict) and ("openapi" in body or "swagger" in body):
        return data, "a JSON body", body if fast else NOT_FAST
    problems = field_problems(body, _WRAPPER)
    if problems:
        raise ApiError(422, 'send {"spec": <document>} or the document itself', problems)
    assert isinstance(body, dict)
    return spec_text(body["spec"]), "the spec field", NOT_FAST


def _upload(call: Call) -> tuple[bytes, str]:
    request = call.request
    length = request.content_length
    if length is not None and length > MAX_IMPORT_BODY:
        raise too_large(MAX_IMPORT_BODY)
    request.max_content_length = MAX_IMPORT_BODY
    request.max_form_memory_size = MAX_IMPORT_BODY
    files = list(request.files.values())
    if not files:
        raise ApiError(422, "the upload has no file", ['Field "file" is required'])
    data = files[0].read(MAX_IMPORT_BODY + 1)
    if len(data) > MAX_IMPORT_BODY:
        raise too_large(MAX_IMPORT_BODY)
    return data, f"the file {files[0].filename or 'upload'}"


def run(call: Call) -> Answer:
    """Import now (201), or in the background (202, ``processing``) for a document over
    ``ASYNC_THRESHOLD`` bytes or when the client sends ``Prefer: respond-async``; then
    ``GET /api/imports/{id}`` (the ``Location``) says how it went."""
    coll = call.collection(call.args["coll_id"])
    text, source, parsed = _document(call)
    asked = _prefers_async(call.request.headers.get("Prefer", ""))
    if not asked and len(text) <= ASYNC_THRESHOLD:
        done = call.state.catalog.import_spec(coll, text, source=source, parsed=parsed)
        return Answer.created(view(done), f"/api/imports/{done['id']}")
    record = call.state.imports.submit(coll, text, source)
    headers = [("Location", f"/api/imports/{record['id']}")]
    if asked:
        headers.append(("Preference-Applied", "respond-async"))
    return Answer(view(record), 202, headers=tuple(headers))


def _prefers_async(prefer: str) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    return any(
        token.split(";")[0].strip().lower() == "respond-async" for token in prefer.split(",")
    )


def show(call: Call) -> Answer:
    imp_id = call.args["imp_id"]
    record = call.store.imports.get(imp_id)
    if record is None or record.get("workspace_id") != call.workspace:
        raise ApiError(404, f"no import {imp_id!r}")
    return Answer(view(record))


ROUTES = [
    Route("/api/collections/<coll_id>/import", ("POST",), run),
    Route("/api/imports/<imp_id>", ("GET",), show),
]
