"""Passwords, API keys, JWTs and the login throttle."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

import jwt

from pytest_mockamocha.api.envelope import ApiError

TOKEN_TTL = 3600
KEY_PREFIX = "mm_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_DUMMY_SALT = secrets.token_bytes(16)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt hex>$<hash hex>`` with a fresh per-user salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` hashes to ``stored`` (constant time; slow even on a miss)."""
    if not stored or stored.count("$") != 2:
        hash_password(password, _DUMMY_SALT)
        return False
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt)), stored)


def new_api_key() -> str:
    """``mm_`` + 43 url-safe random characters."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """What the store keeps of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


class Tokens:
    """HS256 JWTs: issued with ``sub`` and ``exp``, decoded with the algorithm pinned."""

    def __init__(self, secret: bytes, ttl: int = TOKEN_TTL) -> None:
        self._secret = secret
        self.ttl = ttl

    def issue(self, user_id: str) -> str:
        now = int(time.time())
        claims = {"sub": user_id, "iat": now, "exp": now + self.ttl}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def subject(self, token: str) -> str:
        """The user id a valid token names; 401 for anything else."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"require": ["exp", "sub"]}
            )
        except jwt.ExpiredSignatureError:
            raise ApiError(401, "the token has expired") from None
        except jwt.PyJWTError:
            raise ApiError(401, "the token is not valid") from None
        sub = claims.get("sub")
        if not isinstance(sub, str):
            raise ApiError(401, "the token is not valid")
        return sub


class LoginThrottle:
    """At most ``limit`` failed logins per email per ``window`` seconds."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, email: str) -> None:
        """429 with Retry-After while ``email`` has failed too often."""
        now = time.monotonic()
        with self._lock:
            recent = self._recent(email, now)
            if len(recent) < self.limit:
                return
            wait = max(1, int(recent[0] + self.window - now) + 1)
        raise ApiError(
            429,
            "too many failed logins for this email; try again later",
            [f"retry after {wait} seconds"],
            headers=[("Retry-After", str(wait))],
        )

    def failed(self, email: str) -> None:
        with self._lock:
            self._recent(email, time.monotonic()).append(time.monotonic())

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(email, None)

    def _recent(self, email: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(email, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent
