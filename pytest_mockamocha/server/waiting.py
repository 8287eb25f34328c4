"""Answers that wait (delays, ``hang``, ``slow_body``) in seats of their own, never in the
threads that answer everything else.

A waiting answer holds a thread for as long as it waits. With only the server's request
threads to wait in, sixteen delayed requests left ``/api/health`` and every other
collection queued behind them. So the server runs ``WaitingRoom.seats`` threads more than
it answers with, and an answer may wait only with a seat: at most ``seats`` wait at once in
all, at most ``per_collection`` in one collection, and one that finds no seat is answered
``503`` with ``Retry-After`` at once. A wait also ends as soon as the client leaves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pytest_mockamocha.server import faults

#: waiting answers the server holds at once, by default (its thread pool grows by as many)
DEFAULT_SEATS = 48
#: the faults that wait: they hold their thread for the rule's seconds
WAITING_FAULTS = frozenset({"hang", "slow_body"})


#: environ key: the request is answered on the server's loop thread, which must not wait
ON_LOOP = "mockamocha.on_loop"
#: environ key: what the loop thread left for a worker to answer (``AnswerLater``)
LATER = "mockamocha.later"


class AnswerLater(BaseException):
    """Raised on the loop thread for a request a worker thread must finish: nothing is
    written yet, and a worker calls ``answer`` (a WSGI app with ``cancel()``, run if the
    client leaves first): a ``SeatedAnswer`` that waits, or ``AnswerAgain``. The server
    catches it; a BaseException, so that no ``except Exception`` on the way answers 500."""

    def __init__(self, answer: SeatedAnswer | AnswerAgain) -> None:
        super().__init__()
        self.answer = answer


class AnswerAgain:
    """A request the loop thread may not answer after all, answered from the start by
    ``app`` on a worker thread: its collection was unmounted (to be compiled again) after
    the server's check, and a compile must not hold every connection. Nothing of the
    request was read yet."""

    def __init__(self, app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]):
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        return self.app(environ, start_response)

    def cancel(self) -> None:
        """The client left before a worker took it: nothing is held."""


class WaitingRoom:
    """Counts the answers that wait, in all and per collection; thread-safe."""

    def __init__(self, seats: int = DEFAULT_SEATS, per_collection: int | None = None) -> None:
        if seats < 1:
            raise ValueError(f"a server needs at least one seat for waiting answers, not {seats}")
        self.seats = seats
        #: one collection may hold this many of the seats (a third by default)
        self.per_collection = per_collection or max(1, seats // 3)
        self._lock = threading.Lock()
        self._taken = 0
        self._by_slug: dict[str, int] = {}

    def enter(self, slug: str) -> Seat | None:
        """A seat for one waiting answer of ``slug``, or None when none is free for it."""
        with self._lock:
            held = self._by_slug.get(slug, 0)
            if self._taken >= self.seats or held >= self.per_collection:
                return None
            self._taken += 1
            self._by_slug[slug] = held + 1
        return Seat(self, slug)

    def waiting(self, slug: str | None = None) -> int:
        """How many answers wait now (of ``slug``, or in all)."""
        with self._lock:
            return self._taken if slug is None else self._by_slug.get(slug, 0)

    def _leave(self, slug: str) -> None:
        with self._lock:
            self._taken -= 1
            left = self._by_slug[slug] - 1
            if left:
                self._by_slug[slug] = left
            else:
                del self._by_slug[slug]


class Seat:
    """One taken seat; ``release`` is idempotent."""

    __slots__ = ("_room", "_slug", "_taken")

    def __init__(self, room: WaitingRoom, slug: str) -> None:
        self._room = room
        self._slug = slug
        self._taken = True

    def release(self) -> None:
        """Give the seat back (once)."""
        if self._taken:
            self._taken = False
            self._room._leave(self._slug)


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class SeatedAnswer:
    """An answer that waits ``delay`` seconds (then answers as ``inner`` does) in ``seat``,
    which it gives back when the answer is over, however it ends."""

    __slots__ = ("delay", "headers", "inner", "seat")

    def __init__(self, inner: Any, delay: float, seat: Seat) -> None:
        self.inner = inner
        self.delay = delay
        self.seat = seat
        #: the inner answer's headers, so CORS headers can be added as to any answer
        self.headers: list[tuple[str, str]] = inner.headers

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        try:
            if self.delay > 0:
                control = environ.get(faults.CONTROL)
                if not isinstance(control, faults.SocketControl):
                    control = faults.SocketControl()
                if control.wait(self.delay):
                    raise faults.FaultAbort()  # the client left (or the server stops)
            body = self.inner(environ, start_response)
        except BaseException:
            self.seat.release()
            raise
        return _Released(body, self.seat)

    def cancel(self) -> None:
        """Give the seat back for an answer that will never be sent (its client left
        before a worker took it)."""
        self.seat.release()


class _Released:
    """A WSGI body that gives its seat back once sent or closed (servers call ``close``)."""

    __slots__ = ("_body", "_seat")

    def __init__(self, body: Iterable[bytes], seat: Seat) -> None:
        self._body = body
        self._seat = seat

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._body
        finally:
            self._seat.release()

    def close(self) -> None:
        """Close the inner body (a generator that drips) and give the seat back."""
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._seat.release()
