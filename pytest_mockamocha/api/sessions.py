"""Dashboard sessions: an HttpOnly, SameSite=Strict cookie holding a signed session token,
and the CSRF token that must come with every state-changing call made with it.

The cookie is a JWT like the API's Bearer tokens but for another audience, so neither
passes for the other. Its CSRF token is an HMAC of the session's id: the page learns it
from ``GET /api/auth/session`` (same origin only) and sends it as ``X-CSRF-Token``. A call
made with the cookie is refused when its ``Origin`` (or ``Sec-Fetch-Site``) says another
origin sent it: ``SameSite`` does not separate two ports of one host. Bearer tokens never
look at any of this. Signing out revokes the session id until the token would expire
anyway; the revocation is stored, so it holds across restarts and on every replica.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from werkzeug.http import dump_cookie
from werkzeug.wrappers import Request

from pytest_mockamocha.api.envelope import ApiError
from pytest_mockamocha.store import Query, Store

COOKIE = "mm_session"
CSRF_HEADER = "X-CSRF-Token"
AUDIENCE = "mockamocha-dashboard"
SESSION_TTL = 8 * 3600
#: where the cookie is sent: the API only, never to a mock (whose rules may echo cookies)
COOKIE_PATH = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SITES = frozenset({"same-origin", "none"})


@dataclass(frozen=True, slots=True)
class Session:
    """A valid session: whose it is, its id and when it ends (epoch seconds)."""

    user_id: str
    sid: str
    expires: int


class Sessions:
    """Issues, checks and revokes dashboard sessions signed with the server's secret."""

    def __init__(self, secret: bytes, store: Store, ttl: int = SESSION_TTL) -> None:
        self._secret = secret
        self._store = store
        self.ttl = ttl

    def issue(self, user_id: str) -> tuple[str, Session]:
        """A new session's cookie value and the session."""
        import jwt

        now = int(time.time())
        session = Session(user_id, secrets.token_urlsafe(16), now + self.ttl)
        claims = {
            "sub": user_id,
            "sid": session.sid,
            "aud": AUDIENCE,
            "iat": now,
            "exp": session.expires,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256"), session

    def csrf_token(self, session: Session) -> str:
        """The CSRF token of ``session``: derived, so nothing more is stored."""
        return hmac.new(self._secret, b"csrf:" + session.sid.encode(), hashlib.sha256).hexdigest()

    def check(self, request: Request) -> Session:
        """The session the request's cookie holds, when the request may use it: from this
        origin, and with the CSRF token unless its method is safe. 401 or 403 otherwise."""
        refuse_foreign(request)
        session = self._session(request.cookies.get(COOKIE, ""))
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent:
                raise ApiError(
                    403,
                    "the CSRF token is missing",
                    [f"calls made with the session cookie send the {CSRF_HEADER} header"],
                )
            if not hmac.compare_digest(sent, self.csrf_token(session)):
                raise ApiError(403, "the CSRF token is not valid for this session")
        return session

    def revoke(self, session: Session) -> None:
        """Sign ``session`` out: its cookie no longer works, even if kept."""
        revoked = self._store.sessions
        with self._store.transaction():
            if revoked.get(session.sid) is None:
                revoked.insert({"id": session.sid, "expires": session.expires})
            now = int(time.time())  # the expired ones are refused by their token anyway
            for gone in revoked.select(Query(omit=())):
                if int(gone.get("expires", 0)) <= now:
                    revoked.delete(gone["id"])

    def _session(self, token: str) -> Session:
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                options={"require": ["exp", "sub", "sid", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "the session has expired; sign in again") from None
        except jwt.PyJWTError:
            raise ApiError(401, "the session cookie is not valid; sign in again") from None
        session = Session(str(claims["sub"]), str(claims["sid"]), int(claims["exp"]))
        if self._store.sessions.get(session.sid) is not None:
            raise ApiError(401, "the session has ended; sign in again")
        return session


def refuse_foreign(request: Request) -> None:
    """403 when the browser says another origin (or site) sent this request."""
    origin = request.headers.get("Origin")
    own = request.host_url.rstrip("/")
    if origin is not None and origin != own:
        raise ApiError(
            403,
            "the session cookie is not accepted from another origin",
            [f"Origin {origin[:200]} is not {own}; use a Bearer token across origins"],
        )
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in _SITES:
        raise ApiError(403, f"the session cookie is not accepted from a {site[:40]} request")


def session_cookies(token: str, ttl: int, secure: bool) -> tuple[tuple[str, str], ...]:
    """The ``Set-Cookie`` header that keeps a session (``token`` empty: that ends one)."""
    cookie = dump_cookie(
        COOKIE,
        token,
        max_age=ttl if token else 0,
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=secure,
    )
    return (("Set-Cookie", cookie),)
