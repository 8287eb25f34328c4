"""Error answers become one exception class per code; no answer becomes ``TransportError``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from pytest_mockamocha.sdk import (
    ApiError,
    Client,
    Conflict,
    Forbidden,
    InternalError,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    SdkError,
    Timeout,
    TransportError,
    Unauthorized,
    UnsupportedMediaType,
    ValidationError,
)
from pytest_mockamocha.sdk.calls import Call


def test_not_found_carries_the_request_id(client: Client) -> None:
    with pytest.raises(NotFound) as caught:
        client.collections.get("coll_missing")
    error = caught.value
    assert (error.status, error.code) == (404, "NOT_FOUND")
    assert error.request_id is not None
    assert error.request_id.startswith("req_")
    assert "coll_missing" in error.message
    assert error.request_id in str(error)
    assert isinstance(error, ApiError)
    assert isinstance(error, SdkError)


def test_validation_error_lists_details(client: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        client.collections.create("   ")
    assert caught.value.status == 422
    assert caught.value.details
    assert any("name" in d for d in caught.value.details)


def test_bad_token_is_unauthorized(server_url: str) -> None:
    with Client(server_url, token="not-a-token") as mm, pytest.raises(Unauthorized) as caught:
        mm.me()
    assert caught.value.status == 401
    assert caught.value.code == "UNAUTHORIZED"


def test_wrong_password_is_unauthorized(server_url: str) -> None:
    with Client(server_url) as mm, pytest.raises(Unauthorized):
        mm.login("nobody@example.com", "wrong password")
    assert mm.token is None


def test_conflict_method_not_allowed_and_media_type(client: Client) -> None:
    with pytest.raises(MethodNotAllowed):
        client.send(Call("PUT", "/api/collections", lambda d: d))
    with pytest.raises(UnsupportedMediaType):
        client.send(Call("POST", "/api/collections", dict, body=b"x", content_type="text/plain"))
    slug = "conflicting-slug"
    first = client.collections.create("A", slug=slug)
    try:
        with pytest.raises(Conflict) as caught:
            client.collections.create("B", slug=slug)
        assert caught.value.status == 409
    finally:
        client.collections.delete(first.id)


def test_payload_too_large(client: Client) -> None:
    big = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    with pytest.raises(PayloadTooLarge):
        client.send(
            Call("POST", "/api/collections", dict, body=big, content_type="application/json")
        )


def _answering(
    status: int, body: bytes, headers: dict[str, str] | None = None
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=headers or {})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "VALIDATION_ERROR", ValidationError),
        (401, "UNAUTHORIZED", Unauthorized),
        (403, "FORBIDDEN", Forbidden),
        (404, "NOT_FOUND", NotFound),
        (405, "METHOD_NOT_ALLOWED", MethodNotAllowed),
        (409, "CONFLICT", Conflict),
        (413, "PAYLOAD_TOO_LARGE", PayloadTooLarge),
        (415, "UNSUPPORTED_MEDIA_TYPE", UnsupportedMediaType),
        (422, "VALIDATION_ERROR", ValidationError),
        (429, "RATE_LIMITED", RateLimited),
        (500, "INTERNAL_ERROR", InternalError),
    ],
    ids=lambda v: str(v) if not isinstance(v, type) else v.__name__,
)
def test_every_code_has_its_class(status: int, code: str, cls: type[ApiError]) -> None:
    body = (
        b'{"error": {"code": "%s", "message": "m", "details": ["d"]}, '
        b'"meta": {"request_id": "req_1", "timestamp": "2024-01-01T00:00:00Z"}}' % code.encode()
    )
    transport = _answering(status, body, {"Retry-After": "7"})
    with Client("http://mm.invalid", transport=transport) as mm, pytest.raises(cls) as caught:
        mm.me()
    error = caught.value
    assert type(error) is cls
    assert (error.status, error.code, error.message, error.details) == (status, code, "m", ("d",))
    assert error.request_id == "req_1"
    assert error.retry_after == 7.0


def test_an_answer_without_envelope_is_still_an_api_error() -> None:
    transport = _answering(502, b"<html>bad gateway</html>")
    with (
        Client("http://mm.invalid", transport=transport) as mm,
        pytest.raises(InternalError) as caught,
    ):
        mm.me()
    assert caught.value.status == 502


def test_rate_limited_after_failed_logins(server_url: str) -> None:
    with Client(server_url) as mm:
        for _ in range(5):  # five wrong passwords for one account are free; the sixth waits
            with pytest.raises(Unauthorized):
                mm.login("flood@example.com", "wrong password")
        with pytest.raises(RateLimited) as caught:
            mm.login("flood@example.com", "wrong password")
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0


def test_connection_refused_is_a_transport_error(free_port: int) -> None:
    mm = Client(f"http://127.0.0.1:{free_port}", timeout=2)
    with mm, pytest.raises(TransportError) as caught:
        mm.collections.list()
    assert f"127.0.0.1:{free_port}" in str(caught.value)
    assert not isinstance(caught.value, ApiError)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_server_times_out(silent_server: int) -> None:
    started = time.monotonic()
    with Client(f"http://127.0.0.1:{silent_server}", timeout=0.5) as mm, pytest.raises(Timeout):
        mm.me()
    assert time.monotonic() - started < 5
