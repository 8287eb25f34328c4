"""The WSGI application: ``/mocks/{slug}/...`` to the engine, ``/api/...`` to the API.

This is the only place that turns HTTP into engine values and back, so body limits,
CORS and the last-resort error answer live here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from http import HTTPStatus
from typing import Any

from werkzeug.datastructures import EnvironHeaders, ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from pytest_mockamocha._defaults import DEFAULT_MAX_BODY
from pytest_mockamocha._ids import new_id
from pytest_mockamocha._text import shorten
from pytest_mockamocha.analytics.exchanges import Exchanges
from pytest_mockamocha.engine import Collection, Engine, MockRequest, MockResponse
from pytest_mockamocha.engine.exchange import FRAMING_HEADERS
from pytest_mockamocha.engine.router import routed_path
from pytest_mockamocha.errors import CollectionNotFoundError
from pytest_mockamocha.server.cors import CorsPolicy, is_preflight
from pytest_mockamocha.server.faults import FaultAnswer
from pytest_mockamocha.server.waiting import (
    LATER,
    ON_LOOP,
    WAITING_FAULTS,
    AnswerAgain,
    AnswerLater,
    SeatedAnswer,
    WaitingRoom,
)

log = logging.getLogger("pytest_mockamocha.server")

MOCKS_PREFIX = "/mocks/"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_NO_QUERY: ImmutableMultiDict[str, str] = ImmutableMultiDict()
_NO_COOKIES: ImmutableMultiDict[str, str] = ImmutableMultiDict()
_BODYLESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "TRACE"})
#: environ key: the collection answering a mock request (its CORS choice is read once)
_SERVED = "mockamocha.collection"


class MockServerApp:
    """Routes each request to a collection's mock, the management API, or health."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        api: WSGIApp | None = None,
        waiting: WaitingRoom | None = None,
        visible: Visible | None = None,
        cors: CorsPolicy | None = None,
        exchanges: Exchanges | None = None,
    ):
        self.engine = engine
        self.max_body = max_body
        self.api = api
        #: which collection slugs a request may learn of (None: every one, as in a test
        #: session, where everything served is the suite's own)
        self.visible = visible
        #: the seats of answers that wait (delays, hangs, slow bodies); see waiting.py
        self.waiting = waiting or WaitingRoom()
        #: what browsers on other origins may do (see cors.py)
        self.cors = cors or CorsPolicy()
        #: the last exchanges in full, for the dashboard (kept once it has been opened)
        self.exchanges = exchanges

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        later = environ.pop(LATER, None)
        if later is not None:  # computed on the loop thread; it waits here
            return later(environ, start_response)  # type: ignore[no-any-return]
        request = Request(environ)
        request.headers = _Headers(environ)
        request.max_content_length = self.max_body
        try:
            response = self._dispatch(request)
        except HTTPException as exc:
            response = _problem(exc.code or 400, exc.name, exc.description or exc.name)
        except Exception:
            request_id = new_id("req")
            log.exception(
                "internal error answering %s %s (%s)", request.method, request.path, request_id
            )
            response = _problem(
                500,
                "Internal Server Error",
                f"unexpected error; request id {request_id}",
                request_id=request_id,
            )
        if "Origin" in request.headers and not is_preflight(request):
            policy = self._cors_of(request)
            if policy is not None:
                if not isinstance(response, (Response, _MockAnswer, FaultAnswer, SeatedAnswer)):
                    # the management API, a WSGI app of its own: add them on the way out
                    return response(environ, _with_cors(start_response, request, policy))
                response.headers.extend(policy(request, list(response.headers)))
        if isinstance(response, SeatedAnswer) and environ.get(ON_LOOP):
            raise AnswerLater(response)  # nothing is written yet: a worker waits and sends
        return response(environ, start_response)

    def answers_at_once(self, path: str) -> bool:
        """Whether the request at ``path`` is answered without blocking I/O (a mock of a
        collection mounted here; see ``Engine.answers_at_once``): the server may compute it
        on its loop thread, without handing it to a worker thread."""
        if not path.startswith(MOCKS_PREFIX):
            return False
        return self.engine.answers_at_once(path[len(MOCKS_PREFIX) :].partition("/")[0])

    def _cors_of(self, request: Request) -> Callable[..., list[tuple[str, str]]] | None:
        """The CORS headers of the answer to ``request`` (None: none, as for dashboard
        pages or a collection that handles CORS itself)."""
        path = request.path
        if path.startswith(MOCKS_PREFIX):
            served = request.environ.get(_SERVED)  # the collection that answered, if one did
            if served is not None:
                on = served.cors
            else:
                on = self._cors_on(path[len(MOCKS_PREFIX) :].partition("/")[0])
            return self.cors.mock_headers if on else None
        if path.startswith("/api/"):
            return self.cors.api_headers
        return None

    def _cors_on(self, slug: str) -> bool:
        """Whether the server's policy answers CORS for collection ``slug`` (an unknown slug
        too: its 404 must reach the page)."""
        try:
            return self.engine.collection(slug).cors
        except CollectionNotFoundError:
            return True

    def _dispatch(self, request: Request) -> Response | _Answer | WSGIApp:
        path = request.path
        if path.startswith(MOCKS_PREFIX):
            return self._mock(request, path[len(MOCKS_PREFIX) :])
        if path in ("/api/health", "/api/health/"):
            if is_preflight(request):
                return self.cors.api_preflight(request, ("GET", "HEAD"))
            return self._health(request)
        if path.startswith("/api/") and self.api is not None:
            if is_preflight(request):  # browsers ask before an authenticated API call
                allowed = getattr(self.api, "allowed_methods", None)
                return self.cors.api_preflight(request, allowed(path) if allowed else ())
            return self.api
        if path in _SDK_FILES:
            return _sdk_file(request, path)
        if self.api is not None and (path in ("/", "/index.html") or path.startswith("/assets/")):
            from pytest_mockamocha.dashboard import pages  # on the first page, not at start

            if self.exchanges is not None:
                self.exchanges.on = True  # someone watches: keep requests in full from now
            return pages.answer(request)
        slugs = self._slugs(request)
        if slugs is None:
            where = f"mocks are at /mocks/{{slug}}/; {_ASK}"
        else:
            where = "mocks are at " + _listed([f"/mocks/{s}/" for s in slugs])
        return _problem(404, "Not Found", f"nothing at {shorten(path, 200)}; {where}")

    def _slugs(self, request: Request) -> list[str] | None:
        """The collections ``request`` may learn of; None for an anonymous caller of a
        server with workspaces (it may learn of none)."""
        if self.visible is None:
            return [c.slug for c in self.engine]
        return self.visible(request)

    def _health(self, request: Request) -> Response:
        method = request.method
        if method not in ("GET", "HEAD"):
            response = _problem(405, "Method Not Allowed", f"{method} /api/health: use GET")
            response.headers["Allow"] = "GET, HEAD"
            return response
        body = {"status": "ok", "collections": self._slugs(request) or []}
        return Response(json.dumps(body), 200, content_type="application/json")

    def _mock(self, request: Request, rest: str) -> Response | _Answer:
        slug, _, sub = rest.partition("/")
        environ = request.environ
        try:
            coll = self._collection(slug, environ)
        except CollectionNotFoundError:
            if is_preflight(request):  # let the page see the 404 that follows
                return self.cors.mock_preflight(request, ())
            slugs = self._slugs(request)
            known = _ASK if slugs is None else f"known: {_listed(slugs)}"
            detail = f"no collection {shorten(slug, 200)!r}; {known}"
            return _problem(404, "No such collection", detail)
        sub_path = "/" + sub
        if coll.cors and is_preflight(request):  # whatever the path: the real answer follows
            return self.cors.mock_preflight(request, coll.router.allowed_methods(sub_path))
        environ[_SERVED] = coll
        body = _read_body(request, self.max_body)
        if body is None:
            return _too_large(self.max_body)
        raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
        mock_request = MockRequest(
            method=request.method,
            path=sub_path,
            route_path=_route_path(raw, slug) if "%2" in raw else "",
            # parsing an absent query string or Cookie header still costs: skip it
            query=request.args if environ.get("QUERY_STRING") else _NO_QUERY,
            headers=request.headers,
            cookies=request.cookies if environ.get("HTTP_COOKIE") else _NO_COOKIES,
            body=body,
        )
        answer = self.engine.handle(slug, mock_request, coll)
        if self.exchanges is not None and self.exchanges.on:
            headers = [("Content-Type", answer.content_type)] if answer.content_type else []
            self.exchanges.add(
                answer.request_id,
                (request.headers.items(), body),
                answer.status,
                ([*headers, *answer.headers], answer.body),
            )
        return self._seated(slug, _to_response(answer))

    def _collection(self, slug: str, environ: dict[str, Any]) -> Collection:
        """The collection ``slug`` answering a request. On the loop thread, only one held in
        memory: the server found it there, but the LRU of ``serve --db`` may have unmounted
        it since, and compiling it again (or waiting for another thread's compile) would
        hold every connection; the request then goes to a worker, from the start."""
        if not environ.get(ON_LOOP):
            return self.engine.collection(slug)
        coll = self.engine.in_memory(slug)
        if coll is None:
            raise AnswerLater(AnswerAgain(self))
        return coll

    def _seated(self, slug: str, answer: _MockAnswer | FaultAnswer) -> Response | _Answer:
        """``answer`` as it is, or, when it waits, in a seat of the waiting room (503 when
        the collection or the server has no seat left)."""
        delay, fault = answer.delay, answer.fault
        if delay <= 0 and fault not in WAITING_FAULTS:
            return answer
        seat = self.waiting.enter(slug)
        if seat is None:
            room = self.waiting
            response = _problem(
                503,
                "Too many waiting answers",
                f"{room.waiting(slug)} answers of {slug!r} (at most {room.per_collection}) and "
                f"{room.waiting()} in all (at most {room.seats}) are delayed, hanging or "
                "dripping now; try again when some are over",
            )
            response.headers["Retry-After"] = "1"
            return response
        return SeatedAnswer(answer, delay, seat)


