"""The last few mock exchanges in full (headers and bodies), for the dashboard's request
detail; the journal keeps only each request's line and verdict.

Bounded twice: at most ``KEEP`` exchanges (the oldest dropped) and ``BODY_LIMIT`` bytes of
each body. Credentials are masked when kept, never stored. Off until the dashboard is first
opened on the server (``on``), so test sessions and servers nobody watches pay nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

KEEP = 500
BODY_LIMIT = 16_384
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and the answer the mock gave it, bodies cut at ``BODY_LIMIT``."""

    request_headers: Headers
    request_body: bytes
    request_size: int
    status: int
    response_headers: Headers
    response_body: bytes
    response_size: int


def masked(headers: Iterable[tuple[str, str]]) -> Headers:
    """``headers`` with the values of credentials replaced (an Authorization scheme kept)."""
    out = []
    for name, value in headers:
        if name.lower() in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} ***" if rest and name.lower().endswith("authorization") else "***"
        out.append((name, value))
    return tuple(out)


class Exchanges:
    """The last ``keep`` exchanges by request id."""

    def __init__(self, keep: int = KEEP) -> None:
        self.on = False
        self._keep = keep
        self._items: OrderedDict[str, Exchange] = OrderedDict()
        self._lock = threading.Lock()

    def add(
        self,
        request_id: str,
        request: tuple[Iterable[tuple[str, str]], bytes],
        status: int,
        response: tuple[Iterable[tuple[str, str]], bytes],
    ) -> None:
        """Keep one exchange (when ``on``)."""
        if not self.on or not request_id:
            return
        (in_headers, in_body), (out_headers, out_body) = request, response
        exchange = Exchange(
            masked(in_headers),
            in_body[:BODY_LIMIT],
            len(in_body),
            status,
            masked(out_headers),
            out_body[:BODY_LIMIT],
            len(out_body),
        )
        with self._lock:
            self._items[request_id] = exchange
            while len(self._items) > self._keep:
                self._items.popitem(last=False)

    def get(self, request_id: str) -> Exchange | None:
        with self._lock:
            return self._items.get(request_id)
