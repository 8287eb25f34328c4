"""Proxy mode: requests no rule answers go to the real API, whose answers are checked
against the spec (drift) and can be recorded as a rule file that replays them offline.

``Proxy`` is the engine's ``Upstream``: a pool of keep-alive ``http.client`` connections
(as many as requests go upstream at once), hop-by-hop headers dropped both ways, a 502
problem when the upstream cannot be reached. ``Recorder`` collects the exchanges and
writes them as rules.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import tempfile
import threading
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import SplitResult, quote, unquote, urlencode, urlsplit, urlunsplit

import yaml
from werkzeug.datastructures import Headers

from pytest_mockamocha.engine import Collection, MockRequest, MockResponse
from pytest_mockamocha.engine.engine import TEST_HEADER
from pytest_mockamocha.engine.media import is_json
from pytest_mockamocha.engine.validate.violations import Violation
from pytest_mockamocha.spec.loader import deref
from pytest_mockamocha.spec.model import Operation

log = logging.getLogger("pytest_mockamocha.server.proxy")

#: RFC 9110 section 7.6.1: meaningful for one connection only, never forwarded
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
#: request headers the proxy sets itself (or that belong to the mock, not the upstream)
_NOT_FORWARDED = frozenset({"host", "content-length", "accept-encoding", TEST_HEADER.lower()})
#: response headers the mock sets itself
_NOT_RETURNED = frozenset({"content-length", "content-type"})
#: response headers a recording leaves out: the replaying server sets its own
_NOT_RECORDED = frozenset({"date", "server", "content-length", "content-type"})
#: headers whose values are credentials: never written to a file
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
#: answers kept in ``Proxy.drift`` (the oldest are dropped beyond this)
_MAX_DRIFT = 10_000
#: what forwarding raises when the upstream cannot be reached (ValueError: a header
#: http.client refuses to send)
_UNREACHABLE = (OSError, http.client.HTTPException, ValueError)
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
#: idle kept-alive connections a proxy keeps for the next requests
_IDLE_CONNECTIONS = 16


class Drift(NamedTuple):
    """One upstream answer that breaks what the spec declares."""

    operation: str  # "GET /pets/{petId}"
    method: str
    path: str  # the request's path, relative to the collection
    status: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}: {'; '.join(self.problems)}"


def safe_url(url: str) -> str:
    """``url`` without its userinfo (``user:password@``), for messages and files."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


