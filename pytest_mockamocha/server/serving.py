"""Serve the WSGI app from a background thread: waitress (keep-alive) or werkzeug.

waitress keeps connections alive and has a real thread pool; werkzeug's development
server closes every connection, and stays selectable for comparison and debugging.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from pytest_mockamocha._defaults import DEFAULT_MAX_BODY, SERVER_KINDS
from pytest_mockamocha.server import faults
from pytest_mockamocha.server.app import WSGIApp, wire_error
from pytest_mockamocha.server.waiting import LATER, ON_LOOP, AnswerLater


class ServerThread:
    """One listening socket and the thread that serves it; ``start``/``stop`` are idempotent."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        kind: str = "waitress",
        threads: int = 16,
        max_body: int = DEFAULT_MAX_BODY,
    ):
        if kind not in SERVER_KINDS:
            raise ValueError(f"unknown server {kind!r}; choose one of {', '.join(SERVER_KINDS)}")
        self.app = app
        self.host = host
        self.kind = kind
        self.threads = threads
        self.max_body = max_body
        self.port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._growing: threading.Thread | None = None
        #: set by ``stop``: a hanging or dripping fault gives up at once
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (IPv6 hosts bracketed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ServerThread:
        """Bind and start serving; returns self once the socket accepts connections."""
        if self._thread is not None:
            return self
        self._stopping = threading.Event()
        if self.kind == "waitress":
            self._start_waitress()
        else:
            self._start_werkzeug()
        return self

    def _start_waitress(self) -> None:
        from waitress.server import create_server

        # waitress warns "Task queue depth is N" whenever requests wait for a worker
        # thread: ordinary under concurrent clients, and a flood on stderr when it is not
        # configured (it cost CPU and buried real messages under load).
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)

        server = create_server(
            self.app,
            host=self.host,
            port=self.port,
            threads=min(self.threads, _FIRST_THREADS),
            ident="mockamocha",
            max_request_body_size=self.max_body + 1,
            expose_tracebacks=False,
            # X-Forwarded-For, -Proto, Forwarded... are the client's headers: documents declare
            # them as parameters (VTEX) and rules match them. Nothing here trusts them
            # (no trusted proxy, no URL built from them), so waitress must not drop them.
            clear_untrusted_proxy_headers=False,
            channel_timeout=60,
            connection_limit=connection_limit(),
            asyncore_use_poll=True,  # select() fails past 1,024 descriptors
            cleanup_interval=1,  # how often slow requests are looked for (_reap_slow)
        )
        server.channel_class = _channel_class(self._stopping)
        _answer_on_the_loop(server, self.app)
        _reap_slow_requests(server)
        _accept_in_batches(server)
        self._server = server
        self.port = int(server.effective_port)
        self._thread = threading.Thread(target=server.run, name=_LOOP_THREAD, daemon=True)
        self._thread.start()
        if self.threads > _FIRST_THREADS:
            self._growing = threading.Thread(
                target=_grow_pool,
                args=(server.task_dispatcher, self.threads, self._stopping),
                name="mockamocha-pool",
                daemon=True,
            )
            self._growing.start()

    def _start_werkzeug(self) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server

        stopping = self._stopping

        class QuietHandler(WSGIRequestHandler):
            #: the fault that ended the current request, if one did
            fault: faults.FaultAbort | None = None

            def log_request(self, *args: Any, **kwargs: Any) -> None:
                return None

            def make_environ(self) -> Any:
                # werkzeug drops header names with "_" too; keep them (see _channel_class)
                environ = super().make_environ()
                for key, value in self.headers.items():
                    if "_" in key:
                        environ.setdefault("HTTP_" + key.upper().replace("-", "_"), value)
                environ[faults.CONTROL] = faults.SocketPeekControl(self.connection, stopping)
                return environ

            def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
                if isinstance(error, faults.FaultAbort):  # a rule's fault: drop the connection
                    self.fault = error
                    self.close_connection = True

            def finish(self) -> None:
                super().finish()
                if self.fault is not None and self.fault.reset:
                    # close before socketserver's shutdown(SHUT_WR), which would send a FIN
                    faults.set_reset(self.connection)
                    self.connection.close()

        server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=QuietHandler
        )
        self._server = server
        self.port = int(server.server_port)
        self._thread = threading.Thread(
            target=server.serve_forever, name="mockamocha-werkzeug", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, close open connections, and wait for the thread."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        self._stopping.set()
        if self._growing is not None:  # no thread added once the pool shuts down
            self._growing.join(timeout)
            self._growing = None
        if self.kind == "waitress":
            _stop_waitress(server)
        else:
            server.shutdown()
            server.server_close()
        thread.join(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


#: worker threads waitress starts with; the rest are added in the background
_FIRST_THREADS = 4


def _grow_pool(dispatcher: Any, threads: int, stopping: threading.Event) -> None:
    """Grow waitress's pool to ``threads``, one thread at a time. Starting the 64 threads
    at once cost ~40 ms before the first answer; one at a time, ``add_task`` (which takes
    the same lock) never waits behind more than one thread's start."""
    for count in range(_FIRST_THREADS + 1, threads + 1):
        if stopping.is_set():
            return
        dispatcher.set_thread_count(count)


#: a request's headers must have arrived this many seconds after its first byte
HEADER_SECONDS = 10.0
#: and the whole request (headers and body) this many
REQUEST_SECONDS = 120.0
#: descriptors kept free of connections (files, the listening socket, the request log)
_SPARE_DESCRIPTORS = 64
#: most connections served at once, whatever the descriptor limit allows
_MAX_CONNECTIONS = 10_000


def connection_limit() -> int:
    """How many connections waitress may hold open: as many as the descriptor limit allows
    (raised to its hard limit first), up to 10,000, so trickling clients can fill neither
    the limit nor the process's descriptors before ``_reap_slow_requests`` drops them."""
    try:
        import resource
    except ImportError:  # not on Windows
        return 1000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = _MAX_CONNECTIONS + _SPARE_DESCRIPTORS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(hard, wanted)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return _MAX_CONNECTIONS
    return max(100, min(_MAX_CONNECTIONS, soft - _SPARE_DESCRIPTORS))


def _reap_slow_requests(server: Any) -> None:
    """Close connections whose request arrives too slowly: headers not complete
    ``HEADER_SECONDS`` after the request's first byte, or the whole request not
    ``REQUEST_SECONDS`` after it. waitress times out only silence, so a client sending a
    header byte every few seconds held its connection for ever (slowloris)."""
    maintenance = server.maintenance

    def reap(now: float) -> None:
        maintenance(now)
        clock = time.monotonic()
        for channel in list(server.active_channels.values()):
            began = getattr(channel, "request_began", None)
            request = channel.request
            if began is None or request is None:
                continue
            late = clock - began
            if late > REQUEST_SECONDS or (late > HEADER_SECONDS and not request.headers_finished):
                channel.will_close = True  # closed by the loop thread, which owns the socket

    server.maintenance = reap


#: connections accepted per turn of the loop when many arrive at once
_ACCEPT_BATCH = 64


def _accept_in_batches(server: Any) -> None:
    """Accept up to ``_ACCEPT_BATCH`` waiting connections per turn of waitress's loop,
    which accepts one: each turn polls every open connection, so a burst of 2,000
    connections cost 2,000 turns (seconds) before the next request was read."""
    accept_one = server.handle_accept

    def accept_many() -> None:
        for _ in range(_ACCEPT_BATCH):
            before = len(server._map)
            accept_one()
            if len(server._map) == before:  # nothing was waiting
                return

    server.handle_accept = accept_many


_UNDERSCORE_NAME = re.compile(rb"^([^:\r\n]*_[^:\r\n]*):", re.M)


def _channel_class(stopping: threading.Event) -> type:
    """waitress's channel with a parser that keeps header names containing ``_``, and
    tasks that act out rules' faults (see ``_task_class``).

    waitress drops such headers, since WSGI cannot tell ``api_key`` from ``api-key``; but
    real APIs declare them (Swagger's own pet store sends its key as ``api_key``), and a
    mock that silently loses a declared header answers 401 to a valid request. The name
    is passed on with dashes, which is how the app looks it up anyway (as werkzeug's own
    server does)."""
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser

    class Parser(HTTPRequestParser):  # type: ignore[misc]
        #: the path of the request line, read before waitress parses it (an error for
        #: headers past the limit replaces the request with ``GET /``)
        wire_path = ""

        def received(self, data: bytes) -> Any:
            if not self.wire_path and not self.header_plus:
                parts = data.split(b"\r\n", 1)[0].split(b" ", 2)
                if len(parts) > 1:
                    self.wire_path = parts[1].split(b"?", 1)[0].decode("latin-1")
            return super().received(data)

        def parse_header(self, header_plus: bytes) -> Any:
            head, sep, rest = header_plus.partition(b"\r\n")
            if b"_" in rest:  # most requests have none: skip the pattern
                rest = _UNDERSCORE_NAME.sub(lambda m: m.group(1).replace(b"_", b"-") + b":", rest)
            return super().parse_header(head + sep + rest)

    class Channel(HTTPChannel):  # type: ignore[misc]
        parser_class = Parser
        task_class = _task_class(stopping)
        error_task_class = _error_task_class()
        #: a fault asked for a TCP RST when the channel closes (set by a worker thread)
        reset_on_close = False
        #: when the first byte of the request being read arrived (None: none is)
        request_began: float | None = None

        #: the request just read may be answered on the loop thread (``_answer_on_the_loop``)
        due_here = False
        #: the request is being answered on the loop thread
        on_loop = False
        #: an answer computed on the loop thread that waits: a worker thread sends it
        later: Any = None

        def received(self, data: bytes) -> Any:
            result = super().received(data)
            if self.request is None:  # nothing partial left: every request read is complete
                self.request_began = None
            elif self.request_began is None:
                self.request_began = time.monotonic()
            while self.due_here:  # after waitress let go of requests_lock, which service takes
                self.due_here = False
                self._serve_here()
            return result

        def _serve_here(self) -> None:
            """Answer the one queued request on the loop thread; one that waits, or more
            than one queued (pipelined: service may then wait for the loop to send), goes
            to a worker thread as waitress sends every request."""
            if len(self.requests) != 1:
                self.server.task_dispatcher.add_task(self)
                return
            self.on_loop = True
            try:
                self.service()
            except AnswerLater as later:
                self.on_loop = False  # before a worker can look
                self.later = later.answer
                self.server.task_dispatcher.add_task(self)
            finally:
                self.on_loop = False

        def _flush_outbufs_below_high_watermark(self) -> None:
            # a worker waits here for the loop to send what is over waitress's high-water
            # mark; the loop thread cannot wait for itself: the output grows (spilling to a
            # file past waitress's limit) and the loop sends it after this answer
            if not self.on_loop:
                super()._flush_outbufs_below_high_watermark()

        def service(self) -> None:
            try:
                super().service()
            finally:
                later, self.later = self.later, None
                if later is not None:  # the client left before a worker could send it
                    later.cancel()

        def handle_close(self) -> None:
            if self.reset_on_close:  # on the loop thread, which owns the socket
                faults.set_reset(self.socket)
            super().handle_close()

    return Channel


def _answer_on_the_loop(server: Any, app: WSGIApp) -> None:
    """Let waitress's loop thread answer the requests ``app.answers_at_once`` names (mocks
    answered from memory) itself, instead of handing each to a worker thread and waking
    the loop again once it is sent: two thread wake-ups per request. On 2 cores, 16
    connections to the pet store: ~3,400-3,900 -> ~5,900-7,300 requests/s, and the
    sequential p50 ~0.36 -> ~0.33 ms. An answer that waits (a delay, ``hang``,
    ``slow_body``) is computed there but sent by a worker (``AnswerLater``); the management
    API, the dashboard and every mock that may block (compiled on first use, shared by
    replicas, proxied) go to a worker as before."""
    at_once = getattr(app, "answers_at_once", None)
    if at_once is None:
        return
    dispatch = server.add_task

    def add_task(channel: Any) -> None:
        # waitress calls this with the channel's requests_lock held: mark it, and the
        # channel answers once ``received`` returns (see ``_channel_class``). A worker
        # thread that finished a pipelined request hands the next one on as before.
        request = channel.requests[0] if len(channel.requests) == 1 else None
        if (
            request is not None
            and not request.error
            and threading.current_thread().name == _LOOP_THREAD
            and at_once(request.path)
        ):
            channel.due_here = True
            return
        dispatch(channel)

    pull = server.pull_trigger

    def pull_trigger() -> None:
        # wakes the loop to poll again: the loop itself, answering, polls next anyway
        if threading.current_thread().name != _LOOP_THREAD:
            pull()

    server.add_task = add_task
    server.pull_trigger = pull_trigger


#: the name of the thread that runs waitress's loop
_LOOP_THREAD = "mockamocha-waitress"


def _task_class(stopping: threading.Event) -> type:
    """waitress's WSGI task that gives the app a ``SocketControl`` and ends a request that
    raised ``FaultAbort`` without an answer: the channel closes once its output is sent."""
    from waitress.task import WSGITask

    class Task(WSGITask):  # type: ignore[misc]
        aborted = False
        wrote_header: bool  # waitress's: the head is sent

        def get_environment(self) -> Any:
            environ = super().get_environment()
            environ[faults.CONTROL] = faults.WaitressControl(self.channel, stopping)
            channel = self.channel
            if channel.on_loop:
                environ[ON_LOOP] = True
            elif channel.later is not None:
                environ[LATER], channel.later = channel.later, None
            return environ

        def execute(self) -> None:
            try:
                super().execute()
            except faults.FaultAbort as abort:
                self.aborted = self.close_on_finish = True
                if abort.reset:
                    self.channel.reset_on_close = True

        def finish(self) -> None:
            if not self.aborted:  # an aborted answer sends nothing more, not even headers
                super().finish()

        def write(self, data: bytes) -> None:
            """The head of an answer and its first body chunk in one ``write_soon``, so
            in one ``send`` and one segment: waitress sends each write at once, and a
            small answer went out in two (~2x the system calls, on both ends)."""
            if self.wrote_header or not data or not self.complete:
                super().write(data)
                return
            head = self.build_response_header()
            self.wrote_header = True
            room = self.content_length
            if (
                not self.has_body
                or self.chunked_response
                or room is None
                or len(data) > min(room, _JOINED_BODY)
            ):  # waitress's own way: chunks, a body it ignores or cuts, a large one
                self.channel.write_soon(head)
                super().write(data)
                return
            self.content_bytes_written += len(data)
            self.channel.write_soon(head + data)

        def build_response_header(self) -> bytes:
            """waitress closes the connection after every answer without a length, 204
            and 304 included, which may carry none (RFC 9110) and need none to end: a
            client that keeps connections alive reconnected after each DELETE."""
            keep = (
                not self.has_body
                and self.version == "1.1"
                and not self.close_on_finish
                and self.request.headers.get("CONNECTION", "").lower() != "close"
            )
            if not keep:
                return bytes(super().build_response_header())
            self.set_close_on_finish = _no_close  # only the missing length would close it
            try:
                return bytes(super().build_response_header())
            finally:
                del self.set_close_on_finish

    return Task


#: the largest first body chunk sent joined to the head (copying a larger one costs more
#: than the second ``send`` it saves)
_JOINED_BODY = 64 * 1024


def _no_close() -> None:
    """Stands in for a bodyless answer's ``set_close_on_finish`` (see ``build_response_header``)."""


def _error_task_class() -> type:
    """waitress's task for the errors it answers itself (a body or headers past its limits,
    a malformed request), answered in the API's envelope or as a problem document instead
    of waitress's text/plain page."""
    from waitress.task import ErrorTask

    class JsonErrorTask(ErrorTask):  # type: ignore[misc]
        def execute(self) -> None:
            error = self.request.error
            detail = str(error.body)
            if error.code == 413:
                limit = self.channel.server.adj.max_request_body_size - 1
                detail = f"request bodies here are limited to {limit:,} bytes"
            elif error.code == 431:
                detail = "the request's headers are larger than the server accepts"
            path = getattr(self.request, "wire_path", "") or getattr(self.request, "path", "")
            content_type, body = wire_error(error.code, error.reason, detail, path)
            self.status = f"{error.code} {error.reason}"
            self.response_headers.append(("Content-Type", content_type))
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    return JsonErrorTask


def _stop_waitress(server: Any) -> None:
    def close_all() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
    try:
        server.trigger.pull_trigger(close_all)
    except OSError:
        close_all()
