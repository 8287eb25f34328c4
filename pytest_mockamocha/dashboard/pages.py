"""``/`` and ``/assets/<file>``: the dashboard's page and static files, with a strict CSP.

Every answer forbids inline script and style, plugins, framing and foreign connections: the
page shows text from documents and requests (untrusted), and the policy is the second wall
behind rendering all of it as text.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from werkzeug.wrappers import Request, Response

STATIC = Path(__file__).resolve().parent / "static"
ASSETS_PREFIX = "/assets/"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}
_NAME = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*\.(?:js|css|svg)$")
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def answer(request: Request) -> Response:
    """The page, a file, or a 404 / 405 (plain text: nothing to render)."""
    path = request.path
    if request.method not in ("GET", "HEAD"):
        return _plain(405, f"{request.method} {path}: use GET", allow="GET, HEAD")
    if path in ("/", "/index.html"):
        name = "index.html"
    else:
        name = path[len(ASSETS_PREFIX) :]
        if not _NAME.match(name):
            return _plain(404, "no such dashboard file")
    found = _file(name)
    if found is None:
        return _plain(404, "no such dashboard file")
    body, etag = found
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, 200, content_type=_TYPES[Path(name).suffix])
    response.set_etag(etag)
    # the page is small and names its files: ask each time (ETag makes that a 304)
    response.headers["Cache-Control"] = "no-cache"
    response.headers.update(_HEADERS)
    return response


@lru_cache(maxsize=64)
def _file(name: str) -> tuple[bytes, str] | None:
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        return None
    body = path.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:32]


def _plain(status: int, text: str, allow: str = "") -> Response:
    response = Response(text + "\n", status, content_type="text/plain; charset=utf-8")
    response.headers.update(_HEADERS)
    if allow:
        response.headers["Allow"] = allow
    return response
