"""The SDK's errors: one class per error code of the management API, and transport errors.

Every error the client raises is an ``SdkError``. An answer of the server with an error
envelope becomes an ``ApiError`` subclass chosen by its ``code`` (else its status); a
request that got no answer (refused connection, timeout, broken stream) becomes a
``TransportError``.
"""

from __future__ import annotations

from collections.abc import Mapping

from pytest_mockamocha._wire import ERROR_CODES


class SdkError(Exception):
    """The root of every error the SDK raises."""


class TransportError(SdkError):
    """No answer from the server: connection refused or reset, DNS failure, timeout."""


class Timeout(TransportError):
    """The server did not answer within the client's ``timeout``."""


class ApiError(SdkError):
    """An error answer of the management API (the error envelope)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: tuple[str, ...] = (),
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, details, request_id, retry_after)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.request_id = request_id
        #: seconds to wait before trying again (``Retry-After``), when the server said so
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = f"{self.status} {self.code}: {self.message}"
        if self.details:
            text += " (" + "; ".join(self.details) + ")"
        if self.request_id:
            text += f" [request {self.request_id}]"
        return text


class ValidationError(ApiError):
    """``VALIDATION_ERROR`` (400 malformed, 422 invalid fields; one ``details`` entry each)."""


class Unauthorized(ApiError):
    """``UNAUTHORIZED`` (401): no token, a bad or expired token, a revoked key."""


class Forbidden(ApiError):
    """``FORBIDDEN`` (403)."""


class NotFound(ApiError):
    """``NOT_FOUND`` (404), also for whatever belongs to another workspace."""


class MethodNotAllowed(ApiError):
    """``METHOD_NOT_ALLOWED`` (405)."""


class Conflict(ApiError):
    """``CONFLICT`` (409)."""


class PayloadTooLarge(ApiError):
    """``PAYLOAD_TOO_LARGE`` (413)."""


class UnsupportedMediaType(ApiError):
    """``UNSUPPORTED_MEDIA_TYPE`` (415)."""


class HeadersTooLarge(ApiError):
    """``HEADERS_TOO_LARGE`` (431): the request's headers are larger than the server reads."""


class RateLimited(ApiError):
    """``RATE_LIMITED`` (429); ``retry_after`` says how long to wait."""


class InternalError(ApiError):
    """``INTERNAL_ERROR`` (500 and other 5xx answers)."""


BY_CODE: Mapping[str, type[ApiError]] = {
    "VALIDATION_ERROR": ValidationError,
    "UNAUTHORIZED": Unauthorized,
    "FORBIDDEN": Forbidden,
    "NOT_FOUND": NotFound,
    "METHOD_NOT_ALLOWED": MethodNotAllowed,
    "CONFLICT": Conflict,
    "PAYLOAD_TOO_LARGE": PayloadTooLarge,
    "UNSUPPORTED_MEDIA_TYPE": UnsupportedMediaType,
    "HEADERS_TOO_LARGE": HeadersTooLarge,
    "RATE_LIMITED": RateLimited,
    "INTERNAL_ERROR": InternalError,
}
#: the server's own table (``pytest_mockamocha._wire``): the only other module the SDK imports
BY_STATUS: Mapping[int, str] = ERROR_CODES


def error_class(code: str, status: int) -> type[ApiError]:
    """The class for an error ``code``; by ``status`` when the code is unknown."""
    if code in BY_CODE:
        return BY_CODE[code]
    if status in BY_STATUS:
        return BY_CODE[BY_STATUS[status]]
    return InternalError if status >= 500 else ApiError
