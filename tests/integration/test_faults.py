"""Rules' faults acted out on real sockets, on both server kinds, through real clients."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import requests
import urllib3
from _mock_specs import SPECS  # type: ignore[import-not-found]
from requests.adapters import HTTPAdapter

from pytest_mockamocha.handle import Mockamocha
from pytest_mockamocha.server import SERVER_KINDS
from pytest_mockamocha.server.faults import GARBAGE, malformed, split
from pytest_mockamocha.server.runtime import MockServer

PETS = [{"id": i, "name": f"pet {i}", "tag": None} for i in range(1, 21)]


def start(kind: str) -> MockServer:
    server = MockServer(kind=kind).start()
    server.add_spec(SPECS / "petstore.yaml")
    return server


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A petstore mock of each server kind, for this module only (its rules are its own)."""
    running = start(request.param)
    yield running
    running.stop()


@pytest.fixture
def mock(server: MockServer, request: pytest.FixtureRequest) -> Iterator[Mockamocha]:
    with Mockamocha(server, test=request.node.nodeid, strict=False) as handle:
        yield handle


def pets_url(server: MockServer) -> str:
    return server.url_for("petstore", "/pets")


def assert_alive(server: MockServer) -> None:
    """A normal request on a new connection answers at once."""
    started = time.monotonic()
    response = requests.get(server.url_for("petstore", "/pets/1"), timeout=2)
    assert response.status_code == 200
    assert response.json()["id"] == 1
    assert time.monotonic() - started < 1.0


def raw_get(server: MockServer, path: str = "/pets") -> tuple[bytes, OSError | None]:
    """Every byte a GET receives until the server ends the connection, and how it ended."""
    received = b""
    with socket.create_connection((server.host, server.port), timeout=3) as sock:
        sock.sendall(f"GET /mocks/petstore{path} HTTP/1.1\r\nHost: mock\r\n\r\n".encode())
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError as exc:  # a reset, or a timeout when the server never ends it
            return received, exc
    return received, None


