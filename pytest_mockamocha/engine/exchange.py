"""The engine's view of one HTTP exchange: plain values, no sockets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.datastructures import Headers, MultiDict

#: headers the server writes from the body it sends and the connection it keeps: never
#: taken from a document, a rule or a fixture (a second ``Content-Length`` that does not
#: match the body makes clients drop the connection)
FRAMING_HEADERS = frozenset(
    {
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    }
)


@dataclass(frozen=True, slots=True)
class MockRequest:
    """A request as the engine sees it; ``path`` is relative to the collection's mount."""

    method: str
    path: str
    query: MultiDict[str, str] = field(default_factory=MultiDict)
    headers: Headers = field(default_factory=Headers)
    cookies: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: the path as routed when it differs from ``path``: an encoded slash inside a segment
    #: (``%2F``, as in an ARN) is ``router.ENCODED_SLASH`` there, so it stays in its segment
    route_path: str = ""

    @property
    def content_type(self) -> str:
        """The media type of the body, without parameters ('' when absent)."""
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    @property
    def query_string(self) -> str:
        """The query as ``a=1&b=2`` for logs and failure text."""
        if not self.query:
            return ""
        return "&".join(f"{k}={v}" for k, v in self.query.items(multi=True))

    def describe(self) -> str:
        """``GET /pets?limit=2`` for messages."""
        qs = self.query_string
        return f"{self.method} {self.path}" + (f"?{qs}" if qs else "")


@dataclass(slots=True)
class MockResponse:
    """What the engine decided to answer; the server turns it into bytes on a socket."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: which step of the precedence answered: "rule", "prefer", "example", "generated", ...
    source: str = "generated"
    rule_id: str | None = None
    #: seconds the server waits before answering (rules' delay)
    delay: float = 0.0
    #: a socket-level misbehaviour the server acts out instead of answering (rules' fault)
    fault: str | None = None
    #: how long a ``slow_body`` drips or a ``hang`` lasts at most (None: the default)
    fault_seconds: float | None = None
    #: the id the request is journaled under (``X-Request-Id``); set by the engine
    request_id: str = ""