class Proxy:
    """Forwards a collection's unanswered requests to ``base_url`` and checks the answers."""

    def __init__(
        self,
        collection: Collection,
        base_url: str,
        *,
        recorder: Recorder | None = None,
        timeout: float = 30.0,
    ):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"the upstream must be an http:// or https:// URL, not {safe_url(base_url)!r}"
            )
        self.collection = collection
        self.recorder = recorder
        self.timeout = timeout
        #: the upstream's URL without credentials: safe to print
        self.url = safe_url(base_url).rstrip("/")
        self._parts: SplitResult = parts
        self._prefix = parts.path.rstrip("/")
        self._auth: str | None = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            self._auth = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        self._lock = threading.Lock()
        #: idle kept-alive connections to the upstream, the most recently used last
        self._idle: list[http.client.HTTPConnection] = []
        self._drift: list[Drift] = []

    # -- the Upstream protocol -----------------------------------------------------------
    def forward(
        self, op: Operation, path_params: Mapping[str, str], request: MockRequest
    ) -> MockResponse:
        """The upstream's answer to ``request`` (a 502 problem when it cannot be reached)."""
        return self.exchange(op, path_params, request)[0]

    def exchange(
        self, op: Operation, path_params: Mapping[str, str], request: MockRequest
    ) -> tuple[MockResponse, list[Violation]]:
        """The upstream's answer and every way it breaks the spec (drift)."""
        target = self._target(request)
        try:
            status, headers, body = self._send(request.method, target, request)
        except _UNREACHABLE as exc:
            where = target.partition("?")[0]  # a query may carry an API key: not in logs
            detail = (
                f"the upstream {self.url} did not answer {request.method} {where}: {_describe(exc)}"
            )
            log.warning("proxy %s: %s", self.collection.slug, detail)
            answer = self.collection.responder.problem(502, "Bad Gateway", detail)
            answer.source = "proxy"
            return answer, []
        content_type = headers.get("Content-Type")
        answer = MockResponse(
            status,
            body,
            content_type,
            [(k, v) for k, v in headers.items() if k.lower() not in _NOT_RETURNED],
            source="proxy",
        )
        violations = self._check(op, request.method, status, body, headers, content_type)
        if violations:
            drift = Drift(
                op.name, request.method, request.path, status, tuple(str(v) for v in violations)
            )
            log.warning("contract drift of %s (%s): %s", self.url, self.collection.slug, drift)
            with self._lock:
                self._drift.append(drift)
                del self._drift[:-_MAX_DRIFT]
        if self.recorder is not None:
            self.recorder.record(self.collection, op, path_params, request, answer, self.url)
        return answer, violations

    # -- drift ---------------------------------------------------------------------------
    @property
    def drift(self) -> list[Drift]:
        """The upstream answers so far that broke the spec, oldest first (a copy)."""
        with self._lock:
            return list(self._drift)

    def _check(
        self,
        op: Operation,
        method: str,
        status: int,
        body: bytes,
        headers: Headers,
        content_type: str | None,
    ) -> list[Violation]:
        key = op.declared_key(status)
        if key is None:
            declared = ", ".join(op.responses) or "none"
            return [
                Violation(
                    "response",
                    "status",
                    f"{status} is not declared for {op.name} (declared: {declared})",
                )
            ]
        if method == "HEAD":
            return []  # no body to check against the GET's schema
        try:
            return self.collection.validator.response(op, status, body, headers, content_type or "")
        except Exception as exc:  # an answer openapi-core cannot even read
            return [Violation("response", "", f"cannot validate the answer: {_describe(exc)}")]

    # -- HTTP ----------------------------------------------------------------------------
    def _target(self, request: MockRequest) -> str:
        """The upstream's path and query for ``request``."""
        path = self._prefix + quote(request.path, safe="/:@!$&'()*+,;=-._~%")
        pairs = list(request.query.items(multi=True))
        return f"{path}?{urlencode(pairs)}" if pairs else path

    def _headers(self, request: MockRequest) -> dict[str, str]:
        listed = {
            name.strip().lower()
            for name in (request.headers.get("Connection") or "").split(",")
            if name.strip()
        }
        out: dict[str, str] = {}
        for name, value in request.headers.items():
            low = name.lower()
            if low in HOP_BY_HOP or low in _NOT_FORWARDED or low in listed:
                continue
            out[name] = f"{out[name]}, {value}" if name in out else value
        out["Accept-Encoding"] = "identity"
        if self._auth is not None and not any(k.lower() == "authorization" for k in out):
            out["Authorization"] = self._auth
        return out

    def _send(self, method: str, target: str, request: MockRequest) -> tuple[int, Headers, bytes]:
        headers = self._headers(request)
        body = request.body or None
        conn = self._checkout()
        for attempt in (1, 2):
            reused = conn.sock is not None
            try:
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except _STALE:
                conn.close()
                # the upstream closed an idle keep-alive connection: once more on a new one
                if not reused or attempt == 2:
                    raise
            except BaseException:
                conn.close()
                raise
        self._checkin(conn)
        listed = {
            name.strip().lower()
            for name in (response.getheader("Connection") or "").split(",")
            if name.strip()
        }
        out = Headers()
        for name, value in response.getheaders():
            low = name.lower()
            if low not in HOP_BY_HOP and low not in listed:
                out.add(name, value)
        return response.status, out, _decoded(data, out)

    def _checkout(self) -> http.client.HTTPConnection:
        """An idle kept-alive connection to the upstream (the most recently used), or a new
        one: as many connections as requests go upstream at once, whichever thread sends."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        host, port = self._parts.hostname or "", self._parts.port
        if self._parts.scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _checkin(self, conn: http.client.HTTPConnection) -> None:
        """Keep ``conn`` for the next request, unless enough connections are idle already."""
        with self._lock:
            if len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close every connection to the upstream (new requests open new ones)."""
        with self._lock:
            connections, self._idle = self._idle, []
        for conn in connections:
            conn.close()

    def __repr__(self) -> str:
        return f"Proxy({self.collection.slug!r} -> {self.url!r})"


