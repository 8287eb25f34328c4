"""The management API's envelope, in exactly one place.

Success: ``{"data": ..., "meta": {"request_id", "timestamp"}}``; errors:
``{"error": {"code", "message", "details"}, "meta": {...}}``. Both carry ``X-Request-Id``.
Handlers raise ``ApiError`` (defined with the rest of the error tree in ``errors.py``, its
codes in ``_wire.py``, the table the SDK reads too); this module is where it becomes the
error envelope.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from pytest_mockamocha.errors import ApiError
from pytest_mockamocha.store import utc_now

__all__ = ["Answer", "ApiError", "failure", "internal", "success"]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a handler returns: the ``data`` of the envelope and the status."""

    data: Any
    status: int = 200
    #: send ``data`` as the whole body, without the envelope (the OpenAPI document)
    raw: bool = False
    #: more response headers (``Location`` of what a 201 or 202 made)
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def created(cls, data: Any, location: str) -> Answer:
        """``201 Created`` with the ``Location`` of what was made."""
        return cls(data, 201, headers=(("Location", location),))


def _meta(request_id: str) -> dict[str, str]:
    return {"request_id": request_id, "timestamp": utc_now()}


def _json(body: Any, status: int, request_id: str) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False), status, content_type="application/json"
    )
    response.headers["X-Request-Id"] = request_id
    return response


def success(answer: Answer, request_id: str) -> Response:
    """The success envelope."""
    if answer.status == 204:
        response = Response(status=204)
        response.headers["X-Request-Id"] = request_id
        response.headers.extend(answer.headers)
        return response
    body = answer.data if answer.raw else {"data": answer.data, "meta": _meta(request_id)}
    response = _json(body, answer.status, request_id)
    response.headers.extend(answer.headers)
    return response


def error_document(error: ApiError, request_id: str) -> dict[str, Any]:
    """The error envelope's JSON document."""
    return {
        "error": {"code": error.code, "message": error.message, "details": error.details},
        "meta": _meta(request_id),
    }


def failure(error: ApiError, request_id: str) -> Response:
    """The error envelope."""
    response = _json(error_document(error, request_id), error.status, request_id)
    response.headers.extend(error.headers)
    return response


def internal(request_id: str) -> Response:
    """The answer to anything unexpected: the request id and nothing else."""
    return failure(ApiError(500, f"unexpected error; request id {request_id}"), request_id)
