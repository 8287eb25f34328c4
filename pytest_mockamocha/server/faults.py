"""Rules' faults acted out on the wire: resets, early closes, broken or slow bodies, hangs.

``FaultAnswer`` is the WSGI side, the same on both servers. What WSGI cannot say (end a
request without an answer, push the bytes written so far out now, notice that the
client left) goes through the ``SocketControl`` the server puts in the environ under
``CONTROL``, and through ``FaultAbort``, which the server catches to drop the connection.
"""

from __future__ import annotations

import contextlib
import itertools
import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

#: the environ key of the request's ``SocketControl``
CONTROL = "mockamocha.socket"
#: how long a ``slow_body`` drips and a ``hang`` lasts when the rule gives no ``seconds``
SLOW_BODY_SECONDS = 2.0
HANG_SECONDS = 30.0
#: a slow body comes in this many pieces (fewer for a shorter body)
SLOW_PIECES = 8
#: how often a waiting fault looks for a client that left or a server that stops
POLL_SECONDS = 0.05
#: what follows half a body in a ``malformed_body``: no JSON or XML parser accepts it
GARBAGE = b"<<malformed>>"


class FaultAbort(ConnectionAbortedError):
    """Raised through the server to end a request without (the rest of) its answer."""

    def __init__(self, *, reset: bool = False):
        super().__init__(f"mockamocha fault: connection {'reset' if reset else 'closed'}")
        self.reset = reset


class SocketControl:
    """What a fault needs from the server beyond WSGI; this base one knows no socket."""

    def __init__(self, stopping: threading.Event | None = None):
        self.stopping = stopping if stopping is not None else threading.Event()

    def gone(self) -> bool:
        """Whether the client has left or the server is stopping."""
        return self.stopping.is_set()

    def flush(self) -> None:
        """Send the bytes written so far now rather than when the answer ends."""

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as the client leaves or the server stops."""
        deadline = time.monotonic() + seconds
        while not self.gone():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.stopping.wait(min(POLL_SECONDS, left))
        return True


class SocketPeekControl(SocketControl):
    """A control that peeks at the request's socket to see whether the client left."""

    def __init__(self, sock: socket.socket, stopping: threading.Event):
        super().__init__(stopping)
        self.sock = sock

    def gone(self) -> bool:
        """Whether the peer has closed the socket or the server is stopping."""
        return self.stopping.is_set() or peer_closed(self.sock)


class WaitressControl(SocketPeekControl):
    """A waitress request's control.

    The channel reads nothing while its request runs (unless ``channel_request_lookahead``
    is set, which costs half-closing clients their answers), so ``gone`` also peeks at the
    socket: ``MSG_PEEK`` takes no byte, leaving the loop thread's socket as it was."""

    def __init__(self, channel: Any, stopping: threading.Event):
        super().__init__(channel.socket, stopping)
        self.channel = channel

    def gone(self) -> bool:
        """Whether the client has left (as the channel or the socket tells) or the server stops."""
        return not self.channel.connected or super().gone()

    def flush(self) -> None:
        """Send the channel's buffered output now, as waitress's own ``write_soon`` does."""
        channel = self.channel
        with channel.outbuf_lock:
            flushed = channel._flush_exception(channel._flush_some, do_close=False)
        if flushed is not None and flushed[1]:
            raise FaultAbort()


def peer_closed(sock: socket.socket) -> bool:
    """Whether the peer's end of ``sock`` is closed (EOF or an error is waiting)."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            if not poller.poll(0):
                return False
        elif not select.select([sock], [], [], 0)[0]:
            return False
        return not sock.recv(1, socket.MSG_PEEK)
    except (OSError, ValueError):
        return True


def set_reset(sock: socket.socket) -> None:
    """Make closing ``sock`` send a TCP RST rather than a FIN (SO_LINGER on, 0 seconds)."""
    with contextlib.suppress(OSError):  # already closed: nothing to reset
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


StartResponse = Callable[..., Any]


class FaultAnswer:
    """A mock answer acted out with a fault, as a WSGI app (``headers`` takes CORS)."""

    __slots__ = ("body", "delay", "headers", "kind", "seconds", "status")

    def __init__(
        self,
        kind: str,
        seconds: float | None,
        status: str,
        headers: list[tuple[str, str]],
        body: bytes,
        delay: float = 0.0,
    ):
        if kind not in _ACTS:
            raise ValueError(f"unknown fault {kind!r}; the server acts out {', '.join(_ACTS)}")
        self.kind = kind
        self.seconds = seconds
        self.status = status
        self.headers = headers
        self.body = body
        #: the rule's delay before the fault, acted out by the server's waiting room
        self.delay = delay

    @property
    def fault(self) -> str:
        """The fault's kind (as a mock answer's ``fault``)."""
        return self.kind

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        control = environ.get(CONTROL)
        if not isinstance(control, SocketControl):
            control = SocketControl()
        if self.kind in _BODY_FAULTS and (
            environ.get("REQUEST_METHOD") == "HEAD" or _bodyless(self.status)
        ):
            start_response(self.status, self.headers)  # no body to break: answer as usual
            return []
        return _ACTS[self.kind](self, control, start_response)

    def seconds_or(self, default: float) -> float:
        """The rule's ``seconds``, or ``default`` when it gave none."""
        return default if self.seconds is None else self.seconds

    def with_length(self, length: int, *, typed: bool = True) -> list[tuple[str, str]]:
        """The headers with ``Content-Length: length`` (and no Content-Type unless typed)."""
        drop = {"content-length"} if typed else {"content-length", "content-type"}
        kept = [(k, v) for k, v in self.headers if k.lower() not in drop]
        return [*kept, ("Content-Length", str(length))]