def _decoded(data: bytes, headers: Headers) -> bytes:
    """The body without a gzip/deflate content coding (we asked for none; some send it)."""
    coding = (headers.get("Content-Encoding") or "").strip().lower()
    if coding not in ("gzip", "x-gzip", "deflate") or not data:
        return data
    try:
        if coding == "deflate":
            try:
                plain = zlib.decompress(data)
            except zlib.error:
                plain = zlib.decompress(data, -zlib.MAX_WBITS)
        else:
            plain = zlib.decompress(data, 16 + zlib.MAX_WBITS)
    except zlib.error:
        return data  # leave it coded, and say so
    headers.remove("Content-Encoding")
    return plain


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- recording ---------------------------------------------------------------------------------
_TEXT_TYPES = ("application/xml", "application/x-www-form-urlencoded", "application/javascript")


class _Answer(NamedTuple):
    """One recorded answer, hashable so identical ones compare equal."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content_type: str | None
    kind: str  # "json", "body", "none" (empty) or "binary" (not recorded)
    payload: str  # the JSON text (canonical) or the text body


class _Exchange:
    __slots__ = ("collection", "json", "operation", "path", "query", "runs")

    def __init__(
        self,
        collection: str,
        operation: str,
        path: dict[str, str],
        query: dict[str, str | list[str]],
        json_body: tuple[bool, Any],
    ):
        self.collection = collection
        self.operation = operation
        self.path = path
        self.query = query
        self.json = json_body
        #: the answers in order, consecutive identical ones as one (answer, times) run
        self.runs: list[tuple[_Answer, int]] = []

    def add(self, answer: _Answer) -> None:
        if self.runs and self.runs[-1][0] == answer:
            self.runs[-1] = (answer, self.runs[-1][1] + 1)
        else:
            self.runs.append((answer, 1))


class Recorder:
    """The upstream's answers, collected while proxying, written as a rule file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: dict[str, _Exchange] = {}
        self._upstreams: list[str] = []
        self._skipped: list[str] = []
        self._secrets: dict[str, frozenset[str]] = {}

    def __len__(self) -> int:
        """How many distinct requests were recorded (one rule each)."""
        with self._lock:
            return len(self._exchanges)

    @property
    def count(self) -> int:
        """How many exchanges were recorded (identical ones included)."""
        with self._lock:
            return sum(times for e in self._exchanges.values() for _, times in e.runs)

    def record(
        self,
        collection: Collection,
        op: Operation,
        path_params: Mapping[str, str],
        request: MockRequest,
        response: MockResponse,
        upstream: str,
    ) -> None:
        """Remember that ``upstream`` answered ``request`` with ``response``."""
        secrets = self._secret_names(collection)
        query: dict[str, str | list[str]] = {}
        for name in request.query:
            if name.lower() in secrets:
                continue
            values = request.query.getlist(name)
            query[name] = values[0] if len(values) == 1 else values
        body: tuple[bool, Any] = (False, None)
        if request.body and is_json(request.content_type or "application/octet-stream"):
            # not JSON after all: the rule matches without the body
            with contextlib.suppress(ValueError):
                body = (True, json.loads(request.body))
        path = {k: str(v) for k, v in path_params.items()}
        key = json.dumps(
            [collection.slug, op.name, path, query, list(body)], sort_keys=True, default=str
        )
        answer, skipped = _answer(response, secrets)
        with self._lock:
            if upstream not in self._upstreams:
                self._upstreams.append(upstream)
            if skipped:
                note = f"{op.name} ({collection.slug}) answered {response.status} {skipped}"
                if note not in self._skipped:
                    self._skipped.append(note)
            exchange = self._exchanges.get(key)
            if exchange is None:
                exchange = _Exchange(collection.slug, op.name, path, query, body)
                self._exchanges[key] = exchange
            exchange.add(answer)

    def _secret_names(self, collection: Collection) -> frozenset[str]:
        """Lower-cased header, query and cookie names that carry credentials."""
        names = self._secrets.get(collection.slug)
        if names is None:
            found = set(SECRET_HEADERS)
            components = collection.spec.document.get("components")
            schemes = components.get("securitySchemes") if isinstance(components, dict) else None
            for raw in (schemes or {}).values():
                scheme = deref(collection.spec.document, raw)
                if isinstance(scheme, dict) and scheme.get("type") == "apiKey":
                    found.add(str(scheme.get("name", "")).lower())
            names = frozenset(found)
            self._secrets[collection.slug] = names
        return names

    def document(self) -> tuple[dict[str, Any], list[str]]:
        """The rule file's content and its header comment lines."""
        with self._lock:
            exchanges = [(e, list(e.runs)) for e in self._exchanges.values()]
            upstreams = list(self._upstreams)
            skipped = list(self._skipped)
        # a rule without a query matcher answers any query, and of the rules that fit a
        # request the one loaded last wins: the most specific rules go last
        exchanges.sort(key=lambda item: len(item[0].path) + len(item[0].query) + item[0].json[0])
        rules = [_rule(e, runs) for e, runs in exchanges if runs]
        today = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        comments = [
            f"Recorded by mockamocha from {', '.join(upstreams) or 'no upstream'} on {today}"
        ]
        comments += [f"Not recorded: {note}" for note in skipped]
        return {"version": 1, "rules": rules}, comments

    def dumps(self) -> str:
        """The rule file's text."""
        content, comments = self.document()
        head = "".join(f"# {' '.join(line.splitlines())}\n" for line in comments)
        return head + yaml.safe_dump(content, sort_keys=False, allow_unicode=True)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the rule file to ``path`` atomically (a temporary file, then a rename)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = self.dumps()
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target


