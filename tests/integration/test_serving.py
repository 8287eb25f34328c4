"""The serving thread: both server kinds, keep-alive, slow clients, stopping, a bounded journal."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import requests
from _mock_specs import SPECS  # type: ignore[import-not-found]

from pytest_mockamocha.analytics.journal import Journal
from pytest_mockamocha.engine import Engine
from pytest_mockamocha.engine.respond.reply import Reply
from pytest_mockamocha.engine.rules.book import Rule, Step
from pytest_mockamocha.server import MockServer, MockServerApp, ServerThread
from pytest_mockamocha.server.serving import _LOOP_THREAD
from pytest_mockamocha.server.waiting import (
    LATER,
    ON_LOOP,
    AnswerLater,
    SeatedAnswer,
    WaitingRoom,
)
from pytest_mockamocha.spec.loader import load_spec

Alive = Callable[[ServerThread], None]


# -- core cases on both server kinds ------------------------------------------------------------
def test_kind_example_response(any_server: ServerThread) -> None:
    response = requests.get(f"{any_server.url}/mocks/petstore/pets/1", timeout=10)
    assert response.status_code == 200
    assert response.json()["name"] == "Rex"


def test_kind_unknown_path_and_method(any_server: ServerThread) -> None:
    with httpx.Client(base_url=f"{any_server.url}/mocks/petstore", timeout=10) as client:
        missing = client.get("/nowhere")
        wrong = client.delete("/pets")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]


def test_kind_invalid_request(any_server: ServerThread) -> None:
    response = requests.post(f"{any_server.url}/mocks/petstore/pets", json={"tag": 5}, timeout=10)
    assert response.status_code == 422
    assert response.json()["violations"]


def test_kind_head_and_preflight(any_server: ServerThread) -> None:
    head = requests.head(f"{any_server.url}/mocks/petstore/pets", timeout=10)
    assert head.status_code == 200
    assert head.content == b""
    preflight = requests.options(
        f"{any_server.url}/mocks/petstore/pets",
        timeout=10,
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_kind_concurrent_requests(any_server: ServerThread) -> None:
    url = f"{any_server.url}/mocks/petstore/pets/mine"

    def fetch(_: int) -> tuple[int, bytes]:
        response = requests.get(url, timeout=10)
        return response.status_code, response.content

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(40)))
    assert {status for status, _ in results} == {200}
    assert len({body for _, body in results}) == 1  # deterministic under concurrency


# -- keep-alive -----------------------------------------------------------------------------------
def test_waitress_keeps_the_connection_alive(server: ServerThread) -> None:
    assert server.kind == "waitress"
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("GET", "/mocks/petstore/pets")
        first = conn.getresponse()
        assert first.status == 200
        first.read()
        sock = conn.sock
        assert sock is not None
        local = sock.getsockname()
        conn.request("GET", "/mocks/petstore/pets/1")
        second = conn.getresponse()
        assert second.status == 200
        assert second.read()
        assert conn.sock is sock
        assert sock.getsockname() == local
        assert (second.getheader("Connection") or "").lower() != "close"
    finally:
        conn.close()


def test_a_204_keeps_the_connection_alive(server: ServerThread) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("DELETE", "/mocks/petstore/pets/1")
        deleted = conn.getresponse()
        assert deleted.status == 204
        assert deleted.read() == b""
        assert deleted.getheader("Content-Length") is None  # RFC 9110: none on a 204
        assert (deleted.getheader("Connection") or "").lower() != "close"
        sock = conn.sock
        assert sock is not None
        local = sock.getsockname()
        for _ in range(3):  # more DELETEs and a GET, all on the one connection
            conn.request("DELETE", "/mocks/petstore/pets/2")
            assert conn.getresponse().read() == b""
        conn.request("GET", "/mocks/petstore/pets/1")
        assert conn.getresponse().status == 200
        assert conn.sock is sock
        assert sock.getsockname() == local
    finally:
        conn.close()


def test_a_204_asked_to_close_still_closes(server: ServerThread) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("DELETE", "/mocks/petstore/pets/1", headers={"Connection": "close"})
        response = conn.getresponse()
        assert response.status == 204
        assert response.getheader("Connection", "").lower() == "close"
    finally:
        conn.close()


def test_keep_alive_survives_an_error_answer(server: ServerThread) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request("GET", "/mocks/petstore/pets/abc")
        bad = conn.getresponse()
        assert bad.status == 400
        bad.read()
        sock = conn.sock
        conn.request("GET", "/mocks/petstore/pets/1")
        good = conn.getresponse()
        assert good.status == 200
        good.read()
        assert conn.sock is sock
    finally:
        conn.close()


# -- what goes on the wire -----------------------------------------------------------------------
@pytest.fixture
def sent(server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Each ``send`` the server's sockets make (waitress sends with ``socket.send``)."""
    calls: list[bytes] = []
    real = socket.socket.send

    def send(sock: socket.socket, data: bytes, *flags: int) -> int:
        if sock.getsockname()[1] != server.port:
            return real(sock, data, *flags)
        # kept before it is sent: the client may read it all (and the test go on) before
        # this thread runs again; what a partial send left is sent (and kept) next
        calls.append(bytes(data))
        at = len(calls) - 1
        count = 0
        try:
            count = real(sock, data, *flags)
        finally:  # a full socket buffer raises: nothing was sent
            calls[at] = calls[at][:count]
        return count

    monkeypatch.setattr(socket.socket, "send", send)
    return calls