#: what an anonymous caller of a server with workspaces learns instead of their slugs
_ASK = "list the collections you may use with GET /api/collections (authenticated)"
#: which collection slugs a request may learn of (None: the caller is anonymous)
Visible = Callable[[Request], "list[str] | None"]


def _with_cors(
    start_response: Callable[..., Any],
    request: Request,
    policy: Callable[..., list[tuple[str, str]]],
) -> Callable[..., Any]:
    """``start_response`` adding the CORS headers the policy gives for the answer's own."""

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, *policy(request, headers)], exc_info)

    return start


class _Headers(EnvironHeaders):
    """werkzeug's view of a request's headers, asked without raising: most names a mock
    asks for are absent (Origin, Prefer, Transfer-Encoding: seven of its eight lookups of
    an ordinary GET), and werkzeug answers each absent name through a KeyError."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        if type is not None or not isinstance(key, str):
            return super().get(key, default, type)
        return self.environ.get(_environ_key(key), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _environ_key(key) in self.environ


@lru_cache(maxsize=512)
def _environ_key(name: str) -> str:
    """Where WSGI keeps header ``name``: ``Accept`` -> ``HTTP_ACCEPT``."""
    key = name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` (read no further)."""
    length = request.content_length
    if length is not None:
        return None if length > limit else request.get_data(cache=False)
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    stream = request.environ.get("wsgi.input")
    if stream is None or (request.method in _BODYLESS and not chunked):
        return b""
    if not chunked and not request.environ.get("wsgi.input_terminated"):
        return b""  # no length and no end marker: there is no body to read safely
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None