def _answer(response: MockResponse, secrets: frozenset[str]) -> tuple[_Answer, str]:
    """The recordable form of ``response``, and why its body was left out ('' if it was not)."""
    headers = tuple(
        (name, value)
        for name, value in response.headers
        if name.lower() not in _NOT_RECORDED
        and name.lower() not in HOP_BY_HOP
        and name.lower() not in secrets
    )
    ctype = response.content_type
    media = (ctype or "").split(";", 1)[0].strip().lower()
    body = response.body
    if not body:
        return _Answer(response.status, headers, ctype, "none", ""), ""
    if is_json(media) and "*" not in media:
        try:
            value = json.loads(body)
        except ValueError:
            pass
        else:
            payload = json.dumps(value, sort_keys=True, ensure_ascii=False)
            return _Answer(response.status, headers, ctype, "json", payload), ""
    if _is_text(media):
        try:
            return _Answer(
                response.status, headers, ctype, "body", body.decode(_charset(ctype))
            ), ""
        except (UnicodeDecodeError, LookupError):
            pass
    reason = f"a {media or 'untyped'} body of {len(body)} bytes: status only"
    return _Answer(response.status, headers, None, "binary", ""), reason


def _is_text(media: str) -> bool:
    return (
        media.startswith("text/")
        or media in _TEXT_TYPES
        or media.endswith(("+xml", "/yaml", "+yaml", "/x-yaml"))
    )


def _charset(ctype: str | None) -> str:
    for part in (ctype or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return "utf-8"


def _response_form(answer: _Answer) -> dict[str, Any]:
    form: dict[str, Any] = {"status": answer.status}
    if answer.headers:
        form["headers"] = dict(answer.headers)
    if answer.content_type is not None and answer.kind != "binary":
        form["content_type"] = answer.content_type
    if answer.kind == "json":
        form["json"] = json.loads(answer.payload)
    elif answer.kind == "body":
        form["body"] = answer.payload
    return form


def _rule(exchange: _Exchange, runs: list[tuple[_Answer, int]]) -> dict[str, Any]:
    match: dict[str, Any] = {}
    if exchange.path:
        match["path"] = dict(exchange.path)
    if exchange.query:
        match["query"] = dict(exchange.query)
    if exchange.json[0]:
        match["json"] = exchange.json[1]
    rule: dict[str, Any] = {"collection": exchange.collection, "operation": exchange.operation}
    if match:
        rule["match"] = match
    first, first_times = runs[0]
    rule["response"] = _response_form(first)
    if len(runs) > 1:
        rule["response"]["times"] = first_times
        later = [{**_response_form(answer), "times": times} for answer, times in runs[1:-1]]
        later.append(_response_form(runs[-1][0]))
        rule["then"] = later
    return rule
