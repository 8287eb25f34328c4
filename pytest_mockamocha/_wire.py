"""The management API's error codes by HTTP status: what travels on the wire.

The server's envelope (``api/envelope.py``) writes these codes and the SDK
(``sdk/errors.py``) reads them, so both import this one table. It imports nothing, which
is why the SDK, an island that knows only HTTP, may import it (an import-linter contract
keeps it that way).
"""

from __future__ import annotations

from collections.abc import Mapping

#: the ``error.code`` of each status the management API answers with
ERROR_CODES: Mapping[int, str] = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    431: "HEADERS_TOO_LARGE",
    500: "INTERNAL_ERROR",
}