def connection_reset(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """Reset the connection (RST) without a byte of answer."""
    raise FaultAbort(reset=True)


def close(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """Close the connection (FIN) without a byte of answer."""
    raise FaultAbort()


def empty_response(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """The status line and headers, ``Content-Length: 0``, no Content-Type, no body."""
    start_response(answer.status, answer.with_length(0, typed=False))
    return []


def malformed_body(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """The declared content type with a body that does not parse as it."""
    body = malformed(answer.body)
    start_response(answer.status, answer.with_length(len(body)))
    return [body]


def truncated_body(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """The full body's Content-Length, about half of the body, then the connection closes."""
    write = start_response(answer.status, answer.with_length(len(answer.body)))
    return _cut(write, answer.body[: len(answer.body) // 2])


def slow_body(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """The headers at once, then the body in pieces spread over the rule's seconds."""
    write = start_response(answer.status, answer.with_length(len(answer.body)))
    pieces = split(answer.body, SLOW_PIECES)
    gap = answer.seconds_or(SLOW_BODY_SECONDS) / len(pieces)
    return _drip(write, control, pieces, gap)


def hang(
    answer: FaultAnswer, control: SocketControl, start_response: StartResponse
) -> Iterable[bytes]:
    """Nothing until the client leaves, the seconds pass or the server stops; then close."""
    control.wait(answer.seconds_or(HANG_SECONDS))
    raise FaultAbort()


def malformed(body: bytes) -> bytes:
    """The body cut in half and followed by bytes no JSON or XML parser accepts."""
    return body[: len(body) // 2] + GARBAGE


def split(body: bytes, most: int) -> list[bytes]:
    """``body`` in at most ``most`` pieces of nearly equal size (one empty piece if empty)."""
    count = max(1, min(most, len(body)))
    size, extra = divmod(len(body), count)
    bounds = [i * size + min(i, extra) for i in range(count + 1)]
    return [body[a:b] for a, b in itertools.pairwise(bounds)]


def _cut(write: Callable[[bytes], Any], part: bytes) -> Iterator[bytes]:
    """Send the headers and ``part``, then drop the connection."""
    write(b"")  # the status line and headers, even when no byte of the body follows
    if part:
        yield part
    raise FaultAbort()


def _drip(
    write: Callable[[bytes], Any], control: SocketControl, pieces: list[bytes], gap: float
) -> Iterator[bytes]:
    """Send the headers now, then each piece after ``gap`` seconds, flushed at once."""
    write(b"")
    for piece in pieces:
        control.flush()
        if control.wait(gap):
            raise FaultAbort()  # the client gave up (or the server stops): stop dripping
        yield piece
    control.flush()


def _bodyless(status: str) -> bool:
    """Whether an answer with this status line may carry no body (1xx, 204, 304)."""
    return status[:1] == "1" or status[:3] in ("204", "304")


_ACTS: dict[str, Callable[[FaultAnswer, SocketControl, StartResponse], Iterable[bytes]]] = {
    "connection_reset": connection_reset,
    "close": close,
    "empty_response": empty_response,
    "malformed_body": malformed_body,
    "truncated_body": truncated_body,
    "slow_body": slow_body,
    "hang": hang,
}
_BODY_FAULTS = frozenset({"empty_response", "malformed_body", "truncated_body", "slow_body"})