#: names a 404's detail lists at most: a team server's workspace may hold thousands
_LISTED = 20


def _listed(names: list[str]) -> str:
    """``names`` for a message: the first ``_LISTED``, then how many more."""
    if not names:
        return "none"
    more = len(names) - _LISTED
    return ", ".join(names[:_LISTED]) + (f" and {more} more" if more > 0 else "")


class _MockAnswer:
    """A mock's answer as a bare WSGI app: the hot path skips building a werkzeug Response.

    ``delay`` is the wait before it (rules' delay), which the waiting room acts out."""

    __slots__ = ("body", "delay", "headers", "status")
    fault: str | None = None

    def __init__(self, answer: MockResponse):
        self.delay = answer.delay
        status = answer.status
        bodyless = status in (204, 304) or 100 <= status < 200
        self.status = f"{status} {_REASONS.get(status, 'Unknown')}"
        self.body = b"" if bodyless else answer.body
        headers: list[tuple[str, str]] = []
        if answer.content_type and not bodyless:
            headers.append(("Content-Type", answer.content_type))
        if answer.headers:  # the server frames the body itself, whoever set these
            headers.extend(h for h in answer.headers if h[0].lower() not in FRAMING_HEADERS)
        headers.append(("X-Request-Id", answer.request_id or new_id("req")))
        if not bodyless:
            headers.append(("Content-Length", str(len(self.body))))
        self.headers = headers

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        start_response(self.status, self.headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


_REASONS = {s.value: s.phrase for s in HTTPStatus}


_Answer = _MockAnswer | FaultAnswer | SeatedAnswer


def _to_response(answer: MockResponse) -> _MockAnswer | FaultAnswer:
    plain = _MockAnswer(answer)
    if answer.fault is None:
        return plain
    # the fault is acted out on the answer the rule would have given (see faults.py)
    return FaultAnswer(
        answer.fault, answer.fault_seconds, plain.status, plain.headers, plain.body, answer.delay
    )


def _route_path(raw: str, slug: str) -> str:
    """The collection-relative path to route when the raw request URI encodes a slash
    inside a segment (``/mocks/aws/services/arn%3A...%2Fsvc-1``), else ''."""
    path = raw.partition("?")[0]
    if "%2f" not in path.lower():
        return ""
    _, _, rest = path.partition(MOCKS_PREFIX)
    _, _, sub = rest.partition("/")
    return routed_path("/" + sub)


def wire_error(status: int, title: str, detail: str, path: str) -> tuple[str, bytes]:
    """The content type and body of an error the server itself answers before the app runs
    (a body or headers past the limits): the API's envelope under ``/api/``, else a problem
    document, as the app would answer."""
    request_id = new_id("req")
    if path.startswith("/api/"):
        from pytest_mockamocha.api.envelope import ApiError, error_document

        body: dict[str, Any] = error_document(ApiError(status, detail), request_id)
        return "application/json", json.dumps(body).encode()
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["request_id"] = request_id
    return "application/problem+json", json.dumps(body).encode()


#: the JavaScript SDK, served for pages that import it with no bundler (see sdkjs.py)
_SDK_FILES = ("/sdk/mockamocha.js", "/sdk/mockamocha.d.ts")


def _sdk_file(request: Request, path: str) -> Response:
    """The SDK module or its types: cacheable (ETag, 304), readable from any origin."""
    from pytest_mockamocha.server import sdkjs

    if request.method not in ("GET", "HEAD"):
        response = _problem(405, "Method Not Allowed", f"{request.method} {path}: use GET")
        response.headers["Allow"] = "GET, HEAD"
        return response
    try:
        asset = sdkjs.module() if path.endswith(".js") else sdkjs.types()
    except sdkjs.SdkSourceError as exc:
        return _problem(404, "Not Found", str(exc))
    if request.if_none_match.contains(asset.etag):
        response = Response(status=304)
    else:
        response = Response(asset.body, 200, content_type=asset.content_type)
    response.set_etag(asset.etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    return response


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An answer of the server's own (no collection, no API): problem+json with a request id."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status, content_type="application/problem+json")
    response.headers["X-Request-Id"] = str(extra.get("request_id") or new_id("req"))
    return response


def _too_large(limit: int) -> Response:
    return _problem(413, "Payload Too Large", f"request bodies are limited to {limit:,} bytes")
