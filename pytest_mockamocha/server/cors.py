"""One CORS policy, per kind of route: what browsers on other origins may do here.

* **Mocks** are for front ends on another origin (a dev server on another port): every
  origin is echoed, with credentials, and every preflight is answered ``204`` whatever the
  path, method or slug, so the page then sees the mock's own answer (a 404, a 405, a 400
  naming the field) instead of "Failed to fetch". A collection can turn this off for an API
  whose own CORS behaviour is under test; its ``OPTIONS`` requests then reach the mock.
* **The management API** answers preflights on every route with every method it has.
  Bearer calls (a token in ``Authorization``, no cookie) are allowed from any origin;
  credentialed (cookie) access only from the origins the operator lists
  (``serve --cors-origin``), none by default: a page on another port of the same host must
  not read the API with a signed-in user's cookie (``SameSite`` does not separate ports).
* **Dashboard pages** get no CORS headers: same origin only.

``Access-Control-Expose-Headers`` names headers one by one: with credentials, browsers read
``*`` as a header literally named ``*``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from werkzeug.wrappers import Request, Response

#: headers of the server's own that pages may read, besides those an answer carries
EXPOSED = (
    "X-Request-Id",
    "Location",
    "Retry-After",
    "X-Total-Count",
    "Link",
    "ETag",
    "WWW-Authenticate",
    "Allow",
    "MockaMocha-Violations",
    "Preference-Applied",
)
#: headers browsers let pages read anyway (never worth listing)
_SAFELISTED = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
#: what preflights are remembered for, seconds
MAX_AGE = "600"
#: every method the management API has on some route
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def is_preflight(request: Request) -> bool:
    """A CORS preflight: ``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``."""
    return (
        request.method == "OPTIONS"
        and "Origin" in request.headers
        and "Access-Control-Request-Method" in request.headers
    )


class CorsPolicy:
    """The policy of one server; ``credentialed`` lists the origins that may use cookies on
    the management API (``serve --cors-origin``)."""

    def __init__(self, credentialed: Iterable[str] = ()) -> None:
        self.credentialed = frozenset(o.rstrip("/") for o in credentialed)

    # -- mocks ---------------------------------------------------------------------------
    def mock_preflight(self, request: Request, allowed: Sequence[str]) -> Response:
        """``204`` for any preflight to a mock, allowing the method asked for (whatever the
        mock will answer to it) and the methods the path declares."""
        asked = request.headers.get("Access-Control-Request-Method", "").upper()
        methods = sorted({*allowed, *([asked] if asked else []), "OPTIONS"})
        return self._preflight(request, methods, credentials=True)

    def mock_headers(
        self, request: Request, answer: Iterable[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """The CORS headers of a mock's answer (none without ``Origin``)."""
        origin = request.headers.get("Origin")
        if not origin:
            return []
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", expose(answer)),
            ("Vary", "Origin"),
        ]

    # -- the management API --------------------------------------------------------------
    def api_preflight(self, request: Request, allowed: Sequence[str]) -> Response:
        """``204`` for a preflight to ``/api``, with the route's methods (every method the
        API has when the route is unknown: the page then sees the API's own 404)."""
        origin = request.headers.get("Origin", "")
        methods = sorted({*(allowed or API_METHODS), "OPTIONS"})
        return self._preflight(request, methods, credentials=self.allows_cookies(origin))

    def api_headers(
        self, request: Request, answer: Iterable[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """The CORS headers of an API answer: any origin may read it; only listed ones with
        credentials."""
        origin = request.headers.get("Origin")
        if not origin:
            return []
        headers = [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Expose-Headers", expose(answer)),
            ("Vary", "Origin"),
        ]
        if self.allows_cookies(origin):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return headers

    def allows_cookies(self, origin: str) -> bool:
        """Whether ``origin`` may call the API with the user's cookie."""
        return origin.rstrip("/") in self.credentialed

    # -- shared --------------------------------------------------------------------------
    def _preflight(
        self, request: Request, methods: Sequence[str], *, credentials: bool
    ) -> Response:
        response = Response(status=204)
        response.headers.remove("Content-Type")
        origin = request.headers.get("Origin", "")
        response.headers["Access-Control-Allow-Origin"] = origin
        if credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
        wanted = request.headers.get("Access-Control-Request-Headers")
        if wanted:
            response.headers["Access-Control-Allow-Headers"] = wanted
        response.headers["Access-Control-Max-Age"] = MAX_AGE
        response.headers["Vary"] = (
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        )
        return response


def expose(answer: Iterable[tuple[str, str]]) -> str:
    """``Access-Control-Expose-Headers``: the server's own headers and every other header of
    the answer (those the operation's responses declare), one by one."""
    names = list(EXPOSED)
    seen = {n.lower() for n in names}
    for name, _ in answer:
        low = name.lower()
        if low not in seen and low not in _SAFELISTED and not low.startswith("access-control-"):
            seen.add(low)
            names.append(name)
    return ", ".join(names)
