"""Reading an HTTP answer of the management API: the data of the envelope, or the error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import httpx

from pytest_mockamocha.sdk.calls import Call
from pytest_mockamocha.sdk.errors import (
    BY_CODE,
    ApiError,
    Timeout,
    TransportError,
    error_class,
)

T = TypeVar("T")
USER_AGENT = "mockamocha-sdk-python"


def read(call: Call[T], response: httpx.Response) -> T:
    """The call's result from ``response``; an ``ApiError`` for an error answer."""
    if response.status_code >= 400:
        raise api_error(response)
    if response.status_code == 204:
        return call.read(None)
    body = _json(response)
    if call.raw:
        return call.read(body)
    if not isinstance(body, Mapping) or "data" not in body:
        raise _unexpected(response, "the answer has no data envelope")
    return call.read(body["data"])


def api_error(response: httpx.Response) -> ApiError:
    """The ``ApiError`` subclass for an error answer, from its envelope when it has one."""
    status = response.status_code
    request_id = response.headers.get("X-Request-Id")
    try:
        body = response.json()
        error = body["error"]
        code, message = str(error["code"]), str(error["message"])
        details = tuple(str(d) for d in error.get("details") or ())
        request_id = body.get("meta", {}).get("request_id") or request_id
    except (ValueError, KeyError, TypeError, AttributeError):
        code, message, details = "", response.reason_phrase or f"HTTP {status}", ()
    cls = error_class(code, status)
    code = code or next((k for k, v in BY_CODE.items() if v is cls), f"HTTP_{status}")
    retry = _retry_after(response.headers.get("Retry-After"))
    return cls(status, code, message, details, request_id, retry)


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise _unexpected(response, "the answer is not JSON") from None


def _unexpected(response: httpx.Response, why: str) -> ApiError:
    request_id = response.headers.get("X-Request-Id")
    return ApiError(response.status_code, "UNEXPECTED_ANSWER", why, (), request_id)


def transport_error(exc: httpx.HTTPError, url: str) -> TransportError:
    """A ``TransportError`` (``Timeout`` for timeouts) naming the server."""
    if isinstance(exc, httpx.TimeoutException):
        return Timeout(f"no answer from {url} in time ({type(exc).__name__})")
    return TransportError(f"cannot reach {url}: {exc or type(exc).__name__}")


def headers(call: Call[Any], token: str | None) -> dict[str, str]:
    """The request headers of ``call``."""
    result = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if token:
        result["Authorization"] = f"Bearer {token}"
    if call.content_type:
        result["Content-Type"] = call.content_type
    result.update(call.headers)
    return result
