"""Bad input gets a clear 4xx, never a 5xx, and the server keeps serving after each one.

Every case runs against both server kinds (waitress and werkzeug); after each, the
server must still answer ``/api/health``.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
import requests
from _mock_specs import SMALL_BODY_LIMIT  # type: ignore[import-not-found]

from pytest_mockamocha.server import ServerThread

Alive = Callable[[ServerThread], None]
JSON = {"Content-Type": "application/json"}


def pets(server: ServerThread) -> str:
    return f"{server.url}/mocks/petstore"


def raw_exchange(server: ServerThread, data: bytes) -> bytes:
    """Send raw bytes, return everything the server answers before closing."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(raw: bytes) -> int:
    """The status of a raw answer (an HTTP/0.9-style error page says it in its text)."""
    if raw.startswith(b"HTTP/1."):
        return int(raw.split(b" ", 2)[1])
    marker = b"Error code: "
    assert marker in raw, raw[:200]
    return int(raw.split(marker, 1)[1][:3])


def assert_client_error(status: int) -> None:
    assert 400 <= status < 500, status


# -- bodies over the limit -----------------------------------------------------------------
def test_oversized_body_with_content_length(small_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{small_server.url}/mocks/media/blobs",
        data=b"x" * 200_000,
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert response.status_code == 413
    alive(small_server)


def test_body_one_byte_over_the_limit(small_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{small_server.url}/mocks/media/blobs",
        data=b"x" * (SMALL_BODY_LIMIT + 1),
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert response.status_code == 413
    alive(small_server)


def test_body_at_the_limit_is_accepted(small_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{small_server.url}/mocks/media/blobs",
        data=b"x" * SMALL_BODY_LIMIT,
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert response.status_code == 201
    alive(small_server)


def _chunks(total: int, size: int = 10_000) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def test_oversized_chunked_body_with_requests(small_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{small_server.url}/mocks/media/blobs",
        data=_chunks(200_000),
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 413
    alive(small_server)


def test_oversized_chunked_body_with_httpx(small_server: ServerThread, alive: Alive) -> None:
    with httpx.Client(timeout=10) as client:
        response = client.post(
            f"{small_server.url}/mocks/petstore/pets", content=_chunks(200_000), headers=JSON
        )
    assert response.status_code == 413
    alive(small_server)


# -- malformed bodies ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b'{"name": ',
        b"{'name': 'Rex'}",
        b'{"name": "Rex",}',
        b"",
        b"null",
        b"[1, 2]",
        b'"just a string"',
    ],
    ids=["truncated", "single-quotes", "trailing-comma", "empty", "null", "array", "string"],
)
def test_malformed_json_is_a_4xx_problem(
    any_server: ServerThread, alive: Alive, body: bytes
) -> None:
    response = requests.post(f"{pets(any_server)}/pets", data=body, headers=JSON, timeout=10)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert any(v["location"] == "body" for v in response.json()["violations"])
    alive(any_server)


def test_deeply_nested_json_is_a_4xx(any_server: ServerThread, alive: Alive) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = requests.post(f"{pets(any_server)}/pets", data=body, headers=JSON, timeout=10)
    assert_client_error(response.status_code)
    alive(any_server)


def test_invalid_utf8_json_body(any_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{pets(any_server)}/pets", data=b'{"name": "\xff\xfeRex"}', headers=JSON, timeout=10
    )
    assert response.status_code == 422
    alive(any_server)


def test_invalid_utf8_form_body(any_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{any_server.url}/mocks/media/login",
        data=b"username=%FF&password=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert response.status_code == 400
    alive(any_server)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=xx", b"--xx\r\ngarbage without an end"),
        ("multipart/form-data", b"no boundary at all"),
    ],
    ids=["broken-parts", "no-boundary"],
)
def test_malformed_multipart_is_a_4xx(
    any_server: ServerThread, alive: Alive, content_type: str, body: bytes
) -> None:
    response = requests.post(
        f"{any_server.url}/mocks/media/files",
        data=body,
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert_client_error(response.status_code)
    alive(any_server)


def test_wrong_content_type(any_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{pets(any_server)}/pets",
        data=b'{"name": "Rex"}',
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 422
    names = {(v["location"], v["name"]) for v in response.json()["violations"]}
    assert ("header", "Content-Type") in names
    alive(any_server)


def test_missing_content_type(any_server: ServerThread, alive: Alive) -> None:
    with httpx.Client(timeout=10) as client:
        response = client.post(f"{pets(any_server)}/pets", content=b'{"name": "Rex"}')
    assert response.status_code == 422
    alive(any_server)


@pytest.mark.parametrize(
    "content_type",
    ["application/json;", "application/json; charset", "application/json; a=b=c"],
    ids=["trailing-semicolon", "parameter-without-value", "two-equals"],
)
def test_sloppy_content_type_parameters_are_tolerated(
    any_server: ServerThread, alive: Alive, content_type: str
) -> None:
    # The media type itself is clear; like most servers, the mock ignores broken parameters.
    response = requests.post(
        f"{pets(any_server)}/pets",
        data=b'{"name": "Rex"}',
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert response.status_code == 201
    alive(any_server)


def test_garbage_content_type_is_a_client_error(any_server: ServerThread, alive: Alive) -> None:
    response = requests.post(
        f"{pets(any_server)}/pets",
        data=b'{"name": "Rex"}',
        headers={"Content-Type": "///;;;="},
        timeout=10,
    )
    assert_client_error(response.status_code)
    alive(any_server)


# -- paths, queries and headers -------------------------------------------------------------
def test_path_param_of_wrong_type(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets/not-a-number", timeout=10)
    assert response.status_code == 400
    violation = response.json()["violations"][0]
    assert (violation["location"], violation["name"]) == ("path", "petId")
    alive(any_server)


def test_huge_integer_path_param(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets/{'9' * 5000}", timeout=10)
    assert_client_error(response.status_code)
    alive(any_server)


def test_invalid_utf8_percent_encoded_path(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets/%FF%FE", timeout=10)
    assert response.status_code == 400
    alive(any_server)


def test_invalid_utf8_raw_path_bytes(any_server: ServerThread, alive: Alive) -> None:
    raw = raw_exchange(
        any_server,
        b"GET /mocks/petstore/pets/\xff\xfe HTTP/1.1\r\n"
        b"Host: localhost\r\nConnection: close\r\n\r\n",
    )
    assert_client_error(status_of(raw))
    alive(any_server)


def test_nul_byte_in_path(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets/%00", timeout=10)
    assert response.status_code == 400
    alive(any_server)


def test_invalid_utf8_query(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets?status=%FF%FE", timeout=10)
    assert response.status_code == 400
    assert response.json()["violations"][0]["name"] == "status"
    alive(any_server)


def test_very_long_url(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets/{'1' * 70_000}", timeout=10)
    assert_client_error(response.status_code)
    alive(any_server)


def test_many_query_parameters(any_server: ServerThread, alive: Alive) -> None:
    query = "&".join(f"x{i}=1" for i in range(3000))
    response = requests.get(f"{pets(any_server)}/pets?{query}", timeout=10)
    assert response.status_code < 500
    alive(any_server)


def test_64_kib_header(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(f"{pets(any_server)}/pets", headers={"X-Big": "a" * 65536}, timeout=10)
    if any_server.kind == "waitress":
        assert response.status_code == 200
    else:  # the standard library's server limits one header line to 64 KiB
        assert_client_error(response.status_code)
    alive(any_server)


def test_one_mib_of_headers(any_server: ServerThread, alive: Alive) -> None:
    headers = {f"X-Big-{i}": "a" * 8000 for i in range(128)}
    try:
        response = requests.get(f"{pets(any_server)}/pets", headers=headers, timeout=10)
    except requests.ConnectionError:
        pass  # refusing to read a megabyte of headers by closing is acceptable too
    else:
        assert_client_error(response.status_code)
    alive(any_server)


def test_latin1_header_value(any_server: ServerThread, alive: Alive) -> None:
    response = requests.get(
        f"{any_server.url}/mocks/security/orders",
        headers={"X-API-Key": "caf\xe9".encode("latin-1")},
        timeout=10,
    )
    assert response.status_code == 200
    alive(any_server)


def test_garbage_request_line(any_server: ServerThread, alive: Alive) -> None:
    raw = raw_exchange(any_server, b"GARBAGE\r\n\r\n")
    assert_client_error(status_of(raw))
    alive(any_server)


def test_client_that_disconnects_mid_body(any_server: ServerThread, alive: Alive) -> None:
    with socket.create_connection((any_server.host, any_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /mocks/petstore/pets HTTP/1.1\r\nHost: x\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"na'
        )
    alive(any_server)


def test_garbage_accept_and_prefer(any_server: ServerThread, alive: Alive) -> None:
    accept = requests.get(
        f"{pets(any_server)}/pets", headers={"Accept": ";;;q=abc,,*/x/y"}, timeout=10
    )
    assert_client_error(accept.status_code)
    prefer = requests.get(
        f"{pets(any_server)}/pets", headers={"Prefer": "code=abc, example"}, timeout=10
    )
    assert_client_error(prefer.status_code)
    alive(any_server)


def test_server_serves_normally_after_all_that(any_server: ServerThread) -> None:
    response = requests.get(f"{pets(any_server)}/pets", timeout=10)
    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["Rex", "Tom"]