def split_response(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


# -- connection_reset -------------------------------------------------------------------------
def test_connection_reset_sends_a_tcp_reset(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").fault("connection_reset")
    received, error = raw_get(server)
    assert received == b""
    assert isinstance(error, ConnectionResetError)
    assert_alive(server)


def test_connection_reset_seen_by_clients(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").fault("connection_reset")
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(pets_url(server), timeout=2)
    assert "reset" in str(caught.value).lower()
    with (
        httpx.Client(timeout=2) as client,
        pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)),
    ):
        client.get(pets_url(server))
    assert len(mock.requests("GET /pets")) == 2
    assert_alive(server)


# -- close ------------------------------------------------------------------------------------
def test_close_ends_the_connection_without_a_byte(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").fault("close")
    received, error = raw_get(server)
    assert (received, error) == (b"", None)  # a FIN: end of stream, no reset
    with pytest.raises(requests.ConnectionError, match="RemoteDisconnected"):
        requests.get(pets_url(server), timeout=2)
    with (
        httpx.Client(timeout=2) as client,
        pytest.raises(httpx.RemoteProtocolError, match="without sending a response"),
    ):
        client.get(pets_url(server))
    conn = http.client.HTTPConnection(server.host, server.port, timeout=2)
    try:
        conn.request("GET", "/mocks/petstore/pets")
        with pytest.raises(http.client.RemoteDisconnected):
            conn.getresponse()
    finally:
        conn.close()
    assert_alive(server)


# -- empty_response ---------------------------------------------------------------------------
def test_empty_response_has_status_and_headers_but_no_body(
    server: MockServer, mock: Mockamocha
) -> None:
    mock.when("GET /pets").respond(json=PETS, headers={"X-Trace": "t-1"}).fault("empty_response")
    conn = http.client.HTTPConnection(server.host, server.port, timeout=2)
    try:
        conn.request("GET", "/mocks/petstore/pets")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Length") == "0"
        assert response.getheader("Content-Type") is None
        assert response.getheader("X-Trace") == "t-1"
        assert response.read() == b""
    finally:
        conn.close()
    answer = requests.get(pets_url(server), timeout=2)
    assert answer.status_code == 200
    with pytest.raises(requests.JSONDecodeError):
        answer.json()
    assert_alive(server)


# -- malformed_body ---------------------------------------------------------------------------
def test_malformed_body_keeps_type_and_length_but_does_not_parse(
    server: MockServer, mock: Mockamocha
) -> None:
    mock.when("GET /pets").respond(json=PETS).fault("malformed_body")
    for response in (
        requests.get(pets_url(server), timeout=2),
        httpx.get(pets_url(server), timeout=2),
    ):
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert int(response.headers["Content-Length"]) == len(response.content)
        assert response.content.startswith(b'[{"id"')
        assert response.content.endswith(GARBAGE)
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    with pytest.raises(requests.JSONDecodeError):
        requests.get(pets_url(server), timeout=2).json()
    assert_alive(server)


# -- truncated_body ---------------------------------------------------------------------------
def test_truncated_body_promises_more_than_it_sends(server: MockServer, mock: Mockamocha) -> None:
    rule = mock.when("GET /pets").respond(json=PETS)
    full = requests.get(pets_url(server), timeout=2).content
    rule.fault("truncated_body")
    received, error = raw_get(server)
    assert error is None  # the server closed the connection (FIN) after half of the body
    status, headers, body = split_response(received)
    assert status.startswith("HTTP/1.1 200")
    assert headers["content-length"] == str(len(full))
    assert body == full[: len(full) // 2]
    assert_alive(server)


def test_truncated_body_seen_by_clients(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").respond(json=PETS).fault("truncated_body")
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        requests.get(pets_url(server), timeout=2)
    with httpx.Client(timeout=2) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get(pets_url(server))
    assert_alive(server)


def test_truncated_body_is_not_logged_as_a_waitress_warning(
    server: MockServer, mock: Mockamocha, caplog: pytest.LogCaptureFixture
) -> None:
    mock.when("GET /pets").respond(json=PETS).fault("truncated_body")
    with caplog.at_level("WARNING", logger="waitress"):
        raw_get(server)
        assert_alive(server)
    assert not [r for r in caplog.records if "too few bytes" in r.getMessage()]


# -- slow_body --------------------------------------------------------------------------------
def test_slow_body_reaches_a_patient_client(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").respond(json=PETS).fault("slow_body", seconds=0.8)
    started = time.monotonic()
    with httpx.Client(timeout=3) as client, client.stream("GET", pets_url(server)) as response:
        headers_after = time.monotonic() - started
        assert response.status_code == 200
        pieces = [piece for piece in response.iter_raw() if piece]
    took = time.monotonic() - started
    assert json.loads(b"".join(pieces)) == PETS
    assert headers_after < 0.4  # the headers came at once ...
    assert took > 0.6  # ... and the body over the rule's seconds
    assert len(pieces) > 2  # in several pieces
    assert_alive(server)


def test_slow_body_times_out_an_impatient_client(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").respond(json=PETS).fault("slow_body", seconds=1.6)  # 0.2 s gaps
    timeout = httpx.Timeout(2, read=0.05)
    with httpx.Client(timeout=timeout) as client, pytest.raises(httpx.ReadTimeout):
        client.get(pets_url(server))
    # requests reports a read timeout in the body as a ConnectionError (ReadTimeoutError)
    with pytest.raises(requests.RequestException, match=r"(?i)read timed out"):
        requests.get(pets_url(server), timeout=(2, 0.05))
    assert_alive(server)


# -- hang -------------------------------------------------------------------------------------
def test_hang_times_out_the_client(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").fault("hang")
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.get(pets_url(server), timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert_alive(server)


def test_hang_ends_after_its_seconds_without_an_answer(
    server: MockServer, mock: Mockamocha
) -> None:
    mock.when("GET /pets").fault("hang", seconds=0.3)
    started = time.monotonic()
    received, error = raw_get(server)
    assert (received, error) == (b"", None)
    assert 0.25 < time.monotonic() - started < 2


def test_hangs_free_the_workers_when_clients_give_up(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").fault("hang")  # 30 s unless the client leaves
    seats = server.app.waiting.per_collection

    def give_up(_: int) -> type[BaseException] | None:
        try:
            requests.get(pets_url(server), timeout=0.3)
        except requests.RequestException as exc:
            return type(exc)
        return None

    for _ in range(2):  # as many hangs as the collection may hold, in two waves
        with ThreadPoolExecutor(max_workers=seats) as pool:
            outcomes = list(pool.map(give_up, range(seats)))
        assert set(outcomes) == {requests.ReadTimeout}
        deadline = time.monotonic() + 5  # the server polls for clients that left every 0.05 s
        while server.app.waiting.waiting() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.app.waiting.waiting() == 0
    for _ in range(20):  # more than the workers: each must be free again
        assert_alive(server)


@pytest.mark.parametrize("kind", SERVER_KINDS)
def test_stop_returns_promptly_while_a_request_hangs(kind: str) -> None:
    server = start(kind)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            requests.get(pets_url(server), timeout=5)
        except requests.RequestException as exc:
            outcome.append(exc)

    with Mockamocha(server, test="stop-while-hanging", strict=False) as mock:
        mock.when("GET /pets").fault("hang")
        client = threading.Thread(target=call, daemon=True)
        client.start()
        deadline = time.monotonic() + 2
        while not mock.requests("GET /pets") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert mock.requests("GET /pets")
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 1.5
        client.join(2)
    assert not client.is_alive()
    assert outcome
    assert isinstance(outcome[0], requests.ConnectionError)  # dropped, not timed out
    assert not isinstance(outcome[0], requests.Timeout)


# -- every fault ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    [
        "connection_reset",
        "close",
        "empty_response",
        "malformed_body",
        "truncated_body",
        "slow_body",
        "hang",
    ],
)
def test_keep_alive_clients_recover_after_each_fault(
    server: MockServer, mock: Mockamocha, fault: str
) -> None:
    rule = mock.when("GET /pets").respond(json=PETS).fault(fault, seconds=0.2)
    with requests.Session() as session:
        first = session.get(server.url_for("petstore", "/pets/1"), timeout=2)
        assert first.status_code == 200  # a kept-alive connection (on waitress) ...
        with contextlib.suppress(requests.RequestException, ValueError):
            session.get(pets_url(server), timeout=2).json()  # broken by the fault, or not JSON
        rule.remove()
        again = session.get(pets_url(server), timeout=2)
        assert again.status_code == 200
    assert_alive(server)


def test_retries_get_through_after_two_resets(server: MockServer, mock: Mockamocha) -> None:
    rule = mock.when("GET /pets").fault("connection_reset").times(2)
    rule.then(200, json=PETS)
    retry = urllib3.util.Retry(total=3, read=3, connect=3, backoff_factor=0, allowed_methods=None)
    with requests.Session() as session:
        session.mount("http://", HTTPAdapter(max_retries=retry))
        response = session.get(pets_url(server), timeout=2)
    assert response.status_code == 200
    assert response.json() == PETS
    assert len(mock.requests("GET /pets")) == 3


def test_delay_comes_before_the_fault(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").respond(json=PETS).delay(0.3).fault("close")
    started = time.monotonic()
    with pytest.raises(requests.ConnectionError):
        requests.get(pets_url(server), timeout=2)
    assert time.monotonic() - started >= 0.3


def test_head_gets_the_headers_of_a_body_fault(server: MockServer, mock: Mockamocha) -> None:
    mock.when("GET /pets").respond(json=PETS).fault("truncated_body")
    response = requests.head(pets_url(server), timeout=2)
    assert response.status_code == 200
    assert response.content == b""
    assert_alive(server)


# -- the pieces -------------------------------------------------------------------------------
def test_split_keeps_every_byte_in_nearly_equal_pieces() -> None:
    assert split(b"", 8) == [b""]
    assert split(b"abc", 8) == [b"a", b"b", b"c"]
    body = b"0123456789" * 10 + b"x"
    pieces = split(body, 8)
    assert len(pieces) == 8
    assert b"".join(pieces) == body
    assert {len(p) for p in pieces} == {12, 13}


@pytest.mark.parametrize("body", [b"", b"1", b"[]", b'{"a": 1}', json.dumps(PETS).encode()])
def test_malformed_never_parses(body: bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(malformed(body))