def _exchange(server: ServerThread, method: str, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_a_small_answer_leaves_in_one_send(server: ServerThread, sent: list[bytes]) -> None:
    status, body = _exchange(server, "GET", "/mocks/petstore/pets/1")
    assert status == 200
    assert len(sent) == 1  # head and body together: one system call, one segment
    assert sent[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert sent[0].endswith(b"\r\n\r\n" + body)
    assert b"Content-Length: %d\r\n" % len(body) in sent[0]


def test_answers_without_a_body_send_their_head_alone(
    server: ServerThread, sent: list[bytes]
) -> None:
    assert _exchange(server, "HEAD", "/mocks/petstore/pets/1") == (200, b"")
    assert _exchange(server, "DELETE", "/mocks/petstore/pets/1") == (204, b"")
    assert len(sent) == 2
    assert all(s.startswith(b"HTTP/1.1 2") and s.endswith(b"\r\n\r\n") for s in sent)


def test_a_large_answer_arrives_whole(
    engine: Engine, server: ServerThread, sent: list[bytes]
) -> None:
    big = [{"id": i, "name": "x" * 90} for i in range(1000)]  # ~100 KB: its head goes first
    engine.rules.put(
        Rule(
            id="rule_big_it",
            collection="petstore",
            operation="GET /pets/mine",
            steps=(Step(Reply(json=big)),),
        )
    )
    try:
        status, body = _exchange(server, "GET", "/mocks/petstore/pets/mine")
    finally:
        engine.rules.remove("rule_big_it")
    assert status == 200
    assert json.loads(body) == big
    head = sent[0]
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert head.endswith(b"\r\n\r\n")
    assert b"".join(sent[1:]) == body


# -- answers on the loop thread -------------------------------------------------------------------
#: a body piece larger than waitress's high-water mark of unsent output (16 MiB)
BIG_PIECE = 24 * 1024 * 1024


class _SaysWhere:
    """A WSGI app that answers with its path and the name of the thread that called it; it lets the
    server answer ``/here/...`` on its loop thread, and ``/here/wait`` waits a second (in
    a seat of its waiting room, as a mock's delay does)."""

    def __init__(self) -> None:
        self.room = WaitingRoom(2)

    def answers_at_once(self, path: str) -> bool:
        return path.startswith("/here/")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        later = environ.pop(LATER, None)
        if later is not None:  # computed on the loop thread: this worker waits and sends
            return later(environ, start_response)
        if environ["PATH_INFO"] == "/here/wait":
            seat = self.room.enter("here")
            assert seat is not None
            answer = SeatedAnswer(_ThreadName(), 1.0, seat)
            if environ.get(ON_LOOP):
                raise AnswerLater(answer)  # what MockServerApp does with a waiting answer
            return answer(environ, start_response)
        if environ["PATH_INFO"] == "/here/big":  # two writes, each past waitress's mark
            piece = BIG_PIECE
            start_response("200 OK", [("Content-Length", str(2 * piece))])
            return [b"a" * piece, b"b" * piece]
        return _ThreadName()(environ, start_response)


class _ThreadName:
    headers: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = f"{environ['PATH_INFO']} {threading.current_thread().name}".encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]


@pytest.fixture
def says_where() -> Iterator[tuple[ServerThread, _SaysWhere]]:
    app = _SaysWhere()
    thread = ServerThread(app, kind="waitress").start()
    yield thread, app
    thread.stop()


def _seats_back(room: WaitingRoom) -> int:
    """The seats still taken once the answers that held them are over (at most 10 s): a
    worker gives its seat back just after the client has read the whole answer."""
    deadline = time.monotonic() + 10
    while room.waiting() and time.monotonic() < deadline:
        time.sleep(0.01)
    return room.waiting()


def test_what_the_app_answers_at_once_is_answered_on_the_loop_thread(
    says_where: tuple[ServerThread, _SaysWhere],
) -> None:
    server, _ = says_where
    assert _exchange(server, "GET", "/here/x") == (200, b"/here/x mockamocha-waitress")
    status, worker = _exchange(server, "GET", "/elsewhere")
    assert status == 200
    assert worker.startswith(b"/elsewhere waitress-")  # handed to a worker, as waitress does


def test_an_answer_that_waits_is_sent_by_a_worker_while_the_loop_answers_others(
    says_where: tuple[ServerThread, _SaysWhere],
) -> None:
    server, app = says_where
    waited: list[tuple[int, bytes]] = []
    waiting = threading.Thread(target=lambda: waited.append(_exchange(server, "GET", "/here/wait")))
    waiting.start()
    try:
        assert _exchange(server, "GET", "/here/x") == (200, b"/here/x mockamocha-waitress")
        assert not waited  # the other one still waits, and the loop was not held by it
    finally:
        waiting.join(10)
    assert waited[0][0] == 200
    assert waited[0][1].startswith(b"/here/wait waitress-")
    # its seat comes back once the worker has finished sending, which the client may see
    # happen a moment before the worker gets there
    assert _seats_back(app.room) == 0


def test_the_loop_thread_never_waits_for_itself_to_send(
    says_where: tuple[ServerThread, _SaysWhere],
) -> None:
    """A worker writing past waitress's high-water mark (16 MiB unsent) waits for the loop
    to send; the loop thread answering so would wait for itself for ever."""
    server, _ = says_where
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /here/big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        time.sleep(0.5)  # read nothing yet: what the socket does not take stays unsent
        received = bytearray()
        while chunk := sock.recv(1 << 20):
            received += chunk
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert len(body) == 2 * BIG_PIECE
    assert body.count(b"a") == body.count(b"b") == BIG_PIECE
    assert _exchange(server, "GET", "/here/x") == (200, b"/here/x mockamocha-waitress")


def test_loop_answers_waiting_answers_and_leaving_clients_mixed() -> None:
    """Eight clients for two seconds: answers on the loop thread, delayed ones and dripping
    ones sent by workers, clients that leave before their delayed answer. Every answer is
    right (or a 503 when the waiting room is full), every seat comes back, and the server
    still answers."""
    engine = Engine(seed=0)
    engine.add(load_spec(SPECS / "petstore.yaml"), "p")
    engine.rules.put(
        Rule(
            id="rule_delay",
            collection="p",
            operation="GET /pets/mine",
            steps=(Step(Reply(json=[], delay=0.05)),),
        )
    )
    engine.rules.put(
        Rule(
            id="rule_drip",
            collection="p",
            operation="DELETE /pets/{petId}",
            steps=(Step(Reply(status=200, json={}, fault="slow_body", fault_seconds=0.1)),),
        )
    )
    server = MockServer(engine)
    thread = server.start()
    wrong: list[tuple[str, int]] = []
    until = time.monotonic() + 2

    def client(seed: int) -> None:
        kinds = ["loop", "loop", "delay", "drip", "leave"]
        conn = http.client.HTTPConnection(thread.host, thread.port, timeout=10)
        n = seed
        try:
            while time.monotonic() < until:
                kind, n = kinds[n % len(kinds)], n + 1
                if kind == "leave":
                    with socket.create_connection((thread.host, thread.port), timeout=10) as s:
                        s.sendall(b"GET /mocks/p/pets/mine HTTP/1.1\r\nHost: x\r\n\r\n")
                    continue
                method, path = {
                    "loop": ("GET", "/mocks/p/pets/1"),
                    "delay": ("GET", "/mocks/p/pets/mine"),
                    "drip": ("DELETE", "/mocks/p/pets/1"),
                }[kind]
                conn.request(method, path)
                response = conn.getresponse()
                body = response.read()
                if response.status != 503 and (response.status != 200 or not body):
                    wrong.append((kind, response.status))
        finally:
            conn.close()

    try:
        clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for each in clients:
            each.start()
        for each in clients:
            each.join(30)
        assert wrong == []
        assert _seats_back(server.app.waiting) == 0
        assert requests.get(f"{thread.url}/mocks/p/pets/1", timeout=10).json()["name"] == "Rex"
    finally:
        server.stop()


def test_a_collection_unmounted_after_the_check_is_compiled_by_a_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server found a collection in memory, and the LRU of ``serve --db`` unmounted it
    before the loop thread answered: the request goes to a worker from the start (its body
    unread), and the worker compiles it. The loop thread never compiles."""
    spec = load_spec(SPECS / "petstore.yaml")
    engine = Engine(seed=0)
    compiled_on: list[str] = []

    def load(slug: str) -> bool:
        if slug != "pets":
            return False
        compiled_on.append(threading.current_thread().name)
        engine.mount(spec, slug, replace=True)
        engine.reloadable(slug)
        return True

    engine.serve_lazily(load, keep=4)
    app = MockServerApp(engine)
    # the check says yes for every mock, as it did just before the collection went
    monkeypatch.setattr(app, "answers_at_once", lambda path: path.startswith("/mocks/"))
    thread = ServerThread(app, kind="waitress").start()
    try:
        with requests.Session() as http:
            created = http.post(f"{thread.url}/mocks/pets/pets", json={"name": "Rex"}, timeout=10)
            assert created.status_code == 201, created.text  # the body reached the worker
            assert compiled_on
            assert compiled_on[0].startswith("waitress-")
            again = http.get(f"{thread.url}/mocks/pets/pets/1", timeout=10)  # in memory now
            assert again.status_code == 200
            assert again.json()["id"] == 1
            missing = http.get(f"{thread.url}/mocks/nope/x", timeout=10)
            assert missing.status_code == 404
            assert "no collection 'nope'" in missing.json()["detail"]
    finally:
        thread.stop()
    assert compiled_on == [compiled_on[0]]  # once, and never on the loop thread
    assert _LOOP_THREAD not in compiled_on


def test_pipelined_requests_are_answered_in_order(
    says_where: tuple[ServerThread, _SaysWhere],
) -> None:
    server, _ = says_where
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(
            b"GET /here/a HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /here/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert all(a.startswith(b"200 OK") for a in answers)
    # several queued at once: workers answer them one after the other, as waitress does
    assert [a.rsplit(b"\r\n\r\n", 1)[1].split()[0] for a in answers] == [
        b"/here/a",
        b"/elsewhere",
        b"/here/b",
    ]


# -- slow clients ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "partial",
    [
        b"GET /mocks/petstore/pets HTTP/1.1\r\nHost: x\r\n",
        b"POST /mocks/petstore/pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"na',
    ],
    ids=["headers-unfinished", "body-unfinished"],
)
def test_slow_client_does_not_block_others(any_server: ServerThread, partial: bytes) -> None:
    slow = [
        socket.create_connection((any_server.host, any_server.port), timeout=10) for _ in range(4)
    ]
    try:
        for sock in slow:
            sock.sendall(partial)
        with httpx.Client(timeout=5) as client:
            for _ in range(5):
                response = client.get(f"{any_server.url}/mocks/petstore/pets/1")
                assert response.status_code == 200
    finally:
        for sock in slow:
            sock.close()


def test_slow_response_does_not_block_others(engine: Engine, server: ServerThread) -> None:
    engine.rules.put(
        Rule(
            id="rule_slow_it",
            collection="petstore",
            operation="GET /pets/mine",
            steps=(Step(Reply(json=[], delay=1.5), times=1),),
        )
    )
    try:
        done = threading.Event()

        def slow_call() -> None:
            requests.get(f"{server.url}/mocks/petstore/pets/mine", timeout=10)
            done.set()

        worker = threading.Thread(target=slow_call)
        worker.start()
        try:
            response = requests.get(f"{server.url}/mocks/petstore/pets/1", timeout=5)
            assert response.status_code == 200
            assert not done.is_set()  # the fast one finished while the slow one waited
        finally:
            worker.join(10)
    finally:
        engine.rules.remove("rule_slow_it")


# -- starting and stopping ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["waitress", "werkzeug"])
def test_stop_frees_the_port(engine: Engine, kind: str) -> None:
    thread = ServerThread(MockServerApp(engine), kind=kind).start()
    port = thread.port
    assert port > 0
    assert thread.url == f"http://127.0.0.1:{port}"
    with requests.Session() as session:  # leave a keep-alive connection open
        assert session.get(f"{thread.url}/api/health", timeout=10).status_code == 200
        thread.stop()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{thread.url}/api/health", timeout=2)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
    again = ServerThread(MockServerApp(engine), port=port, kind=kind).start()
    try:
        assert again.port == port
        assert requests.get(f"{again.url}/api/health", timeout=10).status_code == 200
    finally:
        again.stop()


def test_the_pool_answers_at_once_and_grows_to_its_size(engine: Engine) -> None:
    engine.rules.put(
        Rule(
            id="rule_held_it",
            collection="petstore",
            operation="GET /pets/mine",
            steps=(Step(Reply(json=[], delay=1.0)),),
        )
    )
    thread = ServerThread(MockServerApp(engine), threads=12).start()
    try:
        assert requests.get(f"{thread.url}/mocks/petstore/pets/1", timeout=10).ok
        # eleven held answers at once: each has a thread only once the pool has grown
        with ThreadPoolExecutor(11) as pool:
            held = pool.map(
                lambda _: requests.get(f"{thread.url}/mocks/petstore/pets/mine", timeout=10),
                range(11),
            )
            fast = requests.get(f"{thread.url}/mocks/petstore/pets/1", timeout=0.9)
            assert fast.status_code == 200  # the twelfth thread answers meanwhile
            assert all(r.status_code == 200 for r in held)
    finally:
        thread.stop()
        engine.rules.remove("rule_held_it")


def test_a_server_stopped_while_its_pool_grows_leaves_no_thread(engine: Engine) -> None:
    before = {t.ident for t in threading.enumerate()}
    ServerThread(MockServerApp(engine), threads=64).start().stop()
    left = [t for t in threading.enumerate() if t.ident not in before and t.is_alive()]
    assert left == []


def test_start_and_stop_are_idempotent(engine: Engine) -> None:
    thread = ServerThread(MockServerApp(engine))
    thread.stop()  # never started
    assert thread.start() is thread
    port = thread.port
    assert thread.start().port == port
    thread.stop()
    thread.stop()


def test_context_manager(engine: Engine) -> None:
    with ServerThread(MockServerApp(engine), kind="werkzeug") as thread:
        assert requests.get(f"{thread.url}/api/health", timeout=10).status_code == 200
        port = thread.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/health", timeout=2)


def test_unknown_server_kind_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="waitress"):
        ServerThread(MockServerApp(engine), kind="gunicorn")


# -- the journal stays bounded ---------------------------------------------------------------
def test_journal_stays_bounded_over_many_requests() -> None:
    journal = Journal(maxlen=50)
    engine = Engine(journal=journal)
    engine.add(load_spec(SPECS / "petstore.yaml"))
    with ServerThread(MockServerApp(engine)) as thread, requests.Session() as session:
        for i in range(500):
            response = session.get(f"{thread.url}/mocks/petstore/pets/{i % 20 + 1}", timeout=10)
            assert response.status_code == 200
    assert engine.journal is journal
    assert len(journal) == 50
    assert journal.stats()["petstore"].requests == 500
    assert journal.stats()["petstore"].by_operation["GET /pets/{petId}"] == 500
    kept = journal.records()
    assert [r.path for r in kept[-3:]] == ["/pets/18", "/pets/19", "/pets/20"]


def test_a_404_lists_twenty_collections_and_counts_the_rest() -> None:
    """A server with many collections names the first twenty in a 404, not every one."""
    from pytest_mockamocha.server.runtime import MockServer

    spec = load_spec(SPECS / "petstore.yaml")
    with MockServer() as server:
        for i in range(25):
            server.add_spec(spec, f"shop-{i:02d}")
        unknown = requests.get(server.url + "/mocks/nope/pets", timeout=10)
        nowhere = requests.get(server.url + "/elsewhere", timeout=10)
    assert unknown.status_code == nowhere.status_code == 404
    first = ", ".join(f"shop-{i:02d}" for i in range(20))
    assert unknown.json()["detail"].endswith(f"known: {first} and 5 more")
    assert nowhere.json()["detail"].endswith("/mocks/shop-19/ and 5 more")
